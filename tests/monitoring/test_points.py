"""Hazard points in scope, patrol logs from the phone (idempotent, offline-tolerant, with photos),
"find a hazard → report at once" into incident intake, and missed patrols."""

from __future__ import annotations

import base64
import io
from datetime import timedelta

from PIL import Image
from sqlalchemy import select

from tests.monitoring.conftest import inside, make_point, principal_of, uid
from yingji.auth.models import User
from yingji.core import clock
from yingji.core.db import Actor
from yingji.incidents.models import Incident
from yingji.monitoring import patrol_watch
from yingji.monitoring.models import HazardPoint, PatrolPhoto
from yingji.notify.models import InboxMessage


def jpeg() -> str:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (120, 90, 60)).save(buf, "JPEG")
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode()


def test_a_point_takes_its_place_and_grid_cell_from_its_coordinates(city, api):
    lon, lat = inside(city.db, city.group_a)
    body = {"name": f"后山滑坡{uid()}", "kind": "geological", "subtype": "landslide", "lon": lon, "lat": lat}
    r = api("county").post(
        "/api/v1/hazard-points", json=body | {"threatened_households": 12, "threatened_people": 40}
    )
    assert r.status_code == 201, r.text
    point = r.json()
    assert point["jurisdiction_code"] == city.group_a and point["grid_cell_id"] is not None
    assert point["code"].startswith("DZ-520602-") and point["patrol_due_at"] is not None
    assert api("gridworker").get(f"/api/v1/hazard-points/{point['id']}").json()["grid"]  # the group's people


def test_points_are_scoped(city, api):
    point = make_point(city.db, city.group_a)
    assert api("town").get(f"/api/v1/hazard-points/{point}").status_code == 200
    assert api("town_b").get(f"/api/v1/hazard-points/{point}").status_code == 404
    assert api("town_b").patch(f"/api/v1/hazard-points/{point}", json={"name": "x"}).status_code == 404
    lon, lat = inside(city.db, city.group_a)
    body = {"name": "越界", "kind": "drowning", "lon": lon, "lat": lat}
    assert api("town_b").post("/api/v1/hazard-points", json=body).status_code == 403
    assert api("gridworker").post("/api/v1/hazard-points", json=body).status_code == 403
    listed = api("town_b").get(f"/api/v1/hazard-points?q=DZ-520602&within={city.town_a}")
    assert listed.status_code == 404  # a place outside one's area is not even confirmed


def test_a_patrol_is_recorded_once_however_often_the_phone_resends_it(city, api):
    point = make_point(city.db, city.group_a)
    lon, lat = inside(city.db, city.group_a)
    key = f"patrol-{uid()}"
    two_hours_ago = (clock.now() - timedelta(hours=2)).isoformat()
    body = {
        "idempotency_key": key,
        "patrolled_at": two_hours_ago,  # kept on the phone while there was no signal
        "condition": "abnormal",
        "observations": "后缘裂缝有新增",
        "lon": lon,
        "lat": lat,
        "accuracy_m": 12,
        "photos": [jpeg()],
    }
    first = api("gridworker").post(f"/api/v1/hazard-points/{point}/patrols", json=body)
    assert first.status_code == 201, first.text
    again = api("gridworker").post(f"/api/v1/hazard-points/{point}/patrols", json=body)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    log = first.json()
    assert log["photo_count"] == 1 and log["distance_m"] < 5 and log["incident_id"] is None
    logs = api("gridworker").get(f"/api/v1/hazard-points/{point}/patrols").json()
    assert logs["total"] == 1 and len(logs["items"][0]["photos"]) == 1
    photo = api("town").get(logs["items"][0]["photos"][0])
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    assert api("town_b").get(logs["items"][0]["photos"][0]).status_code == 404
    with city.db.reading() as session:
        p = session.get(HazardPoint, point)
        assert abs((p.last_patrol_at - (clock.now() - timedelta(hours=2))).total_seconds()) < 60
        assert p.patrol_due_at > p.last_patrol_at
        assert session.scalar(select(PatrolPhoto.id).where(PatrolPhoto.patrol_log_id == log["id"]))
    assert api("gridleader").post(f"/api/v1/hazard-points/{point}/patrols", json=body).status_code == 409


def test_bad_patrols_are_refused_clearly(city, api):
    point = make_point(city.db, city.group_a)
    future = {"patrolled_at": (clock.now() + timedelta(hours=1)).isoformat()}
    r = api("gridworker").post(f"/api/v1/hazard-points/{point}/patrols", json=future)
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "patrolled_at"
    bad_photo = {"photos": ["data:image/jpeg;base64," + base64.b64encode(b"not a photo").decode()]}
    assert api("gridworker").post(f"/api/v1/hazard-points/{point}/patrols", json=bad_photo).status_code == 422
    assert api("viewer").post(f"/api/v1/hazard-points/{point}/patrols", json={}).status_code == 403
    other = make_point(city.db, city.town_b + "001001")
    assert api("gridworker").post(f"/api/v1/hazard-points/{other}/patrols", json={}).status_code == 404


def test_find_a_hazard_report_at_once_files_one_incident(city, api):
    point = make_point(city.db, city.group_a, threatened_people=35)
    key = f"danger-{uid()}"
    body = {"description": "坡体出现新裂缝，有落石", "threatened_people": 35, "idempotency_key": key}
    r = api("gridworker").post(f"/api/v1/hazard-points/{point}/danger", json=body)
    assert r.status_code == 201, r.text
    again = api("gridworker").post(f"/api/v1/hazard-points/{point}/danger", json=body)
    assert again.status_code == 200 and again.json()["incident_id"] == r.json()["incident_id"]
    incident = api("town").get(f"/api/v1/incidents/{r.json()['incident_id']}").json()
    assert incident["category"] == "natural.geological"
    assert incident["jurisdiction_code"] == city.group_a
    assert "坡体出现新裂缝" in incident["description"]


def test_a_danger_found_on_patrol_files_an_incident_with_the_log(city, api):
    point = make_point(city.db, city.group_a, kind="flash_flood")
    body = {"condition": "danger", "observations": "沟道水位暴涨，夹杂泥沙", "idempotency_key": f"p-{uid()}"}
    log = api("gridworker").post(f"/api/v1/hazard-points/{point}/patrols", json=body).json()
    assert log["incident_id"]
    with city.db.reading() as session:
        incident = session.get(Incident, log["incident_id"])
        assert incident.category == "natural.flood_drought" and "沟道水位暴涨" in incident.description


def test_a_missed_patrol_is_told_to_the_monitor_once(city, frozen):
    db = city.db
    gridworker = principal_of(db, "gridworker")
    with db.reading() as session:
        person = session.scalar(select(User.person_id).where(User.username == "gridworker"))
    point = make_point(db, city.group_a, monitor_person_id=person, patrol_every_days=2)
    frozen.advance(timedelta(days=2, hours=1))
    for _ in range(2):
        with db.writing(Actor.system("tests")) as session:
            patrol_watch.missed(session)
    with db.reading() as session:
        code = session.get(HazardPoint, point).code
        messages = session.scalars(
            select(InboxMessage).where(
                InboxMessage.user_id == gridworker.user_id, InboxMessage.link == f"/monitoring/points/{point}"
            )
        ).all()
    assert len(messages) == 1 and code in messages[0].subject
    assert [p.id for p in _overdue(db, code)] == [point]


def _overdue(db, code: str):
    from yingji.monitoring import points

    with db.reading() as session:
        return points.search(session, principal_of(db, "county"), overdue=True, q=code).items


def test_the_schedule_is_denser_in_the_season(city):
    from datetime import UTC, datetime

    from yingji.monitoring import catalog

    july = datetime(2026, 7, 15, 4, tzinfo=UTC)
    december = datetime(2026, 12, 15, 4, tzinfo=UTC)
    assert catalog.patrol_every_days("geological", july) == 1
    assert catalog.patrol_every_days("geological", december) == 7
    assert catalog.patrol_every_days("forest_fire", december) == 1  # 森林防火期 wraps over the new year
    assert catalog.patrol_every_days("forest_fire", july) == 14
    assert catalog.patrol_every_days("geological", july, override=3) == 3

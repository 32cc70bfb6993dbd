"""Exercise mode end to end through the API: a controller scripts injects, the job puts them into
the live duty flow unannounced, players react, their times are measured against the law's limits,
and the drill's incident is marked and left out of real statistics."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from tests.exercise.conftest import drill_incidents, incident_inject, make_drill, run_injects
from yingji.auth.scope import Principal
from yingji.core.db import Actor
from yingji.drills import measure
from yingji.drills.models import DrillInject, DrillMeasurement
from yingji.incidents.models import Incident
from yingji.notify.models import InboxMessage
from yingji.overview import situation
from yingji.response import stats


def test_script_is_checked_kind_by_kind(city, api):
    county = api("county")
    drill = make_drill(city.db, city.county_a)
    url = f"/api/v1/drills/{drill}/injects"
    # fields of another kind, a missing category, a place outside the drill, an unknown sensor
    bad = [
        incident_inject(city.village_a, sensor_id=1),
        incident_inject(city.village_a, category=None),
        incident_inject(city.town_other_county),
        {
            "kind": "sensor_reading",
            "offset_minutes": 5,
            "title": "x",
            "place_code": city.village_a,
            "sensor_id": 10**9,
            "value": 80.0,
            "level": "red",
        },
        {"kind": "upstream_warning", "offset_minutes": 5, "title": "x", "place_code": city.town_a},
        incident_inject(city.village_a, offset=-1),
    ]
    for body in bad:
        r = county.post(url, json=body)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["error"]["message"] and r.json()["error"]["message_en"]
    with city.db.reading() as session:
        assert session.scalar(select(func.count()).where(DrillInject.drill_id == drill)) == 0
    r = county.post(url, json=incident_inject(city.village_a, offset=10))
    assert r.status_code == 201, r.text
    assert r.json()["state"] == "scripted" and r.json()["payload"]["figures"] == {"trapped": 3}
    # before the drill runs, withdrawing deletes the inject; a second withdrawal finds nothing
    gone = county.delete(f"{url}/{r.json()['id']}")
    assert gone.status_code == 200 and gone.json()["title"] == r.json()["title"]
    assert county.delete(f"{url}/{r.json()['id']}").status_code == 404
    assert county.get(f"/api/v1/drills/{drill}/exercise").json()["injects"] == []


def test_only_the_controller_sees_or_writes_the_script(city, api):
    drill = make_drill(city.db, city.county_a)
    # a town officer (drills.manage, not drills.control) must not learn the blind drill's script
    assert api("town").get(f"/api/v1/drills/{drill}/exercise").status_code == 403
    assert (
        api("town").post(f"/api/v1/drills/{drill}/injects", json=incident_inject(city.village_a)).status_code
        == 403
    )
    other = make_drill(city.db, city.county_b)
    assert api("county").get(f"/api/v1/drills/{other}/exercise").status_code == 404
    assert (
        api("county")
        .post(f"/api/v1/drills/{other}/injects", json=incident_inject(city.village_a))
        .status_code
        == 404
    )
    assert api("county").get(f"/api/v1/drills/{drill}/exercise").status_code == 200


def test_start_needs_a_script_and_moves_along_the_table(city, api):
    county = api("county")
    drill = make_drill(city.db, city.county_a)
    r = county.post(f"/api/v1/drills/{drill}/exercise/start", json={})
    assert r.status_code == 409
    assert county.post(f"/api/v1/drills/{drill}/exercise/end", json={}).status_code == 409  # not running
    county.post(f"/api/v1/drills/{drill}/injects", json=incident_inject(city.village_a, offset=30))
    assert (
        county.post(
            f"/api/v1/drills/{drill}/exercise/start", json={"starts_at": "2001-01-01T00:00:00+08:00"}
        ).status_code
        == 422
    )
    r = county.post(f"/api/v1/drills/{drill}/exercise/start", json={})
    assert r.status_code == 200 and r.json()["state"] == "running"
    assert county.post(f"/api/v1/drills/{drill}/exercise/start", json={}).status_code == 409


def test_injects_wait_for_their_time(city, api, clock):
    county = api("county")
    drill = make_drill(city.db, city.county_a)
    county.post(f"/api/v1/drills/{drill}/injects", json=incident_inject(city.village_a, offset=30))
    county.post(f"/api/v1/drills/{drill}/exercise/start", json={})
    run_injects(city.db)
    assert drill_incidents(city.db, drill) == []
    clock.advance(timedelta(minutes=31))
    run_injects(city.db)
    [incident] = drill_incidents(city.db, drill)
    assert incident.trapped == 3 and incident.jurisdiction_code == city.village_a
    got = county.get(f"/api/v1/drills/{drill}/exercise").json()
    assert got["injects"][0]["state"] == "injected" and got["injects"][0]["incident_id"] == incident.id


def test_a_blind_drill_is_measured_marked_and_kept_out_of_statistics(city, api):
    county, town = api("county"), api("town")
    drill = make_drill(city.db, city.county_a)
    admin = Principal.system(city.city)
    with city.db.reading() as session:
        open_before = situation.incidents(session, admin, None).open
        responses_before = situation.responses(session, admin, None).in_force
        reports_before = situation.reports(session, admin, None).today
        stats_before = stats.report(session, admin).totals
    county.post(f"/api/v1/drills/{drill}/injects", json=incident_inject(city.village_a))
    county.post(f"/api/v1/drills/{drill}/exercise/start", json={})
    run_injects(city.db)
    [incident] = drill_incidents(city.db, drill)

    # the town's desk got it in its inbox, marked 演练; the incident API says it is a drill's
    with city.db.reading() as session:
        subjects = session.scalars(
            select(InboxMessage.subject).where(InboxMessage.link == f"/incidents/{incident.id}")
        ).all()
    assert subjects and all("【演练】" in s for s in subjects)
    assert town.get(f"/api/v1/incidents/{incident.id}").json()["drill_id"] == drill

    # players react: receive (签收), verify, forward up, activate the response
    assert town.post(f"/api/v1/incidents/{incident.id}/acknowledge").status_code == 200
    assert town.post(f"/api/v1/incidents/{incident.id}/verify").status_code == 200
    assert town.post(f"/api/v1/incidents/{incident.id}/forward", json={}).status_code == 200
    r = town.post(
        f"/api/v1/incidents/{incident.id}/response/activate",
        json={"level": 4, "decided_by": "镇长", "plan_name": "某镇防汛应急预案"},
    )
    assert r.status_code == 201, r.text

    rows = county.get(f"/api/v1/drills/{drill}/exercise").json()["measurements"]
    by = {}
    for m in rows:
        by.setdefault(m["metric"], []).append(m)
    assert by["receive"][0]["done_at"] and by["receive"][0]["seconds"] >= 0
    assert by["grade"][0]["done_at"] is not None
    assert by["response"][0]["done_at"] and "某镇防汛应急预案" in by["response"][0]["subject"]
    # the law's limit: the county must have it within the obligation's minutes
    first = by["first_report"]
    assert first and all(m["limit_seconds"] is not None and m["basis"] for m in first)
    assert any(m["outcome"] == "met" for m in first)

    # excluded from real statistics: overview tiles and the incident statistics do not move
    with city.db.reading() as session:
        assert situation.incidents(session, admin, None).open == open_before
        assert situation.responses(session, admin, None).in_force == responses_before
        assert situation.reports(session, admin, None).today == reports_before
        assert stats.report(session, admin).totals == stats_before
        assert session.scalar(select(func.count()).where(Incident.drill_id == drill)) == 1

    # ending freezes the figures; what is frozen is what the evaluation reads
    r = county.post(f"/api/v1/drills/{drill}/exercise/end", json={"note": "演练结束"})
    assert r.status_code == 200 and r.json()["frozen"] is True
    with city.db.reading() as session:
        frozen = session.scalar(select(func.count()).where(DrillMeasurement.drill_id == drill))
        assert frozen == len(rows)
        assert [m.metric for m in measure.measurements(session, drill)] == [m["metric"] for m in rows]
    # a later acknowledgement no longer changes the frozen result
    sheet = county.get(f"/api/v1/drills/{drill}/exercise/results.xlsx")
    assert sheet.status_code == 200 and sheet.content[:2] == b"PK"


def test_a_withdrawn_inject_never_goes_in(city, api, clock):
    county = api("county")
    drill = make_drill(city.db, city.county_a)
    iid = county.post(
        f"/api/v1/drills/{drill}/injects", json=incident_inject(city.village_a, offset=5)
    ).json()["id"]
    county.post(f"/api/v1/drills/{drill}/exercise/start", json={})
    assert county.delete(f"/api/v1/drills/{drill}/injects/{iid}").json()["state"] == "cancelled"
    clock.advance(timedelta(minutes=6))
    run_injects(city.db)
    assert drill_incidents(city.db, drill) == []
    assert county.post(f"/api/v1/drills/{drill}/injects/{iid}/fire").status_code == 409


def test_fire_now_and_end_cancels_the_rest(city, api):
    county = api("county")
    drill = make_drill(city.db, city.county_a)
    a = county.post(
        f"/api/v1/drills/{drill}/injects", json=incident_inject(city.village_a, offset=60)
    ).json()["id"]
    b = county.post(
        f"/api/v1/drills/{drill}/injects", json=incident_inject(city.village_a, offset=120)
    ).json()["id"]
    assert county.post(f"/api/v1/drills/{drill}/injects/{a}/fire").status_code == 409  # not running yet
    county.post(f"/api/v1/drills/{drill}/exercise/start", json={})
    r = county.post(f"/api/v1/drills/{drill}/injects/{a}/fire")
    assert r.status_code == 200 and r.json()["state"] == "injected"
    county.post(f"/api/v1/drills/{drill}/exercise/end", json={})
    with city.db.writing(Actor.system("tests")) as session:
        assert session.get(DrillInject, b).state == "cancelled"
    assert len(drill_incidents(city.db, drill)) == 1

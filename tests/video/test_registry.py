"""The camera registry: GB/T 28181 device IDs checked, stream addresses checked, scope (404 outside,
403 for writes outside), audit rows, pages, the map layer, nearest cameras and the conference link."""

from __future__ import annotations

import math

from sqlalchemy import func, select

from tests.response.conftest import new_incident
from tests.video.conftest import device_id, first_report, settings_extra
from yingji.auth.models import AuditEntry
from yingji.core import clock
from yingji.incidents.models import Incident
from yingji.org.models import Jurisdiction
from yingji.video.models import Camera


def camera_body(place: str, **extra) -> dict:
    return {
        "device_id": device_id(place),
        "name": "测试路口摄像机",
        "kind": "xueliang",
        "jurisdiction_code": place,
    } | extra


def test_register_read_change_in_scope_and_audited(city, api):
    town = api("town")
    body = camera_body(city.town_a, owner_unit="县委政法委", hls_url="https://gw.example.cn/rtp/x/hls.m3u8")
    r = town.post("/api/v1/video/cameras", json=body)
    assert r.status_code == 201, r.text
    cam = r.json()
    assert cam["device_type"] == "132" and cam["device_type_label"] == "网络摄像机(IPC)"
    assert cam["kind_label"] == "雪亮摄像机" and cam["status"] == "online" and cam["lon"] is not None
    assert cam["streams"]["hls"] == body["hls_url"]

    assert api("county").get(f"/api/v1/video/cameras/{cam['id']}").status_code == 200
    assert api("town_b").get(f"/api/v1/video/cameras/{cam['id']}").status_code == 404
    assert (
        api("town_b").patch(f"/api/v1/video/cameras/{cam['id']}", json={"status": "fault"}).status_code == 404
    )
    changed = town.patch(f"/api/v1/video/cameras/{cam['id']}", json={"status": "fault", "name": "改名"})
    assert changed.status_code == 200 and changed.json()["status_label"] == "故障"

    with city.db.reading() as session:
        rows = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity == "video_cameras", AuditEntry.entity_id == str(cam["id"]))
            .order_by(AuditEntry.id)  # no order is no order: PostgreSQL returned them reversed
        ).all()
    assert [a.action for a in rows] == ["create", "update"]
    assert rows[1].after["status"] == "fault" and rows[1].before["status"] == "online"

    listed = town.get("/api/v1/video/cameras", params={"q": body["device_id"]}).json()
    assert [c["id"] for c in listed["items"]] == [cam["id"]]
    assert not api("town_b").get("/api/v1/video/cameras", params={"q": body["device_id"]}).json()["items"]


def test_writes_outside_the_jurisdiction_or_without_permission_are_refused(city, api):
    other = camera_body(city.town_other_county)
    r = api("town").post("/api/v1/video/cameras", json=other)
    assert r.status_code == 403 and r.json()["error"]["code"] == "out_of_jurisdiction"
    assert (
        api("gridleader").post("/api/v1/video/cameras", json=camera_body(city.village_a)).status_code == 403
    )
    with city.db.reading() as session:
        assert session.scalar(select(func.count()).where(Camera.device_id == other["device_id"])) == 0


def test_device_ids_are_checked_against_gbt_28181(city, api):
    town = api("town")

    def refused(device: str) -> str:
        r = town.post("/api/v1/video/cameras", json=camera_body(city.town_a, device_id=device))
        assert r.status_code == 422, r.text
        (detail,) = r.json()["error"]["details"]
        assert detail["field"] == "device_id"
        return detail["message"]

    good = device_id(city.town_a)
    assert "20 位" in refused(good[:-1])  # 19 digits
    assert "20 位" in refused(good[:-1] + "x")
    assert "中心编码" in refused("99" + good[2:])  # no such division
    assert "不包含" in refused(city.county_b + good[6:])  # the other county's centre
    assert "类型编码" in refused(good[:10] + "200" + good[13:])  # a platform server, not a camera
    assert "类型编码" in refused(good[:10] + "125" + good[13:])  # reserved range, not in the table
    city_centre = city.city + "0000" + good[8:]  # the city's centre covers every county
    assert (
        town.post("/api/v1/video/cameras", json=camera_body(city.town_a, device_id=city_centre)).status_code
        == 201
    )
    duplicate = town.post("/api/v1/video/cameras", json=camera_body(city.town_a, device_id=city_centre))
    assert duplicate.status_code == 409 and "已登记" in duplicate.json()["error"]["message"]
    bad_url = town.post("/api/v1/video/cameras", json=camera_body(city.town_a, hls_url="javascript:alert(1)"))
    assert bad_url.status_code == 422 and bad_url.json()["error"]["details"][0]["field"] == "hls_url"
    soldier = camera_body(city.town_a, kind="soldier", device_id=device_id(city.town_a, "138"))
    assert town.post("/api/v1/video/cameras", json=soldier).json()["device_type_label"] == "移动传输设备"


def test_the_demo_has_a_video_room_in_every_village(city):
    with city.db.reading() as session:
        villages = session.scalar(select(func.count()).where(Jurisdiction.level == "village"))
        rooms = session.scalar(
            select(func.count(func.distinct(Camera.jurisdiction_code))).where(
                Camera.kind == "village_room", Camera.device_id.like("%131%")
            )
        )
        skynet = session.scalar(select(func.count()).where(Camera.kind == "skynet"))
    assert villages > 100 and rooms == villages and skynet > 0


def test_nearest_cameras_and_the_village_room(city, api):
    reported = first_report(api("gridworker"), city.db, city.group_a).json()
    r = api("town").get(f"/api/v1/incidents/{reported['id']}/cameras", params={"n": 5})
    assert r.status_code == 200, r.text
    near = r.json()
    assert near["village_room"]["jurisdiction_code"] == city.village_a
    with city.db.reading() as session:
        incident = session.get(Incident, reported["id"])
        cams = session.execute(
            select(Camera.id, Camera.lon, Camera.lat).where(
                Camera.active, Camera.jurisdiction_code.startswith(city.town_a), Camera.lon.is_not(None)
            )
        ).all()

    def metres(c) -> float:  # brute force over the whole town, independent of the service's prefilter
        p1, p2 = math.radians(incident.lat), math.radians(c.lat)
        a = (
            math.sin((p2 - p1) / 2) ** 2
            + math.cos(p1) * math.cos(p2) * math.sin(math.radians(c.lon - incident.lon) / 2) ** 2
        )
        return 2 * 6371008.8 * math.asin(math.sqrt(a))

    expected = sorted(cams, key=metres)[:5]
    assert [c["id"] for c in near["cameras"]] == [c.id for c in expected]
    assert [round(c["distance_m"]) for c in near["cameras"]] == [round(metres(c)) for c in expected]
    assert all(c["jurisdiction_code"].startswith(city.town_a) for c in near["cameras"])
    assert api("town_b").get(f"/api/v1/incidents/{reported['id']}/cameras").status_code == 404

    page = api("town").get(f"/incidents/{reported['id']}/video")
    assert page.status_code == 200 and "村级视频室" in page.text and "视频联报" in page.text


def test_map_layer_in_scope(city, api):
    with city.db.reading() as session:
        town = session.get(Jurisdiction, city.town_a)
    bbox = f"{town.lon - 0.3},{town.lat - 0.3},{town.lon + 0.3},{town.lat + 0.3}"
    r = api("town").get("/api/v1/map/cameras", params={"bbox": bbox})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/geo+json")
    features = r.json()["features"]
    assert features and int(r.headers["X-Feature-Count"]) == len(features)
    with city.db.reading() as session:
        codes = dict(session.execute(select(Camera.id, Camera.jurisdiction_code)).all())
    assert all(codes[f["id"]].startswith(city.town_a) for f in features)
    assert {f["properties"]["kind_label"] for f in features} >= {"村级视频室"}


def test_pages_list_detail_and_form(city, browser_client):
    town = browser_client("town")
    listing = town.get("/video/cameras", params={"kind": "village_room"})
    assert listing.status_code == 200 and "村级视频室" in listing.text
    with city.db.reading() as session:
        cam = session.scalar(select(Camera).where(Camera.jurisdiction_code == city.village_a))
    detail = town.get(f"/video/cameras/{cam.id}")
    assert detail.status_code == 200 and cam.device_id in detail.text
    form = {
        "device_id": "123",
        "name": "新摄像机",
        "kind": "skynet",
        "jurisdiction_code": city.town_a,
        "status": "online",
    }
    refused = town.form("/video/cameras/new", form)
    assert refused.status_code == 422 and "20 位" in refused.text
    made = town.form(
        "/video/cameras/new", form | {"device_id": device_id(city.town_a)}, follow_redirects=False
    )
    assert made.status_code == 303
    assert browser_client("town_b").get(made.headers["location"]).status_code == 404


def test_conference_link_only_when_configured(city, api, app, browser_client):
    iid = new_incident(city.db, city.town_a)
    town = api("town")
    made = town.post(
        f"/api/v1/incidents/{iid}/consultations",
        json={"held_at": clock.now().isoformat(), "topic": "研判险情", "decisions": ["转移群众"]},
    )
    assert made.status_code == 201, made.text
    cid = made.json()["id"]
    url = "/api/v1/video/conference"
    assert town.get(url, params={"consultation_id": cid}).json() == {"consultation_id": cid, "url": None}
    panel = browser_client("town").get(f"/incidents/{iid}/response")
    assert panel.status_code == 200 and "video-conference" not in panel.text
    template = "https://meet.example.cn/room/yj-{incident_id}-{consultation_id}"
    with settings_extra(app, video_conference_url=template):
        got = town.get(url, params={"consultation_id": cid}).json()["url"]
        panel = browser_client("town").get(f"/incidents/{iid}/response")
    assert got == f"https://meet.example.cn/room/yj-{iid}-{cid}"
    assert "video-conference" in panel.text and got in panel.text
    assert api("town_b").get(url, params={"consultation_id": cid}).status_code == 404
    assert town.get(url, params={"consultation_id": 10**9}).status_code == 404

"""The monitoring pages: the alarm board (and its htmx refresh), alarm pages with acknowledgement,
hazard points with their charts, sensors, rejections, rules, the phone pages for patrols and danger
reports (plain form posts, as without JavaScript), and the hazard layer of the one map."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from PIL import Image
from sqlalchemy import select

from tests.monitoring.conftest import feed, inside, make_point, make_rule, make_sensor, uid
from yingji.monitoring.models import Alarm, PatrolLog, Sensor


def test_the_board_lists_open_alarms_by_severity_and_refreshes(city, browser_client, frozen):
    db = city.db
    point = make_point(db, city.group_a)
    code = make_sensor(db, point, "gas_lel")
    make_rule(db, point, "gas_lel", "value", 40.0, 30.0, level="red")
    feed(db, [(code, frozen.now(), 44.0)])
    town = browser_client("town")
    page = town.get("/monitoring/alarms")
    assert page.status_code == 200 and "监测预警" in page.text and "告警看板" in page.text
    assert 'hx-trigger="every 15s"' in page.text
    part = town.get("/monitoring/alarms?state=open", headers={"HX-Request": "true"})
    assert part.status_code == 200 and "<html" not in part.text and code in part.text
    assert town.get("/monitoring/alarms?state=all").status_code == 200
    assert code not in browser_client("town_b").get("/monitoring/alarms?state=open&level=red").text


def test_an_alarm_page_acknowledges(city, browser_client, frozen):
    db = city.db
    point = make_point(db, city.group_a)
    code = make_sensor(db, point, "gas_lel")
    make_rule(db, point, "gas_lel", "value", 40.0, 30.0)
    feed(db, [(code, frozen.now(), 41.0)])
    with db.reading() as session:
        sid = session.scalar(select(Sensor.id).where(Sensor.code == code))
        alarm_id = session.scalar(select(Alarm.id).where(Alarm.sensor_id == sid))
    worker = browser_client("gridworker")
    page = worker.get(f"/monitoring/alarms/{alarm_id}")
    assert page.status_code == 200 and "确认告警" in page.text and "data-series-url" in page.text
    r = worker.form(f"/monitoring/alarms/{alarm_id}/ack", {"note": "收到"}, follow_redirects=False)
    assert r.status_code == 303
    assert "已确认" in worker.get(f"/monitoring/alarms/{alarm_id}").text
    assert browser_client("town_b").get(f"/monitoring/alarms/{alarm_id}").status_code == 404


def test_point_pages_and_the_registration_form(city, browser_client):
    db = city.db
    county = browser_client("county")
    listing = county.get("/monitoring/points?kind=geological")
    assert listing.status_code == 200 and "地质灾害隐患点" in listing.text
    assert county.get("/monitoring/points?overdue=1").status_code == 200
    assert county.get("/monitoring/points/new").status_code == 200
    lon, lat = inside(db, city.group_a)
    name = f"页面登记{uid()}"
    r = county.form(
        "/monitoring/points/new",
        {"name": name, "kind": "reservoir", "lon": str(lon), "lat": str(lat), "threatened_people": "120"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:400]
    page = county.get(r.headers["location"])
    assert page.status_code == 200 and name in page.text and "水库" in page.text
    bad = county.form("/monitoring/points/new", {"name": "", "kind": "geological"})
    assert bad.status_code == 422 and "has-error" in bad.text
    assert browser_client("gridworker").get("/monitoring/points/new").status_code == 403
    point = make_point(db, city.group_a)
    make_sensor(db, point, "rain_gauge")
    detail = county.get(f"/monitoring/points/{point}")
    assert detail.status_code == 200 and "/api/v1/sensors/" in detail.text and "echarts" in detail.text
    assert browser_client("town_b").get(f"/monitoring/points/{point}").status_code == 404


def test_sensor_pages_rejections_and_rules(city, browser_client):
    county = browser_client("county")
    assert county.get("/monitoring/sensors?kind=rain_gauge").status_code == 200
    code = f"PG-{uid()}"
    r = county.form(
        "/monitoring/sensors/new",
        {"code": code, "name": "页面雨量计", "kind": "rain_gauge", "jurisdiction_code": city.town_a},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:300]
    assert code in county.get(r.headers["location"]).text
    dup = county.form(
        "/monitoring/sensors/new",
        {"code": code, "name": "重复", "kind": "rain_gauge", "jurisdiction_code": city.town_a},
    )
    assert dup.status_code == 422
    assert county.get("/monitoring/rejections").status_code == 200
    rules = county.get("/monitoring/rules")
    assert rules.status_code == 200 and "GB/T 50493-2019" in rules.text
    made = county.form(
        "/monitoring/rules",
        {
            "jurisdiction_code": city.town_a,
            "sensor_kind": "water_level",
            "metric": "value",
            "direction": "above",
            "raise_at": "500",
            "clear_at": "499",
            "level": "red",
            "action": "warning",
        },
        follow_redirects=False,
    )
    assert made.status_code == 303
    rule_id = re.findall(r"/monitoring/rules/(\d+)/delete", county.get("/monitoring/rules").text)[-1]
    assert county.form(f"/monitoring/rules/{rule_id}/delete", follow_redirects=False).status_code == 303
    assert browser_client("gridworker").get("/monitoring/rules").status_code == 403


def test_the_phone_pages_record_a_patrol_and_report_a_danger(city, browser_client):
    db = city.db
    worker = browser_client("gridworker")
    mine = worker.get("/monitoring/patrol")
    assert mine.status_code == 200 and "我的巡查" in mine.text
    point = make_point(db, city.group_a)
    form = worker.get(f"/monitoring/points/{point}/patrol")
    assert form.status_code == 200 and "data-patrol-form" in form.text and "<script>" not in form.text
    buf = io.BytesIO()
    Image.new("RGB", (20, 20), (0, 128, 0)).save(buf, "PNG")
    key = f"form-{uid()}"
    r = worker.post(
        f"/monitoring/points/{point}/patrol",
        data={
            "csrf_token": worker.csrf,
            "condition": "normal",
            "observations": "无异常",
            "idempotency_key": key,
        },
        files={"photos": ("a.png", buf.getvalue(), "image/png")},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/monitoring/patrol?sent=")
    with db.reading() as session:
        log = session.scalar(select(PatrolLog).where(PatrolLog.idempotency_key == key))
        assert log.photo_count == 1 and log.observations == "无异常"
    danger = worker.get(f"/monitoring/points/{point}/danger")
    assert danger.status_code == 200 and "地质灾害防治条例" in danger.text
    r = worker.form(
        f"/monitoring/points/{point}/danger",
        {"description": "房屋后墙开裂", "idempotency_key": f"d-{uid()}"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/incidents/")
    empty = worker.form(f"/monitoring/points/{point}/danger", {"description": ""})
    assert empty.status_code == 422
    assert browser_client("viewer").get(f"/monitoring/points/{point}/patrol").status_code == 403


def test_hazards_on_the_one_map(city, api, frozen):
    db = city.db
    point = make_point(db, city.group_a)
    code = make_sensor(db, point, "gas_lel")
    make_rule(db, point, "gas_lel", "value", 40.0, 30.0, level="orange")
    feed(db, [(code, frozen.now() - timedelta(minutes=1), 45.0)])
    lon, lat = inside(db, city.group_a)
    box = f"{lon - 0.05},{lat - 0.05},{lon + 0.05},{lat + 0.05}"
    r = api("town").get(f"/api/v1/map/hazards?bbox={box}")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/geo+json")
    found = {f["properties"]["id"]: f for f in r.json()["features"]}
    assert found[point]["properties"]["alarm"] == "orange"
    alarmed = api("town").get(f"/api/v1/map/hazards?bbox={box}&alarmed=true").json()["features"]
    assert all(f["properties"]["alarm"] for f in alarmed)
    assert point not in {
        f["properties"]["id"] for f in api("town_b").get(f"/api/v1/map/hazards?bbox={box}").json()["features"]
    }
    assert api("town").get("/api/v1/map/hazards?bbox=1,2").status_code == 422

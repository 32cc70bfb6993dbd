"""The HTTP batch endpoint: token-authenticated machines post readings; every bad reading is rejected
with its reason and counted per sensor, never dropped silently, and one bad reading never fails the
batch."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from tests.monitoring.conftest import make_point, make_sensor, principal_of, uid
from yingji.core import clock
from yingji.monitoring import sensors
from yingji.monitoring.models import Reading, Rejection, Sensor
from yingji.monitoring.schemas import SensorPatch


def stored(db, code: str) -> int:
    with db.reading() as session:
        sid = session.scalar(select(Sensor.id).where(Sensor.code == code))
        return session.scalar(select(func.count()).where(Reading.sensor_id == sid))


def counted(db, code: str) -> dict[str, int]:
    with db.reading() as session:
        rows = session.execute(select(Rejection.reason, Rejection.count).where(Rejection.sensor_code == code))
        return dict(rows.all())


def test_a_batch_is_stored_and_bad_readings_are_rejected_by_reason(city, api):
    db = city.db
    point = make_point(db, city.group_a)
    code = make_sensor(db, point, "rain_gauge")
    off = make_sensor(db, point, "humidity")
    principal = principal_of(db, "county")
    with db.writing(principal.as_actor()) as session:
        sid = session.scalar(select(Sensor.id).where(Sensor.code == off))
        sensors.update(session, principal, sid, SensorPatch(active=False))
    now = clock.now().replace(microsecond=0)
    ghost = f"GHOST-{uid()}"
    items = [
        {"sensor": code, "t": (now - timedelta(minutes=10)).isoformat(), "v": 0.5},
        {"sensor": code, "t": int((now - timedelta(minutes=5)).timestamp()), "v": 1},  # epoch seconds
        {"sensor": code, "t": (now - timedelta(minutes=5)).isoformat(), "v": 2.0},  # same time: duplicate
        {"sensor": code, "t": now.isoformat(), "v": 300.0},  # above the rain gauge's 250 mm
        {"sensor": code, "t": now.isoformat(), "v": -1},
        {"sensor": code, "t": now.isoformat(), "v": "7"},  # a string is not a number
        {"sensor": code, "t": (now + timedelta(hours=1)).isoformat(), "v": 1.0},  # the future
        {"sensor": code, "t": (now - timedelta(days=400)).isoformat(), "v": 1.0},  # beyond the raw window
        {"sensor": code, "t": "2026-06-03T08:00:00", "v": 1.0},  # no offset: refused, not guessed
        {"sensor": code, "v": 1.0},  # no time
        {"sensor": ghost, "t": now.isoformat(), "v": 1.0},
        {"sensor": off, "t": now.isoformat(), "v": 50.0},
        "not an object",
    ]
    r = api("county").post("/api/v1/readings", json=items)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["accepted"] == 2
    assert body["rejected"] == 11
    assert body["rejected_by_reason"] == {
        "duplicate": 1,
        "future": 1,
        "inactive": 1,
        "malformed": 3,
        "not_a_number": 1,
        "out_of_range": 2,
        "too_old": 1,
        "unknown_sensor": 1,
    }
    assert stored(db, code) == 2
    assert counted(db, code) == {
        "duplicate": 1,
        "future": 1,
        "malformed": 2,
        "not_a_number": 1,
        "out_of_range": 2,
        "too_old": 1,
    }
    assert counted(db, ghost) == {"unknown_sensor": 1}
    again = api("county").post("/api/v1/readings", json=items[:2]).json()
    form = api("county").post("/api/v1/readings", data={"sensor": code, "v": "1"})
    assert form.status_code == 415 and form.json()["error"]["code"] == "unsupported_media_type"
    assert again["accepted"] == 0 and again["rejected_by_reason"] == {"duplicate": 2}
    assert counted(db, code)["duplicate"] == 3  # the counters add up


def test_the_rejection_counters_are_listed_in_scope(city, api):
    db = city.db
    code = make_sensor(db, make_point(db, city.group_a), "rain_gauge")
    api("county").post("/api/v1/readings", json=[{"sensor": code, "t": clock.now().isoformat(), "v": 999}])
    mine = api("county").get("/api/v1/readings/rejections?size=200").json()
    assert any(r["sensor_code"] == code and r["reason"] == "out_of_range" for r in mine["items"])
    assert mine["by_reason"]["out_of_range"] >= 1
    other = api("town_b").get("/api/v1/readings/rejections?size=200").json()
    assert not any(r["sensor_code"] == code for r in other["items"])


def test_a_sensor_outside_the_senders_area_is_rejected_and_counted(city, api, tokens):
    db = city.db
    code = make_sensor(db, make_point(db, city.group_a), "rain_gauge")  # town A
    body = api("town_b").post(
        "/api/v1/readings", json=[{"sensor": code, "t": clock.now().isoformat(), "v": 1}]
    )
    assert body.status_code == 200
    assert body.json()["rejected_by_reason"] == {"out_of_scope": 1}
    assert stored(db, code) == 0 and counted(db, code) == {"out_of_scope": 1}


def test_only_monitoring_managers_may_post_readings(city, api):
    r = api("gridworker").post("/api/v1/readings", json=[])
    assert r.status_code == 403
    assert api("county").post("/api/v1/readings", content=b"{not json").status_code == 422
    too_many = [{"sensor": "X", "t": 0, "v": 0}] * 50_001
    assert api("county").post("/api/v1/readings", json=too_many).status_code == 422


def test_readings_come_back_as_a_chart_series(city, api):
    db = city.db
    code = make_sensor(db, make_point(db, city.group_a), "crack_meter")
    now = clock.now().replace(microsecond=0)
    items = [
        {"sensor": code, "t": (now - timedelta(minutes=10 * k)).isoformat(), "v": 10 + k / 10}
        for k in range(6)
    ]
    assert api("county").post("/api/v1/readings", json=items).json()["accepted"] == 6
    with db.reading() as session:
        sid = session.scalar(select(Sensor.id).where(Sensor.code == code))
    series = api("gridworker").get(f"/api/v1/sensors/{sid}/series?hours=2").json()
    assert series["resolution"] == "raw" and series["unit"] == "mm"
    assert [p[1] for p in series["points"]] == [10.5, 10.4, 10.3, 10.2, 10.1, 10.0]
    detail = api("county").get(f"/api/v1/sensors/{sid}").json()
    assert detail["last_value"] == 10.0 and detail["readings_total"] == 6
    assert api("town_b").get(f"/api/v1/sensors/{sid}/series").status_code == 404


def test_a_gas_sensor_watches_an_enterprise_of_the_risk_register(city, api):
    import random

    from yingji.risk import creditcode, enterprises
    from yingji.risk.schemas import EnterpriseIn

    db = city.db
    principal = principal_of(db, "county")
    org = "".join(random.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    with db.writing(principal.as_actor()) as session:
        data = EnterpriseIn(
            name=f"测试煤矿{uid()}",
            credit_code=creditcode.make("9", "1", "520602", org),
            industry="coal_mine",
            scale="small",
            jurisdiction_code=city.town_a,
        )
        enterprise = enterprises.create(session, principal, data)
    code = f"GAS-{uid()}"
    body = {
        "code": code,
        "name": "井下甲烷",
        "kind": "gas_lel",
        "target_kind": "enterprise",
        "target_id": enterprise.id,
    }
    r = api("county").post("/api/v1/sensors", json=body)
    assert r.status_code == 201, r.text
    assert r.json()["jurisdiction_code"] == city.town_a and r.json()["target_id"] == enterprise.id
    assert api("town_b").post("/api/v1/sensors", json=body | {"code": f"GAS-{uid()}"}).status_code == 404
    gone = api("county").post("/api/v1/sensors", json=body | {"code": f"GAS-{uid()}", "target_id": 10**9})
    assert gone.status_code == 404

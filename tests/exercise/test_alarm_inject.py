"""A sensor reading as an inject: an alarm on the real sensor, marked 演练, notified to the point's
people (the notice says 演练), timed until acknowledged, and left out of the overview's alarm tile."""

from __future__ import annotations

from sqlalchemy import select

from tests.exercise.conftest import make_drill, run_injects
from tests.monitoring.conftest import make_point, make_sensor
from yingji.auth.scope import Principal
from yingji.drills.models import DrillInject
from yingji.monitoring.models import Alarm, Sensor
from yingji.notify.models import InboxMessage
from yingji.overview import readiness


def test_a_sensor_inject_raises_a_marked_alarm_kept_out_of_the_tiles(city, api):
    county = api("county")
    point = make_point(city.db, city.village_a)
    code = make_sensor(city.db, point)
    with city.db.reading() as session:
        sensor_id = session.scalar(select(Sensor.id).where(Sensor.code == code))
    drill = make_drill(city.db, city.county_a)
    admin = Principal.system(city.city)
    with city.db.reading() as session:
        before = readiness.alarms(session, admin, None).active
    body = {
        "kind": "sensor_reading",
        "offset_minutes": 0,
        "title": "第三幕：雨量站超警",
        "place_code": city.village_a,
        "sensor_id": sensor_id,
        "value": 85.5,
        "level": "orange",
    }
    r = county.post(f"/api/v1/drills/{drill}/injects", json=body)
    assert r.status_code == 201, r.text
    county.post(f"/api/v1/drills/{drill}/exercise/start", json={})
    run_injects(city.db)
    with city.db.reading() as session:
        inject = session.scalar(select(DrillInject).where(DrillInject.drill_id == drill))
        alarm = session.get(Alarm, inject.alarm_id)
        assert alarm.drill_id == drill and alarm.level == "orange" and alarm.value == 85.5
        assert alarm.action == "notify" and alarm.warning_id is None and alarm.incident_id is None
        notes = session.scalars(
            select(InboxMessage.subject).where(InboxMessage.link == f"/monitoring/alarms/{alarm.id}")
        ).all()
        assert notes and all(n.startswith("【演练】") for n in notes)
        assert readiness.alarms(session, admin, None).active == before

    rows = county.get(f"/api/v1/drills/{drill}/exercise").json()["measurements"]
    [ack] = [m for m in rows if m["metric"] == "alarm_ack"]
    assert ack["done_at"] is None and ack["outcome"] == "not_done"
    assert county.post(f"/api/v1/alarms/{alarm.id}/ack", json={}).status_code == 200
    rows = county.get(f"/api/v1/drills/{drill}/exercise").json()["measurements"]
    [ack] = [m for m in rows if m["metric"] == "alarm_ack"]
    assert ack["done_at"] is not None and ack["outcome"] == "done"

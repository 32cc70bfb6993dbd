"""The monitoring demo in the test city: points at Tongren scale for the built counties, sensors, a
replayed rainfall event that raised alarms, the demo grid worker's own points."""

from __future__ import annotations

from sqlalchemy import func, select

from yingji.monitoring import demo_rows
from yingji.monitoring.models import Alarm, HazardPoint, PatrolLog, Reading, Sensor


def test_the_demo_has_points_sensors_readings_and_alarms(city):
    with city.db.reading() as session:
        demo_points = session.scalar(select(func.count()).where(HazardPoint.code.not_like("%测试%")))
        assert demo_points >= demo_rows.point_count(10, 2)
        assert session.scalar(select(func.count()).select_from(PatrolLog)) >= demo_rows.point_count(10, 2)
        rain = session.scalar(select(func.count()).where(Sensor.kind == "rain_gauge"))
        assert rain > 100
        assert session.scalar(select(func.count()).select_from(Reading)) > rain * 200
        levels = set(session.scalars(select(Alarm.level).where(Alarm.rule_key.like("default:rain%"))))
        assert {"red", "orange"} <= levels  # the storm cell raised severe alarms
        assert session.scalar(select(func.count()).where(Alarm.rule_key.like("default:crack%"))) >= 1


def test_the_demo_grid_worker_monitors_points_of_their_own_group(api):
    mine = api("gridworker").get("/api/v1/hazard-points?mine=true").json()
    assert mine["total"] >= 2
    assert all(p["jurisdiction_code"].startswith("520602") for p in mine["items"])

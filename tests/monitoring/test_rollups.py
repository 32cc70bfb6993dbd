"""Rollups and retention in a database of their own (they work on every sensor): hourly and daily
rollups, a late reading rolled again, raw readings beyond the raw window removed only once rolled up,
and on PostgreSQL month partitions made on demand and ahead, and dropped whole."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from yingji.auth.scope import Principal
from yingji.core.db import Actor
from yingji.monitoring import ingest, rollups, sensors, store
from yingji.monitoring.models import Reading, Rollup
from yingji.monitoring.parse import from_items
from yingji.monitoring.schemas import SensorIn
from yingji.org.models import Jurisdiction

SYSTEM = Principal.system()


@pytest.fixture
def own_db(databases):
    db = databases.make("rollups")
    with db.writing(Actor.system("tests")) as session:
        session.add(Jurisdiction(code="52", name="贵州省", level="province"))
        session.add(Jurisdiction(code="5206", name="铜仁市", level="city", parent_code="52"))
        session.flush()
        for code, kind in (("RG-1", "rain_gauge"), ("WL-1", "water_level")):
            sensors.create(
                session, SYSTEM, SensorIn(code=code, name=code, kind=kind, jurisdiction_code="5206")
            )
    return db


def feed(db, items):
    with db.writing(Actor.system("tests")) as session:
        return ingest.ingest(session, SYSTEM, from_items(items), source="tests")


def rows(db, period: str, code_id: int = 1):
    with db.reading() as session:
        return session.execute(
            select(Rollup.bucket_at, Rollup.n, Rollup.min, Rollup.max, Rollup.sum)
            .where(Rollup.period == period, Rollup.sensor_id == code_id)
            .order_by(Rollup.bucket_at)
        ).all()


def test_hourly_and_daily_rollups_and_a_late_reading(own_db, clock):
    db = own_db
    clock.freeze(datetime(2026, 6, 3, 10, 30, tzinfo=UTC))  # 18:30 in Shanghai
    start = datetime(2026, 6, 3, 7, 0, tzinfo=UTC)
    feed(
        db,
        [
            {"sensor": "RG-1", "t": (start + timedelta(minutes=10 * k)).isoformat(), "v": float(k)}
            for k in range(18)
        ],
    )
    with db.writing(Actor.system("tests")) as session:
        done = rollups.run_rollups(session)
    assert done["sensors"] == 1
    hours = rows(db, "hour")
    assert [(h[0].hour, h[1], h[2], h[3], h[4]) for h in hours] == [
        (7, 6, 0.0, 5.0, 15.0),
        (8, 6, 6.0, 11.0, 51.0),
        (9, 6, 12.0, 17.0, 87.0),
    ]
    [day] = rows(db, "day")
    assert day[0] == datetime(2026, 6, 2, 16, 0, tzinfo=UTC)  # the Shanghai day 06-03 starts at 16:00 UTC
    assert (day[1], day[4]) == (18, 153.0)
    feed(db, [{"sensor": "RG-1", "t": (start + timedelta(minutes=5)).isoformat(), "v": 100.0}])  # late
    clock.advance(timedelta(minutes=40))
    with db.writing(Actor.system("tests")) as session:
        rollups.run_rollups(session)
    hours = rows(db, "hour")
    assert (hours[0][1], hours[0][3], hours[0][4]) == (7, 100.0, 115.0)  # hour 7 rolled again
    assert len(hours) == 3 and rows(db, "day")[0][4] == 253.0


def test_raw_readings_beyond_the_window_go_once_rolled_up(own_db, clock, monkeypatch):
    db = own_db
    monkeypatch.setenv("YINGJI_READINGS_RAW_DAYS", "30")
    clock.freeze(datetime(2026, 3, 20, 12, tzinfo=UTC))
    feed(
        db,
        [
            {"sensor": "WL-1", "t": datetime(2026, 3, d, 6, tzinfo=UTC).isoformat(), "v": 400.0 + d}
            for d in range(1, 20)
        ],
    )
    clock.freeze(datetime(2026, 5, 10, 12, tzinfo=UTC))  # March is now beyond 30 days
    with db.writing(Actor.system("tests")) as session:
        before = rollups.run_retention(session)
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Reading)) == 19  # not rolled up yet: kept
    assert before["rows_deleted"] == 0 and before["partitions_dropped"] == 0
    with db.writing(Actor.system("tests")) as session:
        rollups.run_rollups(session)
        after = rollups.run_retention(session)
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Reading)) == 0
        assert session.scalar(select(func.count()).where(Rollup.period == "day", Rollup.sensor_id == 2)) == 19
    if db.kind == "postgresql":
        assert after["partitions_dropped"] >= 1
        with db.reading() as session:
            names = store.existing_partitions(session)
        assert "sensor_readings_2026_03" not in names
        assert {"sensor_readings_2026_05", "sensor_readings_2026_06", "sensor_readings_2026_07"} <= names
    else:
        assert after["rows_deleted"] == 19


def test_readings_of_any_month_are_stored_in_month_partitions_on_postgresql(own_db, clock):
    db = own_db
    clock.freeze(datetime(2031, 1, 5, tzinfo=UTC))  # a month no migration made a partition for
    result = feed(db, [{"sensor": "WL-1", "t": "2031-01-04T10:00:00+08:00", "v": 500.0}])
    assert result.accepted == 1
    with db.reading() as session:
        assert session.scalar(select(Reading.at).where(Reading.value == 500.0)) == datetime(
            2031, 1, 4, 2, tzinfo=UTC
        )
        if db.kind != "postgresql":
            return  # a plain table on SQLite
        kind = session.scalar(text("SELECT relkind FROM pg_class WHERE relname = 'sensor_readings'"))
        where = session.scalar(
            text("SELECT tableoid::regclass::text FROM sensor_readings WHERE value = 500.0")
        )
    assert kind == "p" and where == "readings_parts.sensor_readings_2031_01"

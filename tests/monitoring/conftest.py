"""Helpers of the monitoring tests: points and sensors made through the services (each test makes its
own), batches of readings through the ingest, the alarm jobs run by a worker."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from yingji.auth.models import User
from yingji.auth.scope import Principal
from yingji.core import clock as clock_module
from yingji.core.db import Actor
from yingji.geo.shapes import from_geojson
from yingji.jobs.worker import Worker
from yingji.monitoring import alarm_rules, ingest, points, sensors
from yingji.monitoring.parse import from_items
from yingji.monitoring.schemas import PointIn, RuleIn, SensorIn
from yingji.org.models import Jurisdiction


def uid() -> str:
    return uuid.uuid4().hex[:10]


def principal_of(db, username: str) -> Principal:
    with db.reading() as session:
        return Principal.of(session.scalar(select(User).where(User.username == username)))


def inside(db, code: str) -> tuple[float, float]:
    """A point surely inside the place's polygon."""
    with db.reading() as session:
        p = from_geojson(session.get(Jurisdiction, code).geometry).representative_point()
        return round(p.x, 6), round(p.y, 6)


def make_point(db, code: str, *, kind: str = "geological", as_user: str = "county", **extra) -> int:
    """A hazard point inside ``code`` (its coordinates decide its place), as ``as_user``."""
    lon, lat = inside(db, code)
    principal = principal_of(db, as_user)
    data = PointIn(name=f"测试点{uid()}", kind=kind, lon=lon, lat=lat, **extra)
    with db.writing(principal.as_actor()) as session:
        return points.create(session, principal, data).id


def make_sensor(
    db, point_id: int | None, kind: str = "rain_gauge", *, code: str | None = None, **extra
) -> str:
    principal = principal_of(db, "county")
    code = code or f"T-{kind[:4]}-{uid()}"
    with db.writing(principal.as_actor()) as session:
        sensors.create(
            session,
            principal,
            SensorIn(code=code, name=f"测试{kind}", kind=kind, hazard_point_id=point_id, **extra),
        )
    return code


def make_rule(db, point_id: int, kind: str, metric: str, raise_at: float, clear_at: float, **extra) -> int:
    principal = principal_of(db, "county")
    data = RuleIn(
        hazard_point_id=point_id,
        sensor_kind=kind,
        metric=metric,
        raise_at=raise_at,
        clear_at=clear_at,
        level=extra.pop("level", "orange"),
        action=extra.pop("action", "notify"),
        **extra,
    )
    with db.writing(principal.as_actor()) as session:
        return alarm_rules.create(session, principal, data).id


def feed(db, readings: list[tuple[str, datetime, float]], as_user: str = "county") -> ingest.IngestResult:
    """Readings (sensor code, time, value) through the ingest service, one transaction."""
    principal = principal_of(db, as_user)
    items = [{"sensor": c, "t": t.isoformat(), "v": v} for c, t, v in readings]
    with db.writing(principal.as_actor()) as session:
        return ingest.ingest(session, principal, from_items(items), source="tests")


def every(start: datetime, minutes: int, n: int) -> list[datetime]:
    return [start + timedelta(minutes=minutes * k) for k in range(n)]


def run_alarm_jobs(db) -> int:
    return Worker(db, kinds=["monitoring.alarm"], name="tests").run_until_idle()


@pytest.fixture
def frozen(clock):
    """The clock frozen at a round time (readings come every 5 minutes before it)."""
    at = clock_module.now().replace(second=0, microsecond=0)
    at -= timedelta(minutes=at.minute % 5)
    clock.freeze(at)
    return clock


@pytest.fixture
def system_writer(city):
    def write():
        return city.db.writing(Actor.system("tests"))

    return write

"""Fixtures of the delivery tests: warnings written straight into the warnings tables (the real
model), publication through ``flows.on_warning_event`` as the warnings domain calls it, an SMS
gateway endpoint pointing at a real HTTP server on 127.0.0.1, and the delivery jobs run by a worker."""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests.notify.servers import SMS_TOKEN, Gateway
from yingji.core import clock
from yingji.core.db import Actor, Database
from yingji.delivery import flows, signing
from yingji.delivery.models import ChannelEndpoint, Delivery, Dispatch, DispatchCell
from yingji.jobs.models import Job
from yingji.jobs.worker import Worker
from yingji.org.models import GridAssignment, GridCell, Person
from yingji.warnings.models import Warning, WarningArea, WarningInfo
from yingji.warnings.profile import geocodes_for

KINDS = ["delivery.send", "delivery.fanout_residents", "delivery.escalate"]
CALLBACK_TOKEN = "gw-callback-token"


@pytest.fixture(autouse=True)
def app_secret(monkeypatch):
    """Workers sign links with the secret from the environment; make it the test app's."""
    monkeypatch.setenv("YINGJI_SECRET_KEY", "test-secret")
    signing.app_secret.cache_clear()
    yield
    signing.app_secret.cache_clear()


def make_warning(
    db: Database,
    code: str,
    *,
    level: str = "red",
    area_codes: list[str] | None = None,
    polygons: list | None = None,
    circles: list | None = None,
    root_id: int | None = None,
    headline: str | None = None,
) -> int:
    """A published warning row with one info and one area (polygons [[lat, lon]…], circles
    [lat, lon, metres], geocodes from division codes)."""
    marker = uuid.uuid4().hex[:8]
    headline = headline or f"测试暴雨{level}预警{marker}"
    with db.writing(Actor.system("tests")) as session:
        area = WarningArea(
            seq=1,
            jurisdiction_code=code,
            area_desc="测试区域",
            polygons=polygons,
            circles=circles,
            geocodes=geocodes_for(area_codes or []),
        )
        info = WarningInfo(
            seq=1,
            jurisdiction_code=code,
            language="zh-CN",
            categories=["Met"],
            event="暴雨",
            urgency="Immediate",
            severity="Extreme",
            certainty="Likely",
            headline=headline,
            areas=[area],
        )
        warning = Warning(
            identifier=f"TEST_{marker}",
            sender="tests@yingji",
            sent=clock.now(),
            status="published",
            msg_type="Update" if root_id else "Alert",
            level=level,
            event="暴雨",
            headline=headline,
            description="预计未来3小时有强降雨。",
            instruction="请立即转移危险区域群众。",
            sender_name="铜仁市气象台",
            jurisdiction_code=code,
            root_id=root_id,
            infos=[info],
        )
        session.add(warning)
        session.flush()
        return warning.id


def emit(db: Database, warning_id: int, event: str = "published") -> Dispatch | None:
    """What the warnings domain does in its publishing transaction."""
    with db.writing(Actor.system("tests")) as session:
        flows.on_warning_event(session, session.get(Warning, warning_id), event)
    with db.reading() as session:
        return session.scalar(
            select(Dispatch).where(Dispatch.warning_id == warning_id).order_by(Dispatch.id.desc()).limit(1)
        )


@contextmanager
def alone(db, dispatch_id: int):
    """Other dispatches of the shared test city (the demo's) wait while this test runs, so the
    workers here send this dispatch only; their send jobs are due again afterwards."""
    with db.writing(Actor.system("tests")) as session:
        others = [
            (j.id, j.due_at)
            for j in session.scalars(select(Job).where(Job.kind == "delivery.send", Job.state == "queued"))
            if j.payload.get("dispatch_id") != dispatch_id
        ]
        for job_id, due_at in others:
            session.execute(update(Job).where(Job.id == job_id).values(due_at=due_at + timedelta(days=365)))
    try:
        yield
    finally:
        with db.writing(Actor.system("tests")) as session:
            for job_id, due_at in others:
                session.execute(update(Job).where(Job.id == job_id).values(due_at=due_at))


def send_jobs(db: Database, dispatch_id: int) -> list[Job]:
    """The dispatch's send jobs, oldest first."""
    with db.reading() as session:
        jobs = session.scalars(select(Job).where(Job.kind == "delivery.send").order_by(Job.id))
        return [j for j in jobs if j.payload.get("dispatch_id") == dispatch_id]


def run_jobs(db: Database, kinds: list[str] | None = None) -> int:
    return Worker(db, kinds=kinds or KINDS, name="tests").run_until_idle()


@dataclass
class Sms:
    gateway: Gateway
    endpoint_id: int


@pytest.fixture
def sms(city):
    """A real HTTP SMS gateway on 127.0.0.1, configured for the whole city (newest endpoint wins);
    disabled again after the test."""
    with Gateway() as gw:
        with city.db.writing(Actor.system("tests")) as session:
            endpoint = ChannelEndpoint(
                kind="sms",
                name="test gateway",
                jurisdiction_code=city.city,
                config={
                    "url": gw.url("/sms"),
                    "api_key": SMS_TOKEN,
                    "batch_size": 50,
                    "callback_token": CALLBACK_TOKEN,
                },
                enabled=True,
                rate_per_s=100_000,
            )
            session.add(endpoint)
            session.flush()
            endpoint_id = endpoint.id
        yield Sms(gw, endpoint_id)
        with city.db.writing(Actor.system("tests")) as session:
            session.execute(
                update(ChannelEndpoint).where(ChannelEndpoint.id == endpoint_id).values(enabled=False)
            )


def deliveries(db: Database, dispatch_id: int, **where) -> list[Delivery]:
    with db.reading() as session:
        stmt = select(Delivery).where(Delivery.dispatch_id == dispatch_id)
        for key, value in where.items():
            stmt = stmt.where(getattr(Delivery, key) == value)
        return list(session.scalars(stmt.order_by(Delivery.id)))


def cells(db: Database, dispatch_id: int) -> list[DispatchCell]:
    with db.reading() as session:
        return list(
            session.scalars(
                select(DispatchCell)
                .where(DispatchCell.dispatch_id == dispatch_id)
                .order_by(DispatchCell.cell_code)
            )
        )


def group_codes(db: Database, prefix: str) -> list[str]:
    with db.reading() as session:
        return list(
            session.scalars(
                select(GridCell.code)
                .where(GridCell.level == 3, GridCell.code.startswith(prefix))
                .order_by(GridCell.code)
            )
        )


def staff_of(db: Database, cell_code: str) -> list[Person]:
    with db.reading() as session:
        return list(
            session.scalars(
                select(Person)
                .join(GridAssignment, GridAssignment.person_id == Person.id)
                .join(GridCell, GridCell.id == GridAssignment.grid_cell_id)
                .where(GridCell.code == cell_code)
                .distinct()
            )
        )

"""Demo data of monitoring: Tongren-scale hazard points with their monitors and last patrols, sensors on
a few thousand of them (bulk inserts), then a rainfall event replayed through the real ingest, which
raises the alarms; the actions of the open alarms that draft a warning or file an incident are run."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, insert, select, text

from yingji.auth import audit
from yingji.auth.models import User
from yingji.core import clock
from yingji.core.db import Actor, Database
from yingji.core.models import Base
from yingji.monitoring import actions, demo_replay, demo_rows
from yingji.monitoring.models import OPEN_STATES, Alarm, HazardPoint

TABLES = ["hazard_points", "patrol_logs", "sensors", "sensor_state"]
CHUNK = 5000


def _quiet(step: str, done: int, total: int) -> None:
    pass


def _start_ids(session) -> dict[str, int]:
    tables = Base.metadata.tables
    return {
        name: (session.scalar(select(func.max(tables[name].c.id))) or 0) + 1
        for name in ("hazard_points", "patrol_logs", "sensors")
    }


def _forced(session) -> dict[str, int]:
    """The demo grid worker monitors two points of their own village group."""
    row = session.execute(
        select(User.jurisdiction_code, User.person_id).where(User.username == "gridworker")
    ).first()
    return {row[0]: row[1]} if row and row[1] and len(row[0]) == 15 else {}


def build(db: Database, data, options, progress: Callable[[str, int, int], None] = _quiet) -> None:
    """Write the monitoring demo into a database where the organisation demo is already built."""
    actor = Actor.system("demo")
    with db.reading() as session:
        if session.scalar(select(func.count()).select_from(HazardPoint)):
            return  # already built
        start = _start_ids(session)
        forced = _forced(session)
    now = clock.now()
    rows = demo_rows.generate(data, options, now, start, forced)
    if not rows.hazard_points:
        return
    tables = Base.metadata.tables
    for name in TABLES:
        items = getattr(rows, name)
        for i in range(0, len(items), CHUNK):
            with db.writing(actor) as session:
                session.execute(insert(tables[name]), items[i : i + CHUNK])
    with db.writing(actor) as session:
        if db.kind == "postgresql":
            for name in ("hazard_points", "patrol_logs", "sensors"):
                session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"
                    )
                )
        audit.record(
            session,
            "demo.build",
            "hazard_points",
            None,
            jurisdiction_code=data.top,
            after={name: len(getattr(rows, name)) for name in TABLES},
            note="monitoring demo (seed 003: 30774 hazard points at Tongren scale)",
        )
    result = demo_replay.replay(db, rows.sensors, now, options.seed, progress)
    _act(db, result.alarms_raised)


def _act(db: Database, alarm_ids: list[int]) -> None:
    """Run the actions of the alarms still open (drafts and incident reports), as the worker would."""
    with db.reading() as session:
        open_ids = session.scalars(
            select(Alarm.id).where(Alarm.id.in_(alarm_ids), Alarm.state.in_(OPEN_STATES)).order_by(Alarm.id)
        ).all()
    for alarm_id in open_ids:
        with db.writing(Actor.system("demo")) as session:
            actions.run(session, alarm_id)

"""Fixtures for the job-queue tests: one migrated database for the package (SQLite, or
PostgreSQL with YINGJI_TEST_PG_URL), emptied before every test."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import delete

from tests.jobs import handlers
from yingji.core.db import Actor, Database
from yingji.jobs import queue, registry
from yingji.jobs.models import Job

T0 = datetime(2030, 1, 1, 8, 0, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def jobs_database(databases) -> Database:
    db = databases.make("jobs")
    handlers.install(db.engine)
    registry.load_all(["tests.jobs.handlers"])
    return db


@pytest.fixture
def db(jobs_database) -> Database:
    with jobs_database.writing(Actor.system("tests")) as session:
        session.execute(delete(Job))
        session.execute(delete(handlers.effects))
    yield jobs_database
    handlers.HOOKS.clear()


@pytest.fixture
def frozen(clock):
    """The platform clock frozen at T0 (reset after the test by ``clock``)."""
    clock.freeze(T0)
    return clock


def add(db: Database, kind: str, payload: dict | None = None, **kw) -> int | None:
    """Enqueue one job in its own committed transaction."""
    with db.writing(Actor.system("tests")) as session:
        return queue.enqueue(session, kind, payload, **kw)


def get(db: Database, job_id: int) -> Job:
    with db.reading() as session:
        job = session.get(Job, job_id)
        assert job is not None, f"job {job_id} is gone"
        return job


def effects(db: Database) -> list[tuple[int, int, int, str]]:
    with db.reading() as session:
        return handlers.effect_rows(session)

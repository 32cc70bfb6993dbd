"""Enqueue, claim, finish and fail jobs.

A worker claims one job at a time, just before it runs it, and leases it for its kind's
``lease_s`` (at most the configured ``YINGJI_JOB_LEASE_S``): a job never waits under another job's
lease, and a dead worker holds at most the job it was running. Claiming selects the oldest due row;
on PostgreSQL with ``FOR UPDATE SKIP LOCKED`` so any number of workers share the queue without
running a job twice; on SQLite the write transaction is ``BEGIN IMMEDIATE``, so claims are
serialised. The auditor (``release_expired``) requeues running jobs whose lease ran out.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Update, and_, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from yingji.core import clock
from yingji.core.redact import redact
from yingji.jobs.models import Job


@dataclass(frozen=True)
class Claimed:
    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int
    max_attempts: int
    lease_token: str
    lease_s: float


def enqueue(
    session: Session,
    kind: str,
    payload: dict[str, Any] | None = None,
    *,
    due_at: datetime | None = None,
    delay: timedelta | None = None,
    dedupe_key: str | None = None,
    priority: int = 0,
    max_attempts: int | None = None,
) -> int | None:
    """Add a job in the caller's transaction (so it exists iff the caller's change commits).

    With ``dedupe_key``, a second enqueue of the same key is a no-op and returns None.
    """
    from yingji.jobs import registry

    now = clock.now()
    when = due_at or (now + delay if delay else now)
    spec = registry.get(kind)
    values = {
        "kind": kind,
        "payload": payload or {},
        "state": "queued",
        "priority": priority,
        "due_at": when,
        "attempts": 0,
        "max_attempts": max_attempts or (spec.max_attempts if spec else 5),
        "dedupe_key": dedupe_key,
        "created_at": now,
        "updated_at": now,
    }
    dialect = session.get_bind().dialect.name
    ins = pg_insert(Job) if dialect == "postgresql" else sqlite_insert(Job)
    if dedupe_key is not None:
        ins = ins.on_conflict_do_nothing(index_elements=["dedupe_key"])
    return session.execute(ins.values(**values).returning(Job.id)).scalar()


def claim(
    session: Session,
    worker: str,
    *,
    kinds: list[str] | None = None,
    max_lease_s: float | None = None,
) -> Claimed | None:
    """Take the next due job (priority, then due time, then id) and lease it from now for its
    kind's ``lease_s``, at most ``max_lease_s``. None when nothing is due."""
    from yingji.jobs import registry

    now = clock.now()
    due = select(Job.id, Job.kind).where(Job.state == "queued", Job.due_at <= now)
    if kinds:
        due = due.where(Job.kind.in_(kinds))
    due = due.order_by(Job.priority.desc(), Job.due_at, Job.id).limit(1)
    if _postgres(session):
        due = due.with_for_update(skip_locked=True)
    found = session.execute(due).first()
    if found is None:
        return None
    lease_s = registry.lease_for(found.kind, max_lease_s)
    token = secrets.token_hex(16)
    row = session.execute(
        update(Job)
        .where(Job.id == found.id, Job.state == "queued")
        .values(
            state="running",
            lease_owner=worker,
            lease_token=token,
            lease_expires_at=now + timedelta(seconds=lease_s),
            attempts=Job.attempts + 1,
            updated_at=now,
        )
        .returning(Job.payload, Job.attempts, Job.max_attempts)
        .execution_options(synchronize_session=False)
    ).first()
    if row is None:  # pragma: no cover - the row is locked (PostgreSQL) or the writer is alone (SQLite)
        return None
    return Claimed(found.id, found.kind, row.payload, row.attempts, row.max_attempts, token, lease_s)


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _ours(job: Claimed):
    return and_(Job.id == job.id, Job.lease_token == job.lease_token, Job.state == "running")


def finish(session: Session, job: Claimed) -> bool:
    """Mark done, only if we still hold the lease. False means the lease was lost: roll back."""
    now = clock.now()
    result = session.execute(
        update(Job)
        .where(_ours(job))
        .values(state="done", finished_at=now, updated_at=now, lease_token=None, last_error=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def fail(session: Session, job: Claimed, error: str, retry_in: timedelta) -> str:
    """Record a failure: back to the queue after ``retry_in``, or dead after the last attempt.

    Returns the new state, or ``"lost"`` when the lease was lost (nothing is changed then).
    """
    now = clock.now()
    dead = job.attempts >= job.max_attempts
    values: dict[str, Any] = {
        "state": "dead" if dead else "queued",
        "last_error": redact(error)[-4000:],  # a traceback may carry a webhook key
        "lease_owner": None,
        "lease_token": None,
        "lease_expires_at": None,
        "updated_at": now,
    }
    if dead:
        values["finished_at"] = now
    else:
        values["due_at"] = now + retry_in
    result = session.execute(
        update(Job).where(_ours(job)).values(**values).execution_options(synchronize_session=False)
    )
    return values["state"] if result.rowcount == 1 else "lost"


def renewal(job: Claimed, lease: timedelta) -> Update:
    """The statement that renews a lease we hold; it changes no row when the lease is lost."""
    return (
        update(Job)
        .where(_ours(job))
        .values(lease_expires_at=clock.now() + lease)
        .execution_options(synchronize_session=False)
    )


def extend_lease(session: Session, job: Claimed, lease: timedelta, *, skip_locked: bool = False) -> bool:
    """Renew our lease for ``lease`` from now; False when the job is no longer ours.

    ``skip_locked`` (the heartbeat, PostgreSQL): leave a row that a transaction has locked (the
    job's own checkpoint or completion) instead of waiting for it; that also answers False."""
    stmt = renewal(job, lease)
    if skip_locked and _postgres(session):
        mine = select(Job.id).where(_ours(job)).with_for_update(skip_locked=True)
        stmt = stmt.where(Job.id.in_(mine.scalar_subquery()))
    return session.execute(stmt).rowcount == 1


def release_expired(session: Session) -> dict[str, int]:
    """The auditor: jobs whose worker vanished (lease expired) go back to the queue, due now, or to
    dead when they have used up their attempts.

    On PostgreSQL a row locked by a live transaction (a job committing a checkpoint) is skipped,
    not waited for: its worker is alive, and the auditor never hangs on a stuck connection."""
    now = clock.now()
    stale = and_(Job.state == "running", Job.lease_expires_at < now)

    def expired(*where):
        if not _postgres(session):
            return and_(stale, *where)
        ids = select(Job.id).where(stale, *where).with_for_update(skip_locked=True)
        return Job.id.in_(ids.scalar_subquery())

    dead = session.execute(
        update(Job)
        .where(expired(Job.attempts >= Job.max_attempts))
        .values(
            state="dead",
            finished_at=now,
            updated_at=now,
            lease_token=None,
            last_error="lease expired on the last attempt (worker lost)",
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    requeued = session.execute(
        update(Job)
        .where(expired())
        .values(
            state="queued",
            due_at=now,
            updated_at=now,
            lease_owner=None,
            lease_token=None,
            lease_expires_at=None,
            last_error="lease expired (worker lost); requeued",
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    return {"requeued": requeued, "dead": dead}


def cancel(session: Session, job_id: int) -> bool:
    now = clock.now()
    result = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.state == "queued")
        .values(state="cancelled", finished_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(Job.state, func.count()).group_by(Job.state)).all()
    return {state: n for state, n in rows}

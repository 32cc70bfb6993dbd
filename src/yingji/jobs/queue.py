"""Enqueue, claim, finish and fail jobs.

Enqueueing is one ``INSERT`` in the caller's transaction, for one job or many (``enqueue_many``:
one statement for the lot; on PostgreSQL the rows travel as arrays through ``unnest``). A job due
now wakes idle workers when the transaction commits (``wakeup``: NOTIFY on PostgreSQL).

A worker claims several jobs in one statement (``claim_many``), each leased for its kind's
``lease_s`` (at most the configured ``YINGJI_JOB_LEASE_S``); those it claimed ahead wait for a runner
under a lease its heartbeat renews, and go back with ``hand_back`` when it stops, so a dead worker
holds at most the jobs it was running and those it had claimed ahead. A claim counts an attempt;
one on the job's last attempt made by a worker's pool leaves the row without ``lease_owner`` until
a runner records its start (``record_start``), so that the auditor gives the attempt back to a
job that a dead worker claimed but never started instead of marking it dead. Claiming reads the first due
rows of the partial index ``ix_jobs_queued`` (queued rows only, in claim order: priority, due time,
id), so it never sorts (``explain.claim_plan``); on PostgreSQL with ``FOR UPDATE SKIP LOCKED`` so any
number of workers share the queue without running a job twice; on SQLite the write transaction is
``BEGIN IMMEDIATE``, so claims are serialised. The auditor (``release_expired``) requeues running
jobs whose lease ran out.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Update, and_, case, func, literal, literal_column, null, or_, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from yingji.core import clock
from yingji.core.redact import redact
from yingji.core.types import UTCDateTime
from yingji.jobs import pgpass, wakeup
from yingji.jobs.models import Job, JobState

# Literals, not bound parameters: only then can either planner match the partial indexes
# (ix_jobs_queued, ix_jobs_running), also in a prepared statement's generic plan.
QUEUED = Job.state == literal_column("'queued'")
RUNNING = Job.state == literal_column("'running'")
CLAIM_ORDER = (Job.priority.desc(), Job.due_at, Job.id)


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
        "state": JobState.QUEUED,
        "priority": priority,
        "due_at": when,
        "attempts": 0,
        "max_attempts": max_attempts or (spec.max_attempts if spec else 5),
        "dedupe_key": dedupe_key,
        "created_at": now,
        "updated_at": now,
    }
    due_now = when <= now
    if _postgres(session):
        # Fixed SQL text on the session's connection: no statement to build and key per job.
        job_id = pgpass.insert_one(session, values, due_now)
    else:
        ins = sqlite_insert(Job)
        if dedupe_key is not None:
            ins = ins.on_conflict_do_nothing(index_elements=["dedupe_key"])
        job_id = session.execute(ins.values(**values).returning(Job.id)).scalar()
    if job_id is not None and due_now:
        wakeup.job_due(session)
    return job_id


def enqueue_many(
    session: Session,
    kind: str,
    payloads: Sequence[dict[str, Any] | None],
    *,
    dedupe_keys: Sequence[str | None] | None = None,
    due_at: datetime | None = None,
    delay: timedelta | None = None,
    priority: int = 0,
    max_attempts: int | None = None,
) -> list[int]:
    """Add one job of ``kind`` per payload in one statement, in the caller's transaction.

    ``dedupe_keys`` (one per payload, None for none) work as in ``enqueue``: a key already taken, or
    repeated in the batch, adds no job. Returns the ids of the jobs added (in no particular order).
    """
    from yingji.jobs import registry

    if dedupe_keys is not None and len(dedupe_keys) != len(payloads):
        raise ValueError("enqueue_many: one dedupe key (or None) per payload")
    if not payloads:
        return []
    now = clock.now()
    when = due_at or (now + delay if delay else now)
    spec = registry.get(kind)
    attempts_max = max_attempts or (spec.max_attempts if spec else 5)
    keys = list(dedupe_keys) if dedupe_keys is not None else [None] * len(payloads)
    if _postgres(session):
        due_now = when <= now
        ids = pgpass.insert_many(session, kind, payloads, keys, when, now, priority, attempts_max, due_now)
    else:
        rows = [
            {
                "kind": kind,
                "payload": payload or {},
                "state": JobState.QUEUED,
                "priority": priority,
                "due_at": when,
                "attempts": 0,
                "max_attempts": attempts_max,
                "dedupe_key": key,
                "created_at": now,
                "updated_at": now,
            }
            for payload, key in zip(payloads, keys, strict=True)
        ]
        ins = sqlite_insert(Job).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(Job.id)
        # Multi-row VALUES, as many rows per statement as SQLite's parameter limit allows.
        ids = list(session.execute(ins, rows).scalars())
    if ids and when <= now:
        wakeup.job_due(session)
    return ids


def claim(
    session: Session,
    worker: str,
    *,
    kinds: list[str] | None = None,
    max_lease_s: float | None = None,
) -> Claimed | None:
    """Take the next due job (priority, then due time, then id) and lease it from now for its
    kind's ``lease_s``, at most ``max_lease_s``. None when nothing is due."""
    jobs = claim_many(session, worker, 1, kinds=kinds, max_lease_s=max_lease_s)
    return jobs[0] if jobs else None


def claim_many(
    session: Session,
    worker: str,
    limit: int,
    *,
    kinds: list[str] | None = None,
    max_lease_s: float | None = None,
    ahead: bool = False,
) -> list[Claimed]:
    """Take up to ``limit`` due jobs in one statement, in claim order, each leased from now for its
    own kind's ``lease_s`` (at most ``max_lease_s``). A claimed job's lease runs from the claim: the
    caller renews it until it starts the job, or hands it back (``hand_back``). ``ahead``: the
    caller may not start them at once; a job on its last attempt is then claimed without
    ``lease_owner`` and must be started with ``record_start``."""
    from yingji.jobs import registry

    if limit < 1:
        return []
    now = clock.now()
    cap = registry.DEFAULT_LEASE_S if max_lease_s is None else max_lease_s
    token = secrets.token_hex(16)  # one per claim; (id, token) is what a worker holds
    stmt = _claim_statement(session, worker, limit, kinds, cap, now, token, ahead=ahead)
    rows = session.execute(stmt).all()
    rows.sort(key=lambda r: (-r.priority, r.due_at, r.id))  # RETURNING has no order
    return [
        Claimed(r.id, r.kind, r.payload, r.attempts, r.max_attempts, token, registry.lease_for(r.kind, cap))
        for r in rows
    ]


def _claim_statement(session, worker, limit, kinds, cap, now, token, *, ahead=False):
    due = select(Job.id).where(QUEUED, Job.due_at <= now)
    if kinds:
        due = due.where(Job.kind.in_(kinds))
    due = due.order_by(*CLAIM_ORDER).limit(limit)
    if _postgres(session):
        # A materialised CTE runs once: "id IN (SELECT … LIMIT n)" may be planned as a join that
        # re-runs the subquery and so claims (and locks) more rows than n.
        due = select(due.with_for_update(skip_locked=True).cte("claim_due").prefix_with("MATERIALIZED").c.id)
    return (
        update(Job)
        .where(Job.id.in_(due.scalar_subquery()), QUEUED)
        .values(
            state=JobState.RUNNING,
            lease_owner=_owner(worker, ahead),
            lease_token=token,
            lease_expires_at=_lease_ends(now, cap, kinds),
            attempts=Job.attempts + 1,
            updated_at=now,
        )
        .returning(
            Job.id,
            Job.kind,
            Job.payload,
            Job.attempts,
            Job.max_attempts,
            Job.priority,
            Job.due_at,
            *_no_flush_wait(session),
        )
        .execution_options(synchronize_session=False)
    )


def _owner(worker: str, ahead: bool):
    """None for a job claimed ahead on its last attempt, until its start (``record_start``)."""
    return case((Job.attempts + 1 >= Job.max_attempts, null()), else_=worker) if ahead else worker


def _no_flush_wait(session: Session) -> tuple:
    """PostgreSQL: the statement's own transaction commits without waiting for the WAL flush
    (``synchronous_commit`` off for that transaction only; a RETURNING column, so it neither changes
    the plan nor runs unless a row changed). For queue bookkeeping only: a claim or a no-op job's
    completion that a server crash loses leaves the job to run again, as a worker crash would; the
    order of commits is kept, so nothing is seen that a crash could take back out of order."""
    if not _postgres(session):
        return ()
    return (func.set_config("synchronous_commit", "off", True).label("no_flush_wait"),)


def _lease_ends(now: datetime, cap: float, kinds: Iterable[str] | None):
    """Each claimed row's lease end: its kind's lease (a CASE over the kinds whose lease is shorter
    than the cap), else the cap."""
    from yingji.jobs import registry

    shorter = {
        spec.kind: spec.lease_s
        for spec in registry.all_specs()
        if spec.lease_s < cap and (not kinds or spec.kind in kinds)
    }
    at = UTCDateTime()
    default = literal(now + timedelta(seconds=cap), at)
    if not shorter:
        return default
    whens = {kind: literal(now + timedelta(seconds=s), at) for kind, s in sorted(shorter.items())}
    return case(whens, value=Job.kind, else_=default)


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _ours(job: Claimed):
    return and_(Job.id == job.id, Job.lease_token == job.lease_token, Job.state == JobState.RUNNING)


def finish(session: Session, job: Claimed) -> bool:
    """Mark done, only if we still hold the lease. False means the lease was lost: roll back."""
    now = clock.now()
    result = session.execute(
        update(Job)
        .where(_ours(job))
        .values(state=JobState.DONE, finished_at=now, updated_at=now, lease_token=None, last_error=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def finish_many(session: Session, jobs: Sequence[Claimed]) -> set[int]:
    """Mark done, in one statement, jobs whose handlers wrote nothing (their completion is the only
    write, so it need not share their transaction); each only if we still hold its lease. Returns
    the ids marked done (a missing one had lost its lease)."""
    if not jobs:
        return set()
    return {r.id for r in session.execute(_finish_statement(session, jobs)).all()}


def finish_and_claim(
    session: Session,
    done: Sequence[Claimed],
    worker: str,
    limit: int,
    *,
    kinds: list[str] | None = None,
    max_lease_s: float | None = None,
) -> tuple[set[int], list[Claimed]]:
    """``finish_many(done)`` then ``claim_many(limit, ahead=True)``: a worker's pass. On PostgreSQL
    in ONE statement (two data-modifying CTEs: the rows they change are disjoint, running and queued)."""
    from yingji.jobs import registry

    if limit < 1 or not _postgres(session):
        return finish_many(session, done), claim_many(
            session, worker, limit, kinds=kinds, max_lease_s=max_lease_s, ahead=True
        )
    cap = registry.DEFAULT_LEASE_S if max_lease_s is None else max_lease_s
    token = secrets.token_hex(16)
    shorter = {
        spec.kind: spec.lease_s
        for spec in registry.all_specs()
        if spec.lease_s < cap and (not kinds or spec.kind in kinds)
    }
    params = pgpass.params(list(done), worker, limit, kinds, cap, clock.now(), token, shorter)
    rows = session.execute(pgpass.statement(bool(kinds)), params).all()
    finished = {r.id for r in rows if r.kind is None}
    rows = sorted((r for r in rows if r.kind is not None), key=lambda r: (-r.priority, r.due_at, r.id))
    claimed = [
        Claimed(r.id, r.kind, r.payload, r.attempts, r.max_attempts, token, registry.lease_for(r.kind, cap))
        for r in rows
    ]
    return finished, claimed


def _held(jobs: Sequence[Claimed]):
    """Running rows of ``jobs`` still under our lease (one IN list per claim's token)."""
    by_token: dict[str, list[int]] = {}
    for job in jobs:
        by_token.setdefault(job.lease_token, []).append(job.id)
    return and_(RUNNING, or_(*(and_(Job.lease_token == t, Job.id.in_(ids)) for t, ids in by_token.items())))


def _finish_statement(session: Session, jobs: Sequence[Claimed]):
    now = clock.now()
    return (
        update(Job)
        .where(_held(jobs))
        .values(state=JobState.DONE, finished_at=now, updated_at=now, lease_token=None, last_error=None)
        .returning(Job.id, *_no_flush_wait(session))
        .execution_options(synchronize_session=False)
    )


def last_attempt(job: Claimed) -> bool:
    """Claimed on its last attempt: when claimed ahead, its start must be recorded (``record_start``)."""
    return job.attempts >= job.max_attempts


def record_start(session: Session, job: Claimed, worker: str) -> bool:
    """A runner is about to start a job claimed ahead on its last attempt: from now on a lease that
    runs out means it ran (the auditor marks it dead), no longer that it was only held. Committed
    before the handler runs; False (do not start it) when the lease is no longer ours."""
    stmt = update(Job).where(_ours(job)).values(lease_owner=worker)
    return session.execute(stmt.execution_options(synchronize_session=False)).rowcount == 1


def hand_back(session: Session, jobs: Sequence[Claimed]) -> set[int]:
    """Return claimed jobs that were never started to the queue, in one statement: queued again
    with their due time and attempts as before the claim, so they run next (here or elsewhere)
    without waiting for the auditor. Only jobs we still hold; returns the ids handed back."""
    if not jobs:
        return set()
    back = {"state": JobState.QUEUED, "lease_owner": None, "lease_token": None, "lease_expires_at": None}
    stmt = (
        update(Job)
        .where(_held(jobs))
        .values(attempts=Job.attempts - 1, updated_at=clock.now(), **back)
        .returning(Job.id)
        .execution_options(synchronize_session=False)
    )
    if _postgres(session):
        stmt = stmt.returning(func.pg_notify(wakeup.CHANNEL, ""))  # other workers' idle ends
    handed = {r.id for r in session.execute(stmt).all()}
    if handed:
        wakeup.job_due(session)
    return handed


def fail(session: Session, job: Claimed, error: str, retry_in: timedelta) -> str:
    """Record a failure: back to the queue after ``retry_in``, or dead after the last attempt.

    Returns the new state, or ``"lost"`` when the lease was lost (nothing is changed then).
    """
    now = clock.now()
    dead = job.attempts >= job.max_attempts
    values: dict[str, Any] = {
        "state": JobState.DEAD if dead else JobState.QUEUED,
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
    dead when they have used up their attempts. A job claimed ahead on its last attempt and never
    started (no ``lease_owner``, see ``record_start``) gets that attempt back and is queued again.

    On PostgreSQL a row locked by a live transaction (a job committing a checkpoint) is skipped,
    not waited for: its worker is alive, and the auditor never hangs on a stuck connection."""
    now = clock.now()
    stale = and_(RUNNING, Job.lease_expires_at < now)

    def expired(*where):
        if not _postgres(session):
            return and_(stale, *where)
        ids = select(Job.id).where(stale, *where).with_for_update(skip_locked=True)
        return Job.id.in_(ids.scalar_subquery())

    unstarted = and_(Job.lease_owner.is_(None), Job.attempts >= Job.max_attempts)
    dead = session.execute(
        update(Job)
        .where(expired(Job.attempts >= Job.max_attempts, Job.lease_owner.is_not(None)))
        .values(
            state=JobState.DEAD,
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
            state=JobState.QUEUED,
            attempts=case((unstarted, Job.attempts - 1), else_=Job.attempts),
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
        .where(Job.id == job_id, Job.state == JobState.QUEUED)
        .values(state=JobState.CANCELLED, finished_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(Job.state, func.count()).group_by(Job.state)).all()
    return {state: n for state, n in rows}

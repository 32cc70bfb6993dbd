"""The worker: claims due jobs one at a time as it starts them, runs their handlers under a
renewed lease (heartbeat, checkpoints), retries with backoff, audits expired leases.

Run as ``yingji worker`` (any number of processes on PostgreSQL) or as the one in-process
thread that ``yingji serve`` starts on SQLite. ``YINGJI_JOB_LEASE_S`` (the longest lease) and
``YINGJI_JOB_AUDIT_S`` (the auditor's interval) bound how long a dead worker's job waits.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import traceback
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from yingji.core import clock
from yingji.core.db import Actor, Database
from yingji.core.errors import DatabaseBusy
from yingji.core.overload import REQUEST_WAIT
from yingji.jobs import queue, registry

log = logging.getLogger("yingji.worker")


class Worker:
    def __init__(
        self,
        db: Database,
        *,
        name: str | None = None,
        kinds: list[str] | None = None,
        batch: int = 10,
        idle_sleep_s: float = 0.5,
        audit_every_s: float | None = None,
        lease_s: float | None = None,
    ) -> None:
        self.db = db
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident() % 10000}"
        self.kinds = kinds
        self.batch = batch
        self.idle_sleep_s = idle_sleep_s
        extra = db.settings.extra
        # The longest lease any job takes, and how often this worker looks for expired ones.
        self.lease_s = _positive(lease_s, extra.get("job_lease_s"), registry.DEFAULT_LEASE_S)
        self.audit_every_s = _positive(audit_every_s, extra.get("job_audit_s"), registry.DEFAULT_AUDIT_S)
        self.stopping = threading.Event()
        self._last_audit = 0.0
        self.processed = 0
        registry.load_all()

    # -- one pass -------------------------------------------------------------------------
    def run_once(self) -> int:
        """Run up to ``batch`` due jobs, each claimed (and leased) only when it starts; returns
        how many ran."""
        ran = 0
        while ran < self.batch and not self.stopping.is_set():
            self._maybe_audit()
            with self.db.writing(Actor.system("worker")) as session:
                job = queue.claim(session, self.name, kinds=self.kinds, max_lease_s=self.lease_s)
            if job is None:
                break
            ran += 1
            self._run(job)
        return ran

    def run_until_idle(self, max_rounds: int = 10_000) -> int:
        """Process until no job is due (tests and ``yingji worker --once``)."""
        total = 0
        for _ in range(max_rounds):
            n = self.run_once()
            total += n
            if n == 0:
                break
        return total

    def run_forever(self) -> None:
        log.info("worker %s started", self.name)
        self.ensure_periodic()
        while not self.stopping.is_set():
            try:
                n = self.run_once()
            except Exception:  # the database may be restarting; keep the worker alive
                log.exception("worker pass failed")
                n = 0
            if n == 0:
                self.stopping.wait(self.idle_sleep_s)
        log.info("worker %s stopped after %d jobs", self.name, self.processed)

    def stop(self) -> None:
        self.stopping.set()

    # -- internals ------------------------------------------------------------------------
    def _run(self, job: queue.Claimed) -> None:
        spec = registry.get(job.kind)
        if spec is None:
            with self.db.writing(Actor.system("worker")) as session:
                queue.fail(session, job, f"no handler for kind {job.kind!r}", timedelta(hours=1))
            return
        lease = timedelta(seconds=job.lease_s)
        heartbeat = _Heartbeat(self.db, job, lease)
        heartbeat.start()
        error: str | None = None
        lost = False
        try:
            with self.db.write_sessions() as session:
                session.info["actor"] = Actor.system(f"job:{job.kind}")
                ctx = registry.JobContext(
                    job.id,
                    job.kind,
                    job.payload,
                    job.attempts,
                    self.name,
                    _checkpoint=lambda: _checkpoint(session, job, lease),
                )
                try:
                    spec.fn(session, ctx)
                    if queue.finish(session, job):
                        session.commit()
                        self.processed += 1
                    else:
                        lost = True
                        session.rollback()
                except registry.LeaseLost:
                    lost = True
                    session.rollback()
                except Exception:
                    session.rollback()
                    error = traceback.format_exc()
        finally:
            heartbeat.stop()
        if lost:
            # Another worker has the job now; it does what this one rolled back.
            log.warning(
                "job %s (%s) lost its lease; work since its last checkpoint rolled back", job.id, job.kind
            )
            return
        if error is not None:
            log.warning("job %s (%s) failed on attempt %d", job.id, job.kind, job.attempts)
            with self.db.writing(Actor.system("worker")) as session:
                state = queue.fail(
                    session,
                    job,
                    error,
                    timedelta(seconds=registry.backoff_seconds(spec, job.attempts)),
                )
            if state == "dead":
                log.error("job %s (%s) is dead after %d attempts", job.id, job.kind, job.attempts)
                if spec.period is not None:
                    self._schedule_next(spec)  # a dead run must not end the schedule
        elif spec.period is not None:
            self._schedule_next(spec)

    def _maybe_audit(self) -> None:
        t = clock.now().timestamp()
        if t - self._last_audit < self.audit_every_s:
            return
        self._last_audit = t
        with self.db.writing(Actor.system("job-auditor")) as session:
            result = queue.release_expired(session)
        if any(result.values()):
            log.warning("auditor released expired leases: %s", result)

    def ensure_periodic(self) -> None:
        for spec in registry.all_specs():
            if spec.period is not None:
                self._schedule_next(spec)

    def _schedule_next(self, spec: registry.HandlerSpec) -> None:
        """One row per period slot; the dedupe key keeps concurrent workers from doubling it."""
        period = spec.period.total_seconds()
        slot = int(clock.now().timestamp() // period) + 1
        due = datetime.fromtimestamp(slot * period, UTC)
        with self.db.writing(Actor.system("worker")) as session:
            queue.enqueue(session, spec.kind, {}, due_at=due, dedupe_key=f"{spec.kind}@{slot}")


def _positive(*values) -> float:
    """The first value given (an argument, then a setting, then the default), as seconds > 0."""
    value = float(next(v for v in values if v not in (None, "")))
    if value <= 0:
        raise ValueError(f"job lease and audit intervals must be positive seconds, not {value}")
    return value


def _checkpoint(session: Session, job: queue.Claimed, lease: timedelta) -> None:
    """ctx.checkpoint(): renew the lease in the job's transaction and commit it with the work so
    far, so that no step commits unless this worker still held the job when it did."""
    if not queue.extend_lease(session, job, lease):
        session.rollback()
        raise registry.LeaseLost(f"job {job.id} is no longer leased to this worker")
    session.commit()


class _Heartbeat:
    """Renews a running job's lease every third of it from its own connection, so a job may run
    for any length of time and only a dead (or cut-off) worker loses it.

    It never waits long for a lock. On PostgreSQL a job row locked by a transaction (the job's own
    checkpoint or completion) is skipped. On SQLite the job's transaction holds the database's
    write lock from its first statement to its commit; while it does, no other worker can take the
    job either, so a beat that cannot get the lock within a moment is simply skipped.
    """

    def __init__(self, db: Database, job: queue.Claimed, lease: timedelta) -> None:
        self.db, self.job, self.lease = db, job, lease
        self.interval = lease.total_seconds() / 3
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._beat, name=f"lease-{self.job.id}", daemon=True)
        self._thread.start()

    def _beat(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                if self.db.kind == "sqlite":
                    self._renew_sqlite()
                else:
                    with self.db.writing(Actor.system("worker")) as session:
                        queue.extend_lease(session, self.job, self.lease, skip_locked=True)
            except OperationalError as exc:
                if "locked" in str(exc):
                    log.debug("lease heartbeat of job %s skipped: the database is locked", self.job.id)
                else:
                    log.warning("lease heartbeat failed for job %s: %s", self.job.id, exc)
            except Exception:
                log.exception("lease heartbeat failed for job %s", self.job.id)

    def _renew_sqlite(self) -> None:
        wait_s = min(self.interval / 2, 1.0)
        # The process's write gate (core.overload) is waited on as briefly as the database lock.
        token = REQUEST_WAIT.set(wait_s)
        try:
            with self.db.engine.connect() as conn:
                # The pragmas go through the driver connection (autocommit): no BEGIN, no waiting.
                raw = conn.connection.dbapi_connection
                previous = raw.execute("PRAGMA busy_timeout").fetchone()[0]
                raw.execute(f"PRAGMA busy_timeout = {int(wait_s * 1000)}")
                try:
                    conn.execution_options(sqlite_begin="IMMEDIATE")
                    conn.execute(queue.renewal(self.job, self.lease))
                    conn.commit()
                finally:
                    raw.execute(f"PRAGMA busy_timeout = {int(previous)}")
        except DatabaseBusy:
            log.debug("lease heartbeat of job %s skipped: a write is in progress", self.job.id)
        finally:
            REQUEST_WAIT.reset(token)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)


def start_background(db: Database) -> Worker:
    """The in-process worker thread of ``yingji serve`` on SQLite."""
    worker = Worker(db, name=f"inproc:{os.getpid()}")
    threading.Thread(target=worker.run_forever, name="yingji-worker", daemon=True).start()
    return worker

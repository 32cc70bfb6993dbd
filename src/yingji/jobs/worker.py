"""The worker: claims due jobs, runs their handlers, retries with backoff, audits leases.

Run as ``yingji worker`` (any number of processes on PostgreSQL) or as the one in-process
thread that ``yingji serve`` starts on SQLite.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import traceback
from datetime import UTC, datetime, timedelta

from yingji.core import clock
from yingji.core.db import Actor, Database
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
        audit_every_s: float = 15.0,
    ) -> None:
        self.db = db
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident() % 10000}"
        self.kinds = kinds
        self.batch = batch
        self.idle_sleep_s = idle_sleep_s
        self.audit_every_s = audit_every_s
        self.stopping = threading.Event()
        self._last_audit = 0.0
        self.processed = 0
        registry.load_all()

    # -- one pass -------------------------------------------------------------------------
    def run_once(self) -> int:
        """Claim and run one batch of due jobs; returns how many were claimed."""
        self._maybe_audit()
        with self.db.writing(Actor.system("worker")) as session:
            claimed = queue.claim(session, self.name, limit=self.batch, kinds=self.kinds, lease=self._lease())
        for job in claimed:
            if self.stopping.is_set():
                # Give the rest back at once rather than waiting for their leases to expire;
                # they never ran, so this uses up none of their attempts.
                with self.db.writing(Actor.system("worker")) as session:
                    queue.release(session, job)
                continue
            self._run(job)
        return len(claimed)

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
    def _lease(self) -> timedelta:
        longest = max((s.lease_s for s in registry.all_specs()), default=60.0)
        return timedelta(seconds=longest)

    def _run(self, job: queue.Claimed) -> None:
        spec = registry.get(job.kind)
        if spec is None:
            with self.db.writing(Actor.system("worker")) as session:
                queue.fail(session, job, f"no handler for kind {job.kind!r}", timedelta(hours=1))
            return
        # The batch was claimed with the longest lease of any kind. From here on the job holds
        # its own kind's lease (kept alive by the heartbeat on PostgreSQL), so a worker that
        # dies mid-job is noticed after lease_s; and a job whose lease ran out while it waited
        # in the batch (the auditor gave it to another worker) is not run a second time.
        lease = timedelta(seconds=spec.lease_s)
        with self.db.writing(Actor.system("worker")) as session:
            if not queue.extend_lease(session, job, lease):
                log.warning("job %s lost its lease before it started; skipped", job.id)
                return
        ctx = registry.JobContext(job.id, job.kind, job.payload, job.attempts, self.name)
        heartbeat = _Heartbeat(self.db, job, lease)
        heartbeat.start()
        error: str | None = None
        try:
            with self.db.write_sessions() as session:
                session.info["actor"] = Actor.system(f"job:{job.kind}")
                try:
                    spec.fn(session, ctx)
                    if queue.finish(session, job):
                        session.commit()
                        self.processed += 1
                    else:
                        log.warning("job %s lost its lease; its work is rolled back", job.id)
                        session.rollback()
                except Exception:
                    session.rollback()
                    error = traceback.format_exc()
        finally:
            heartbeat.stop()
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


class _Heartbeat:
    """Keeps a running job's lease alive on PostgreSQL, so only a dead worker loses it.

    On SQLite there is one worker, whose auditor never runs while it is in a job, and a job's
    own transaction holds the write lock once it writes; there is no heartbeat, so a job should
    finish within its kind's ``lease_s``.
    """

    def __init__(self, db: Database, job: queue.Claimed, lease: timedelta) -> None:
        self.db, self.job, self.lease = db, job, lease
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self.db.kind != "postgresql":
            return
        self._thread = threading.Thread(target=self._beat, daemon=True)
        self._thread.start()

    def _beat(self) -> None:
        while not self._stop.wait(self.lease.total_seconds() / 3):
            try:
                with self.db.writing(Actor.system("worker")) as session:
                    queue.extend_lease(session, self.job, self.lease)
            except Exception:
                log.exception("lease heartbeat failed for job %s", self.job.id)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)


def start_background(db: Database) -> Worker:
    """The in-process worker thread of ``yingji serve`` on SQLite."""
    worker = Worker(db, name=f"inproc:{os.getpid()}")
    threading.Thread(target=worker.run_forever, name="yingji-worker", daemon=True).start()
    return worker

"""The worker: claims due jobs, runs their handlers under a renewed lease (heartbeat,
checkpoints), retries with backoff, audits expired leases.

A worker has ``concurrency`` runner threads (one by default) and a claim loop. The loop claims in
one statement up to one job per runner plus ``prefetch`` more (PostgreSQL; none ahead on SQLite,
where claims serialise anyway); the runners take them in claim order from a local queue
(``ahead.Ahead``), whose leases the heartbeat renews until they start; on stop the ones not
started go back to the queue at once (``queue.hand_back``). A job whose handler wrote nothing is
marked done by the loop's next pass, in the claim's statement (``queue.finish_and_claim``). When
nothing is due the loop sleeps until a job is enqueued (``wakeup``: in process, and by LISTEN/NOTIFY
on PostgreSQL) or ``idle_sleep_s`` passes. One heartbeat thread renews the leases of all the jobs it
holds. ``run_once``/``run_until_idle`` (tests, ``yingji worker --once``) run jobs one by one in the
calling thread, each claimed as it starts.

Run as ``yingji worker`` (any number of processes on PostgreSQL) or as the one in-process
thread that ``yingji serve`` starts on SQLite. ``YINGJI_JOB_LEASE_S`` (the longest lease) and
``YINGJI_JOB_AUDIT_S`` (the auditor's interval) bound how long a dead worker's job waits.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from yingji.core import clock
from yingji.core.db import Actor, Database
from yingji.jobs import queue, registry, wakeup
from yingji.jobs.ahead import Ahead
from yingji.jobs.heartbeat import Heartbeats
from yingji.jobs.models import JobState

log = logging.getLogger("yingji.worker")
# PostgreSQL: jobs claimed ahead per runner, at most PREFETCH_MAX in all. A claim's round trip costs
# as much as running a few dozen no-op jobs, so it must bring that many (our drain alone, 20,000 no-op
# jobs, 4 runners: ~4.5k jobs/s at 1 per runner, ~8k at 4, ~11k at 8); a dead worker's claimed-ahead
# jobs wait for lease + audit.
PREFETCH_PER_RUNNER = 4
PREFETCH_MAX = 32
HOLD_S = 1.0  # a runner keeps its connection between jobs this close together


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
        concurrency: int = 1,
        prefetch: int | None = None,
    ) -> None:
        self.db = db
        self.concurrency = max(1, concurrency)
        if prefetch is None:
            ahead = min(PREFETCH_PER_RUNNER * self.concurrency, PREFETCH_MAX)
            prefetch = ahead if db.kind == "postgresql" else 0
        self.prefetch = max(0, prefetch)
        self.ahead: Ahead | None = None
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
        self._count_lock = threading.Lock()
        self.heartbeats = Heartbeats(db)
        self._local = threading.local()  # each thread's held connection
        registry.load_all()

    # -- one pass -------------------------------------------------------------------------
    def run_once(self) -> int:
        """Run up to ``batch`` due jobs, each claimed (and leased) only when it starts; returns
        how many ran."""
        try:
            return self._pass()
        finally:
            self._release()

    def _pass(self) -> int:
        ran = 0
        while ran < self.batch and not self.stopping.is_set():
            self._maybe_audit()
            with self._writing(Actor.system("worker")) as session:
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
        log.info("worker %s started (%d runners)", self.name, self.concurrency)
        wakeup.listen(self.db.settings.database_url)
        self.ensure_periodic()
        self._run_pool()
        self.heartbeats.close()
        log.info("worker %s stopped after %d jobs", self.name, self.processed)

    def _run_pool(self) -> None:
        """Runner threads taking claimed jobs from ``self.ahead`` themselves, and this loop: it
        claims when the waiting jobs run low (up to ``prefetch`` beyond one per runner), marks done in
        the same statement the jobs run since its last pass that wrote nothing, and at the end hands
        back what no runner started."""
        ahead = self.ahead = Ahead(self.concurrency, self.prefetch)
        self.heartbeats.watcher = ahead
        wakeup.LOCAL.subscribe(ahead.poke)

        def runner() -> None:
            while (job := ahead.take()) is not None:
                nothing = False
                try:
                    if queue.last_attempt(job) and not self._record_start(job):
                        ahead.finished(None)
                        continue
                    nothing = self._run(job, pooled=True)
                except Exception:  # the database may be restarting: the lease brings it back
                    log.exception("job %s (%s): its outcome was not recorded", job.id, job.kind)
                    self.heartbeats.remove(job)
                    self._release()
                ahead.finished(job if nothing else None)
            self._release()

        threads = [
            threading.Thread(target=runner, name=f"{self.name}/{i}", daemon=True)
            for i in range(self.concurrency)
        ]
        for thread in threads:
            thread.start()
        try:
            while not self.stopping.is_set():
                ahead.wait_for_pass(0.25)
                if not self.stopping.is_set():
                    self._claim_pass(ahead)
        finally:
            wakeup.LOCAL.unsubscribe(ahead.poke)
            unstarted = ahead.close()  # each runner finishes its job, then stops
            self._hand_back(unstarted + ahead.take_stale())
            for thread in threads:
                thread.join()
            try:
                self._finish_ran(ahead.take_ran())
            except Exception:  # their leases run out and they run again
                log.exception("recording finished jobs failed")
            self._release()

    def _claim_pass(self, ahead: Ahead) -> None:
        self._hand_back(ahead.take_stale())
        done, room = ahead.take_ran(), ahead.room()
        jobs: list[queue.Claimed] = []
        try:
            self._maybe_audit()
            since = time.monotonic()
            # the jobs run since the last pass are marked done with this claim
            with self._writing(Actor.system("worker"), autocommit=True) as session:
                finished, jobs = queue.finish_and_claim(
                    session, done, self.name, room, kinds=self.kinds, max_lease_s=self.lease_s
                )
            self._count_finished(done, finished)
            done = []
        except Exception:  # the database may be restarting; keep the worker alive
            log.exception("worker pass failed")
        ahead.put_back_ran(done)  # not recorded: the next pass tries again
        if jobs:
            self.heartbeats.add_many(jobs, since)
            ahead.add(jobs, since)
        if len(jobs) < room:
            ahead.idle(self.idle_sleep_s)

    def _record_start(self, job: queue.Claimed) -> bool:
        """A job claimed ahead on its last attempt: its start is committed before it runs (else a
        dead worker's unstarted one would go dead). False: its lease is lost, it is not started."""
        with self._writing(Actor.system("worker")) as session:
            started = queue.record_start(session, job, self.name)
        if not started:
            self.heartbeats.remove(job)
            log.warning("job %s (%s) lost its lease before it started", job.id, job.kind)
        return started

    def _hand_back(self, jobs: list[queue.Claimed]) -> None:
        """Claimed jobs no runner will start go back to the queue at once (a lost lease changes nothing)."""
        if not jobs:
            return
        self.heartbeats.remove_many(jobs)
        try:
            with self._writing(Actor.system("worker")) as session:
                queue.hand_back(session, jobs)
        except Exception:  # their leases run out and the auditor requeues them
            log.exception("handing back %d unstarted jobs failed", len(jobs))

    def _finish_ran(self, done: list[queue.Claimed]) -> None:
        """Mark done, in one statement, the jobs the runners ran that wrote nothing."""
        if done:
            with self._writing(Actor.system("worker"), autocommit=True) as session:
                finished = queue.finish_many(session, done)
            self._count_finished(done, finished)

    def _count_finished(self, done: list[queue.Claimed], finished: set[int]) -> None:
        self.heartbeats.remove_many(done)  # renewed until their `done` was written
        with self._count_lock:
            self.processed += len(finished)
        for job in done:
            if job.id not in finished:
                log.warning("job %s (%s) lost its lease before it was marked done", job.id, job.kind)

    def stop(self) -> None:
        self.stopping.set()
        if self.ahead is not None:
            self.ahead.poke()

    # -- internals ------------------------------------------------------------------------
    def _run(self, job: queue.Claimed, *, pooled: bool = False) -> bool:
        """Run a job's handler; its completion is written in the handler's transaction. ``pooled``
        (a job of the pool, already under the heartbeat): when the handler wrote nothing, returns
        True and leaves its completion to the claim loop (batched), the heartbeat renewing it till then."""
        spec = registry.get(job.kind)
        if spec is None:
            self.heartbeats.remove(job)
            with self.db.writing(Actor.system("worker")) as session:
                queue.fail(session, job, f"no handler for kind {job.kind!r}", timedelta(hours=1))
            return False
        lease = timedelta(seconds=job.lease_s)
        if not pooled:
            self.heartbeats.add(job)
        error: str | None = None
        lost = nothing = False
        try:
            with self._session() as session:
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
                    if pooled and _wrote_nothing(session):
                        nothing = True  # nothing to commit with it: marked done in a batch
                    elif queue.finish(session, job):
                        session.commit()
                        with self._count_lock:
                            self.processed += 1
                    else:
                        lost = True
                        session.rollback()
                except registry.LeaseLost:
                    lost = True
                    session.rollback()
                except Exception as exc:
                    session.rollback()
                    error = traceback.format_exc()
                    if isinstance(exc, DBAPIError):
                        self._release()
        finally:
            if not nothing:
                self.heartbeats.remove(job)
        if lost:
            # Another worker has the job now; it does what this one rolled back.
            log.warning(
                "job %s (%s) lost its lease; work since its last checkpoint rolled back", job.id, job.kind
            )
            return False
        if error is not None:
            log.warning("job %s (%s) failed on attempt %d\n%s", job.id, job.kind, job.attempts, error)
            with self.db.writing(Actor.system("worker")) as session:
                state = queue.fail(
                    session,
                    job,
                    error,
                    timedelta(seconds=registry.backoff_seconds(spec, job.attempts)),
                )
            if state == JobState.DEAD:
                log.error("job %s (%s) is dead after %d attempts", job.id, job.kind, job.attempts)
                if spec.period is not None:
                    self._schedule_next(spec)  # a dead run must not end the schedule
        elif spec.period is not None:
            self._schedule_next(spec)
        return nothing

    def _session(self, *, autocommit: bool = False) -> Session:
        """A write session on this thread's held connection. Jobs back to back (within ``HOLD_S``)
        share one connection, so a busy runner neither hands it back to the pool (a ROLLBACK) nor
        takes it again (the pool's pre-ping) for every job; idle longer, or after a database error,
        it goes back and the next job takes a fresh, pinged one."""
        held = self._local
        conn, now = getattr(held, "conn", None), time.monotonic()
        if conn is not None and (conn.invalidated or conn.closed or now - held.last > HOLD_S):
            self._release()
            conn = None
        if conn is None:
            conn = held.conn = self.db.write_sessions.kw["bind"].connect()
            held.autocommit = None
        held.last = now
        if self.db.kind == "postgresql" and held.autocommit is not autocommit:
            # The claim loop's one statement needs no BEGIN and COMMIT round trips of its own: on
            # PostgreSQL a single statement is its own transaction (SKIP LOCKED included).
            level = "AUTOCOMMIT" if autocommit else conn.default_isolation_level
            conn.execution_options(isolation_level=level)
            held.autocommit = autocommit
        return self.db.write_sessions(bind=conn)

    def _release(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # pragma: no cover - a dead connection is dropped by the pool
                log.debug("closing a held connection failed", exc_info=True)

    @contextmanager
    def _writing(self, actor: Actor, *, autocommit: bool = False) -> Iterator[Session]:
        """``db.writing`` on this thread's held connection (``autocommit``: one statement, its own
        transaction, on PostgreSQL)."""
        with self._session(autocommit=autocommit) as session:
            session.info["actor"] = actor
            try:
                yield session
                session.commit()
            except BaseException as exc:
                session.rollback()
                if isinstance(exc, DBAPIError):
                    self._release()
                raise

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


def _wrote_nothing(session: Session) -> bool:
    """The handler left no transaction open and nothing pending (a checkpoint committed whatever
    came before it)."""
    return not session.in_transaction() and not (session.new or session.dirty or session.deleted)


def _checkpoint(session: Session, job: queue.Claimed, lease: timedelta) -> None:
    """ctx.checkpoint(): renew the lease in the job's transaction and commit it with the work so
    far, so that no step commits unless this worker still held the job when it did."""
    if not queue.extend_lease(session, job, lease):
        session.rollback()
        raise registry.LeaseLost(f"job {job.id} is no longer leased to this worker")
    session.commit()


def start_background(db: Database) -> Worker:
    """The in-process worker thread of ``yingji serve`` on SQLite."""
    worker = Worker(db, name=f"inproc:{os.getpid()}")
    threading.Thread(target=worker.run_forever, name="yingji-worker", daemon=True).start()
    return worker

"""The worker: claims due jobs as it starts them, runs their handlers under a renewed lease
(heartbeat, checkpoints), retries with backoff, audits expired leases.

A worker has ``concurrency`` runner threads (one by default) and a claim loop: it waits for free
runners, claims one job per free runner in one statement, and hands each to its runner at once (a
job is never claimed to wait in line). A job whose handler wrote nothing is marked done by the
loop's next pass, in the claim's statement (``queue.finish_and_claim``). When nothing is due the loop sleeps
until a job is enqueued (``wakeup``: in process, and by LISTEN/NOTIFY on PostgreSQL) or
``idle_sleep_s`` passes. One heartbeat thread renews the leases of all the jobs it runs.
``run_once``/``run_until_idle`` (tests, ``yingji worker --once``) run jobs one by one in the
calling thread.

Run as ``yingji worker`` (any number of processes on PostgreSQL) or as the one in-process
thread that ``yingji serve`` starts on SQLite. ``YINGJI_JOB_LEASE_S`` (the longest lease) and
``YINGJI_JOB_AUDIT_S`` (the auditor's interval) bound how long a dead worker's job waits.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import os
import queue as stdqueue
import socket
import threading
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from yingji.core import clock
from yingji.core.db import Actor, Database
from yingji.core.errors import DatabaseBusy
from yingji.core.overload import REQUEST_WAIT
from yingji.jobs import queue, registry, wakeup
from yingji.jobs.models import JobState

log = logging.getLogger("yingji.worker")
LINGER_S = 30.0  # an idle heartbeat thread ends after this long without jobs
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
    ) -> None:
        self.db = db
        self.concurrency = max(1, concurrency)
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
        self.heartbeats = _Heartbeats(db)
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

    def _idle(self, seen: int) -> None:
        """Nothing due: wait for an enqueue (or a stop), at most ``idle_sleep_s``."""
        deadline = time.monotonic() + self.idle_sleep_s
        while not self.stopping.is_set():
            left = deadline - time.monotonic()
            # Short slices, so a stop is seen promptly without a second signal to wait on.
            if left <= 0 or wakeup.LOCAL.wait(seen, min(left, 0.25)):
                return

    def _run_pool(self) -> None:
        """Runner threads fed by this loop: it claims one job per free runner, several in one
        statement when several are free, and hands each to its runner at once."""
        free: stdqueue.SimpleQueue[stdqueue.SimpleQueue] = stdqueue.SimpleQueue()
        # Jobs whose handlers wrote nothing: marked done together by the loop's next pass (a runner
        # puts its job here before it reports free, so that pass sees it).
        ran: stdqueue.SimpleQueue[queue.Claimed] = stdqueue.SimpleQueue()

        def runner(inbox: stdqueue.SimpleQueue) -> None:
            while (job := inbox.get()) is not None:
                try:
                    self._run(job, ran)
                except Exception:  # the database may be restarting: the lease brings it back
                    log.exception("job %s (%s): its outcome was not recorded", job.id, job.kind)
                    self._release()
                free.put(inbox)
            self._release()

        inboxes = [stdqueue.SimpleQueue() for _ in range(self.concurrency)]
        threads = [
            threading.Thread(target=runner, args=(box,), name=f"{self.name}/{i}", daemon=True)
            for i, box in enumerate(inboxes)
        ]
        for box, thread in zip(inboxes, threads, strict=True):
            thread.start()
            free.put(box)
        while not self.stopping.is_set():
            try:
                slots = [free.get(timeout=0.25)]
            except stdqueue.Empty:  # every runner busy: audit meanwhile
                try:
                    self._maybe_audit()
                except Exception:
                    log.exception("worker audit failed")
                continue
            while True:  # every runner free right now
                try:
                    slots.append(free.get_nowait())
                except stdqueue.Empty:
                    break
            seen = wakeup.LOCAL.generation
            jobs: list[queue.Claimed] = []
            done = _take_all(ran)
            try:
                self._maybe_audit()
                if not self.stopping.is_set():
                    # the jobs run since the last pass are marked done with this claim
                    with self._writing(Actor.system("worker"), autocommit=True) as session:
                        finished, jobs = queue.finish_and_claim(
                            session, done, self.name, len(slots), kinds=self.kinds, max_lease_s=self.lease_s
                        )
                    self._count_finished(done, finished)
                    done = []
            except Exception:  # the database may be restarting; keep the worker alive
                log.exception("worker pass failed")
            for job in done:  # not recorded: the next pass tries again
                ran.put(job)
            for job, slot in zip(jobs, slots, strict=False):
                slot.put(job)
            for slot in slots[len(jobs) :]:
                free.put(slot)
            if len(jobs) < len(slots):
                self._idle(seen)
        for box in inboxes:  # each runner finishes its job, then stops
            box.put(None)
        for thread in threads:
            thread.join()
        try:
            self._finish_ran(ran)
        except Exception:  # their leases run out and they run again
            log.exception("recording finished jobs failed")
        self._release()

    def _finish_ran(self, ran: stdqueue.SimpleQueue) -> None:
        """Mark done, in one statement, the jobs the runners ran that wrote nothing."""
        done = _take_all(ran)
        if done:
            with self._writing(Actor.system("worker"), autocommit=True) as session:
                finished = queue.finish_many(session, done)
            self._count_finished(done, finished)

    def _count_finished(self, done: list[queue.Claimed], finished: set[int]) -> None:
        with self._count_lock:
            self.processed += len(finished)
        for job in done:
            if job.id not in finished:
                log.warning("job %s (%s) lost its lease before it was marked done", job.id, job.kind)

    def stop(self) -> None:
        self.stopping.set()

    # -- internals ------------------------------------------------------------------------
    def _run(self, job: queue.Claimed, ran: stdqueue.SimpleQueue | None = None) -> None:
        """Run a job's handler; its completion is written in the handler's transaction, or, when the
        handler wrote nothing and ``ran`` is given, handed to ``ran`` to be written in a batch."""
        spec = registry.get(job.kind)
        if spec is None:
            with self.db.writing(Actor.system("worker")) as session:
                queue.fail(session, job, f"no handler for kind {job.kind!r}", timedelta(hours=1))
            return
        lease = timedelta(seconds=job.lease_s)
        beating = self.heartbeats.add(job, lease)
        error: str | None = None
        lost = False
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
                    if ran is not None and _wrote_nothing(session):
                        ran.put(job)  # nothing to commit with it: marked done in a batch
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
            self.heartbeats.remove(beating)
        if lost:
            # Another worker has the job now; it does what this one rolled back.
            log.warning(
                "job %s (%s) lost its lease; work since its last checkpoint rolled back", job.id, job.kind
            )
            return
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


def _take_all(q: stdqueue.SimpleQueue) -> list:
    items = []
    while True:
        try:
            items.append(q.get_nowait())
        except stdqueue.Empty:
            return items


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


class _Heartbeats:
    """Renews the lease of every job a worker runs, every third of it, from its own connection, so
    a job may run for any length of time and only a dead (or cut-off) worker loses it. One thread
    for the worker (started with its first job), not one per job: a short job costs a heap entry.

    It never waits long for a lock. On PostgreSQL a job row locked by a transaction (the job's own
    checkpoint or completion) is skipped. On SQLite the job's transaction holds the database's
    write lock from its first statement to its commit; while it does, no other worker can take the
    job either, so a beat that cannot get the lock within a moment is simply skipped.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self._cond = threading.Condition()
        self._due: list[tuple[float, int, queue.Claimed, timedelta]] = []  # (next beat, seq, job, lease)
        self._live: set[int] = set()
        self._seq = itertools.count()
        self._thread: threading.Thread | None = None
        self._closed = False

    def add(self, job: queue.Claimed, lease: timedelta) -> int:
        seq = next(self._seq)
        with self._cond:
            self._live.add(seq)
            heapq.heappush(self._due, (time.monotonic() + lease.total_seconds() / 3, seq, job, lease))
            if self._thread is None:
                self._thread = threading.Thread(target=self._beat, name="lease-heartbeat", daemon=True)
                self._thread.start()
            elif self._due[0][1] == seq:
                self._cond.notify()  # the new job beats first
        return seq

    def remove(self, seq: int) -> None:
        with self._cond:
            self._live.discard(seq)  # its heap entry is dropped when it comes up

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify()

    def _beat(self) -> None:
        while True:
            with self._cond:
                while True:
                    if self._closed:
                        return
                    while self._due and self._due[0][1] not in self._live:
                        heapq.heappop(self._due)
                    if not self._due:
                        # Idle a while, then end: a worker with no jobs keeps no thread.
                        if not self._cond.wait(LINGER_S) and not self._due:
                            self._thread = None
                            return
                        continue
                    wait = self._due[0][0] - time.monotonic()
                    if wait <= 0:
                        _, seq, job, lease = heapq.heappop(self._due)
                        break
                    self._cond.wait(wait)
            self._renew(job, lease)
            with self._cond:
                if seq in self._live:
                    heapq.heappush(self._due, (time.monotonic() + lease.total_seconds() / 3, seq, job, lease))

    def _renew(self, job: queue.Claimed, lease: timedelta) -> None:
        try:
            if self.db.kind == "sqlite":
                self._renew_sqlite(job, lease)
            else:
                with self.db.writing(Actor.system("worker")) as session:
                    queue.extend_lease(session, job, lease, skip_locked=True)
        except OperationalError as exc:
            if "locked" in str(exc):
                log.debug("lease heartbeat of job %s skipped: the database is locked", job.id)
            else:
                log.warning("lease heartbeat failed for job %s: %s", job.id, exc)
        except Exception:
            log.exception("lease heartbeat failed for job %s", job.id)

    def _renew_sqlite(self, job: queue.Claimed, lease: timedelta) -> None:
        wait_s = min(lease.total_seconds() / 6, 1.0)
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
                    conn.execute(queue.renewal(job, lease))
                    conn.commit()
                finally:
                    raw.execute(f"PRAGMA busy_timeout = {int(previous)}")
        except DatabaseBusy:
            log.debug("lease heartbeat of job %s skipped: a write is in progress", job.id)
        finally:
            REQUEST_WAIT.reset(token)


def start_background(db: Database) -> Worker:
    """The in-process worker thread of ``yingji serve`` on SQLite."""
    worker = Worker(db, name=f"inproc:{os.getpid()}")
    threading.Thread(target=worker.run_forever, name="yingji-worker", daemon=True).start()
    return worker

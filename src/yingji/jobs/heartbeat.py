"""The lease heartbeat: one thread per worker renews the lease of every job the worker holds, running
or claimed ahead, every third of it, from its own connection, so a job may run (or wait for a
runner) for any length of time and only a dead (or cut-off) worker loses it. Not one thread per job:
a short job costs a heap entry.

It never waits long for a lock. On PostgreSQL a running job's row locked by a transaction (the job's
own checkpoint or completion) is skipped. On SQLite the job's transaction holds the database's
write lock from its first statement to its commit; while it does, no other worker can take the job
either, so a beat that cannot get the lock within a moment is simply skipped. A job claimed ahead
(no transaction of ours touches it) is renewed without skipping, so that the answer is exact: its
watcher hears whether the lease is still ours, and a job whose lease was lost is never started.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from datetime import timedelta
from typing import Protocol

from sqlalchemy.exc import OperationalError

from yingji.core.db import Actor, Database
from yingji.core.errors import DatabaseBusy
from yingji.core.overload import REQUEST_WAIT
from yingji.jobs import queue

log = logging.getLogger("yingji.worker")
LINGER_S = 30.0  # an idle heartbeat thread ends after this long without jobs

Key = tuple[int, str]  # (job id, lease token): what a worker holds


class Watcher(Protocol):
    """Told of each renewal of a job claimed ahead (``queue.Claimed``)."""

    def is_waiting(self, job: queue.Claimed) -> bool: ...

    def renewed(self, job: queue.Claimed, ours: bool | None, since: float) -> bool:
        """``ours``: renewed (True), lost (False), unknown (None: skipped or failed); ``since``:
        the monotonic time the renewal started. Returns whether to keep renewing it."""
        ...


def key(job: queue.Claimed) -> Key:
    return (job.id, job.lease_token)


class Heartbeats:
    def __init__(self, db: Database, watcher: Watcher | None = None) -> None:
        self.db = db
        self.watcher = watcher
        self._cond = threading.Condition()
        self._due: list[tuple[float, int, queue.Claimed]] = []  # (next beat, seq, job)
        self._live: set[Key] = set()
        self._seq = itertools.count()
        self._thread: threading.Thread | None = None
        self._closed = False

    def add(self, job: queue.Claimed, since: float | None = None) -> None:
        self.add_many([job], since)

    def add_many(self, jobs: list[queue.Claimed], since: float | None = None) -> None:
        """Beat for ``jobs`` from ``since`` (monotonic; now by default), each every third of its lease."""
        if not jobs:
            return
        start = time.monotonic() if since is None else since
        with self._cond:
            first = self._due[0][0] if self._due else None
            for job in jobs:
                self._live.add(key(job))
                heapq.heappush(self._due, (start + job.lease_s / 3, next(self._seq), job))
            if self._thread is None:
                self._thread = threading.Thread(target=self._beat, name="lease-heartbeat", daemon=True)
                self._thread.start()
            elif first is None or self._due[0][0] < first:
                self._cond.notify()  # a new job beats first

    def remove(self, job: queue.Claimed) -> None:
        with self._cond:
            self._live.discard(key(job))  # its heap entry is dropped when it comes up

    def remove_many(self, jobs: list[queue.Claimed]) -> None:
        if jobs:
            with self._cond:
                self._live.difference_update(key(job) for job in jobs)

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
                    while self._due and key(self._due[0][2]) not in self._live:
                        heapq.heappop(self._due)
                    if not self._due:
                        # Idle a while, then end: a worker with no jobs keeps no thread.
                        if not self._cond.wait(LINGER_S) and not self._due:
                            self._thread = None
                            return
                        continue
                    wait = self._due[0][0] - time.monotonic()
                    if wait <= 0:
                        _, seq, job = heapq.heappop(self._due)
                        break
                    self._cond.wait(wait)
            since = time.monotonic()
            waiting = self.watcher is not None and self.watcher.is_waiting(job)
            ours = self._renew(job, timedelta(seconds=job.lease_s), exact=waiting)
            keep = True
            if waiting:
                keep = self.watcher.renewed(job, ours, since)
            with self._cond:
                if key(job) in self._live and keep:
                    heapq.heappush(self._due, (time.monotonic() + job.lease_s / 3, seq, job))
                elif not keep:
                    self._live.discard(key(job))

    def _renew(self, job: queue.Claimed, lease: timedelta, *, exact: bool) -> bool | None:
        try:
            if self.db.kind == "sqlite":
                return self._renew_sqlite(job, lease)
            with self.db.writing(Actor.system("worker")) as session:
                renewed = queue.extend_lease(session, job, lease, skip_locked=not exact)
            return renewed if exact else (renewed or None)
        except OperationalError as exc:
            if "locked" in str(exc):
                log.debug("lease heartbeat of job %s skipped: the database is locked", job.id)
            else:
                log.warning("lease heartbeat failed for job %s: %s", job.id, exc)
        except Exception:
            log.exception("lease heartbeat failed for job %s", job.id)
        return None

    def _renew_sqlite(self, job: queue.Claimed, lease: timedelta) -> bool | None:
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
                    renewed = conn.execute(queue.renewal(job, lease)).rowcount == 1
                    conn.commit()
                    return renewed
                finally:
                    raw.execute(f"PRAGMA busy_timeout = {int(previous)}")
        except DatabaseBusy:
            log.debug("lease heartbeat of job %s skipped: a write is in progress", job.id)
        finally:
            REQUEST_WAIT.reset(token)
        return None

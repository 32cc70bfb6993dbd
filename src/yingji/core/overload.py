"""Overload sheds, never fails: bounded waits for the database, and a 503 with Retry-After past them.

Three gates, each with a bounded wait (``Settings.db_wait_s``):

- :class:`RequestGate` (per process, in the event loop): at most ``db_max_active`` requests hold a
  database session at once, ``db_max_queued`` more wait for a turn, the rest are refused at once.
  Requests wait here as coroutines, not as worker threads: sync endpoints run on anyio's 40 threads,
  and a request holding a connection (or SQLite's write lock) needs one of those threads to finish;
  when all 40 were blocked waiting for connections, the holders could not finish and everyone waited
  for the pool timeout (the 500s of issue 10).
- the connection pool: ``pool_timeout`` = ``db_wait_s`` for what does not pass the request gate
  (a second session of a download, health checks).
- :class:`WriteGate` (SQLite only): one write transaction at a time per process; writers queue on a
  Python lock instead of spinning in SQLite's busy handler, which starves unlucky writers until
  "database is locked". Requests wait ``db_wait_s``; the job worker and the CLI wait as long as
  SQLite's busy timeout (a late warning is worse than a slow one).

Past a wait, :class:`~yingji.core.errors.DatabaseBusy` (503, ``Retry-After``). The error handlers
also map the database's own signs of saturation (pool timeout, PostgreSQL's "too many clients",
SQLite's "database is locked") to the same answer with :func:`is_saturation`.
"""

from __future__ import annotations

import asyncio
import contextvars
import math
import sqlite3
import threading
from collections import deque

from sqlalchemy import exc as sa_exc

from yingji.core.errors import DatabaseBusy

# How long a write may wait for SQLite's write lock in this context; None outside a request.
REQUEST_WAIT: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "yingji_request_wait", default=None
)

# PostgreSQL: too_many_connections, cannot_connect_now (starting up or shutting down).
PG_BUSY_STATES = {"53300", "57P03"}
PG_BUSY_TEXTS = ("too many clients", "too many connections", "remaining connection slots are reserved")
SQLITE_BUSY_CODES = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}
SQLITE_BUSY_TEXTS = ("database is locked", "database is busy", "database table is locked")


def retry_after(wait_s: float) -> int:
    """Seconds a shed client should wait: as long as it would have waited here."""
    return max(1, math.ceil(wait_s))


class RequestGate:
    """A counting gate for requests, awaited in the event loop; safe across threads and event loops
    (the test client runs each app on a loop of its own)."""

    def __init__(self, active: int, queued: int, wait_s: float) -> None:
        self.limit = active
        self.max_queued = queued
        self.wait_s = wait_s
        self._lock = threading.Lock()
        self._active = 0
        self._waiters: deque[asyncio.Future] = deque()

    @property
    def active(self) -> int:
        return self._active

    @property
    def queued(self) -> int:
        return len(self._waiters)

    async def acquire(self) -> None:
        with self._lock:
            if self._active < self.limit and not self._waiters:
                self._active += 1
                return
            if len(self._waiters) >= self.max_queued:
                raise DatabaseBusy(retry_after(self.wait_s))
            turn = asyncio.get_running_loop().create_future()
            self._waiters.append(turn)
        try:
            await asyncio.wait_for(turn, self.wait_s)
        except (TimeoutError, asyncio.CancelledError) as exc:
            # wait_for has cancelled ``turn``. If release() handed it the slot just now, _grant
            # finds it cancelled and passes the slot on; otherwise it leaves the queue here.
            with self._lock:
                if turn in self._waiters:
                    self._waiters.remove(turn)
            if isinstance(exc, asyncio.CancelledError):
                raise
            raise DatabaseBusy(retry_after(self.wait_s)) from None

    def release(self) -> None:
        with self._lock:
            while self._waiters:
                turn = self._waiters.popleft()
                if turn.done():
                    continue
                try:
                    # Hand the slot straight to the next waiter (the count stays), on its own loop.
                    turn.get_loop().call_soon_threadsafe(self._grant, turn)
                    return
                except RuntimeError:  # that loop is closed (its server stopped): the next one
                    continue
            self._active -= 1

    def _grant(self, turn: asyncio.Future) -> None:
        if turn.done():  # the waiter gave up meanwhile: the slot goes to the next one
            self.release()
        else:
            turn.set_result(None)


class WriteGate:
    """One SQLite write transaction at a time in this process. Taken when a write transaction begins
    (``BEGIN IMMEDIATE``), released when the connection commits, rolls back or closes."""

    def __init__(self, background_wait_s: float, request_wait_s: float) -> None:
        self.background_wait_s = background_wait_s
        self.request_wait_s = request_wait_s
        self._lock = threading.Lock()

    def acquire(self) -> None:
        in_request = REQUEST_WAIT.get()
        wait = self.background_wait_s if in_request is None else in_request
        if not self._lock.acquire(timeout=wait):
            raise DatabaseBusy(retry_after(self.request_wait_s))

    def release(self) -> None:
        self._lock.release()


class GatedConnection(sqlite3.Connection):
    """A SQLite connection that gives the write gate back when its transaction ends."""

    write_gate: WriteGate | None = None
    holds_gate = False

    def release_gate(self) -> None:
        if self.holds_gate:
            self.holds_gate = False
            self.write_gate.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.release_gate()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.release_gate()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.release_gate()


def is_saturation(exc: BaseException) -> bool:
    """Whether a database error means "too busy now" (retry later) rather than a bug."""
    if isinstance(exc, DatabaseBusy | sa_exc.TimeoutError):
        return True
    if not isinstance(exc, sa_exc.OperationalError):
        return False
    if exc.connection_invalidated:  # the server went away (restart, killed backend): the pool has
        return True  # dropped the connection and the next try gets a new one
    orig = exc.orig
    text = str(orig).lower()
    if isinstance(orig, sqlite3.Error):
        code = getattr(orig, "sqlite_errorcode", None)
        busy_code = code is not None and (code & 0xFF) in SQLITE_BUSY_CODES
        return busy_code or any(t in text for t in SQLITE_BUSY_TEXTS)
    return getattr(orig, "sqlstate", None) in PG_BUSY_STATES or any(t in text for t in PG_BUSY_TEXTS)

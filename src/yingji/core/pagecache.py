"""Figures shared by every user of one jurisdiction, kept a few seconds and dropped at the commit
of any write that could change them.

A page that fifty duty officers of one province open at once computes its shared part once:
``ScopedCache.get_or_build(scope, build)``. What is cached must not depend on who asks beyond the
scope key (per-user parts — phone masking, "my items" — are applied after, at render time).

Invalidation, in process: each cache names the tables it is built from. Every ORM flush records
the jurisdiction codes (old and new) of the rows it writes to those tables; at commit the entries
whose scope overlaps one of them are dropped (a row without a jurisdiction code, or a bulk
``update()``/``delete()``, drops them all). A rolled-back transaction drops nothing.

Across processes (``yingji serve --workers N``, ``yingji worker``) on PostgreSQL: a commit that wrote
to a cached table sends the same table → codes list with ``pg_notify`` in its own transaction
(delivered only if it commits), and every process that serves pages follows the channel
(``follow``, started by the app) and drops the same entries a moment later. A follower that loses its
connection drops everything when it is back (it may have missed a notice). On SQLite, and as the
backstop anywhere, an entry lives at most ``seconds``: that TTL bounds how stale another process's
copy can be.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import datetime
from typing import TypeVar

from sqlalchemy import event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

from yingji.core import clock

T = TypeVar("T")
_TOUCHED = "yingji.pagecache.touched"
_ALL = None  # "every scope": a write whose place is unknown
_CACHES: list[ScopedCache] = []
_TABLES: set[str] = set()  # every cache's tables: what a commit tells the other processes about
CHANNEL = "yingji_pagecache"
PROCESS = uuid.uuid4().hex  # a follower skips the notices of its own process (dropped at commit)
MAX_NOTICE = 7000  # bytes; PostgreSQL's limit is 8000: a longer list says "everything"
log = logging.getLogger(__name__)


def _overlaps(a: str, b: str) -> bool:
    """Two subtrees overlap when one code is a prefix of the other ("" is everything)."""
    return a.startswith(b) or b.startswith(a)


class ScopedCache:
    """Values per (jurisdiction code, extra key), each kept ``seconds`` at most."""

    def __init__(self, name: str, tables: set[str], seconds: float, entries: int = 512) -> None:
        self.name = name
        self.tables = frozenset(tables)
        self.seconds = seconds
        self.entries = entries
        self.lock = threading.Lock()
        # (scope, key) → (monotonic deadline, platform time it is stale at or None, value)
        self.items: OrderedDict[tuple[str, Hashable], tuple[float, datetime | None, object]] = OrderedDict()
        self.building: dict[tuple[str, Hashable], threading.Lock] = {}
        self.generation = 0  # bumped by every invalidation: a build that raced one is not kept
        _CACHES.append(self)
        _TABLES.update(self.tables)

    def get(self, scope: str, key: Hashable = None) -> object | None:
        with self.lock:
            hit = self.items.get((scope, key))
            if hit is None or hit[0] < time.monotonic() or (hit[1] is not None and hit[1] <= clock.now()):
                return None
            return hit[2]

    def put(self, scope: str, key: Hashable, value: object) -> None:
        with self.lock:
            self._store(scope, key, value)

    def _store(self, scope: str, key: Hashable, value: object, until: datetime | None = None) -> None:
        self.items[(scope, key)] = (time.monotonic() + self.seconds, until, value)
        self.items.move_to_end((scope, key))
        while len(self.items) > self.entries:
            self.items.popitem(last=False)

    def get_or_build(
        self,
        scope: str,
        build: Callable[[], T],
        key: Hashable = None,
        until: Callable[[T], datetime | None] | None = None,
    ) -> T:
        """The cached value, else built — once: fifty users asking at the same moment wait for the
        first one's build instead of running fifty (each request thread builds in its own session).
        ``until(value)``: the platform time when a value that changes with time alone (a warning in
        force expires, no write drops it) is stale, if it is before ``seconds`` are up."""
        value = self.get(scope, key)
        if value is not None:
            return value  # type: ignore[return-value]
        with self.lock:
            gate = self.building.setdefault((scope, key), threading.Lock())
        with gate:
            value = self.get(scope, key)
            if value is not None:
                return value  # type: ignore[return-value]
            generation = self.generation
            try:
                value = build()
                with self.lock:
                    # Kept unless a write committed while building (it may not be in the value).
                    if self.generation == generation:
                        self._store(scope, key, value, until(value) if until else None)
            finally:
                with self.lock:
                    self.building.pop((scope, key), None)
            return value

    def invalidate(self, codes: set[str | None] | None = None) -> None:
        """Drop the entries whose scope overlaps one of ``codes`` (all when None or a None in it)."""
        with self.lock:
            self.generation += 1
            if codes is None or _ALL in codes:
                self.items.clear()
                return
            for k in [k for k in self.items if any(_overlaps(k[0], c) for c in codes)]:
                del self.items[k]

    def clear(self) -> None:
        self.invalidate(None)


def _note(session: Session, table: str, code: str | None) -> None:
    session.info.setdefault(_TOUCHED, {}).setdefault(table, set()).add(code)


@event.listens_for(Session, "after_flush")
def _record_flush(session: Session, _ctx) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = getattr(obj, "__tablename__", None)
        if table is None:
            continue
        if not hasattr(obj, "jurisdiction_code"):
            _note(session, table, _ALL)
            continue
        hist = inspect(obj).attrs.jurisdiction_code.history
        for code in (*hist.added, *hist.unchanged, *hist.deleted):
            _note(session, table, code)
        if not (hist.added or hist.unchanged or hist.deleted):
            _note(session, table, getattr(obj, "jurisdiction_code", None))


@event.listens_for(Session, "do_orm_execute")
def _record_bulk(state: ORMExecuteState) -> None:
    if state.is_update or state.is_delete or state.is_insert:
        mapper = state.bind_mapper
        table = getattr(mapper.class_, "__tablename__", None) if mapper is not None else None
        if table is None:  # insert(Model.__table__) and the like: the statement names its table
            table = getattr(getattr(state.statement, "table", None), "name", None)
        if table is not None:
            _note(state.session, table, _ALL)


@event.listens_for(Session, "before_commit")
def _tell_other_processes(session: Session) -> None:
    """On PostgreSQL, the tables and codes this transaction wrote (cached tables only) go to the other
    processes by ``pg_notify``: sent with the commit, never for a rollback."""
    if session.in_nested_transaction() or session.get_bind().dialect.name != "postgresql":
        return
    session.flush()  # what is still pending is written now, so it is noted below
    touched = _cached(session.info.get(_TOUCHED))
    if not touched:
        return
    body = json.dumps(
        {
            "p": PROCESS,
            "t": {
                t: sorted(c or "" for c in codes) if _ALL not in codes else None
                for t, codes in touched.items()
            },
        },
        ensure_ascii=False,
    )
    if len(body.encode()) > MAX_NOTICE:
        body = json.dumps({"p": PROCESS, "t": {t: None for t in touched}})
    session.connection().execute(text("SELECT pg_notify(:c, :b)"), {"c": CHANNEL, "b": body})


def _cached(touched: dict[str, set] | None) -> dict[str, set]:
    """The part of ``touched`` some cache is built from."""
    if not touched:
        return {}
    return {t: codes for t, codes in touched.items() if t in _TABLES}


def _drop(touched: dict[str, set]) -> None:
    for cache in _CACHES:
        codes: set = set()
        for table in cache.tables & touched.keys():
            codes |= touched[table]
        if codes:
            cache.invalidate(codes)


@event.listens_for(Session, "after_commit")
def _invalidate_at_commit(session: Session) -> None:
    touched: dict[str, set] | None = session.info.pop(_TOUCHED, None)
    if touched:
        _drop(touched)


@event.listens_for(Session, "after_soft_rollback")
def _forget_on_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    # A rolled-back outer transaction wrote nothing. (A rolled-back savepoint leaves its codes noted:
    # that can only drop entries that did not need it, never keep a stale one.)
    if previous_transaction.parent is None:
        session.info.pop(_TOUCHED, None)


def apply_notice(payload: str) -> None:
    """Drop what another process's commit made stale (a notice from ``_tell_other_processes``)."""
    try:
        notice = json.loads(payload)
        if notice.get("p") == PROCESS:
            return
        touched = {t: {_ALL} if codes is None else set(codes) for t, codes in notice["t"].items()}
    except (ValueError, KeyError, TypeError, AttributeError):
        touched = {t: {_ALL} for t in _TABLES}  # unreadable: assume the worst
    _drop(touched)


class Follower:
    """One thread per process and database: LISTENs on ``CHANNEL`` and applies each notice."""

    def __init__(self, database_url: str) -> None:
        url = make_url(database_url).set(drivername="postgresql")
        self.dsn = url.render_as_string(hide_password=False)
        self.stopping = threading.Event()
        self.listening = threading.Event()  # set while a LISTEN connection is up (tests wait on it)
        self.thread = threading.Thread(target=self._run, name="pagecache-follower", daemon=True)

    def _run(self) -> None:
        import psycopg

        while not self.stopping.is_set():
            try:
                with psycopg.connect(self.dsn, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    for cache in _CACHES:  # notices may have been missed while not listening
                        cache.clear()
                    self.listening.set()
                    while not self.stopping.is_set():
                        for notice in conn.notifies(timeout=1.0):
                            apply_notice(notice.payload)
            except Exception as exc:
                self.listening.clear()
                log.warning("page-cache follower lost its connection (%s); reconnecting", type(exc).__name__)
                self.stopping.wait(2.0)
        self.listening.clear()

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)


_FOLLOWERS: dict[str, Follower] = {}
_FOLLOW_LOCK = threading.Lock()


def follow(database_url: str) -> Follower | None:
    """Start this process's follower of ``database_url`` (PostgreSQL; None elsewhere), once."""
    if make_url(database_url).get_backend_name() != "postgresql":
        return None
    with _FOLLOW_LOCK:
        follower = _FOLLOWERS.get(database_url)
        if follower is None or not follower.thread.is_alive():
            follower = _FOLLOWERS[database_url] = Follower(database_url)
            follower.thread.start()
    return follower


def unfollow(database_url: str) -> None:
    with _FOLLOW_LOCK:
        follower = _FOLLOWERS.pop(database_url, None)
    if follower is not None:
        follower.stop()

"""Figures shared by every user of one jurisdiction, kept a few seconds and dropped at the commit
of any write that could change them.

A page that fifty duty officers of one province open at once computes its shared part once:
``ScopedCache.get_or_build(scope, build)``. What is cached must not depend on who asks beyond the
scope key (per-user parts — phone masking, "my items" — are applied after, at render time).

Invalidation, in process: each cache names the tables it is built from. Every ORM flush records
the jurisdiction codes (old and new) of the rows it writes to those tables; at commit the entries
whose scope overlaps one of them are dropped (a row without a jurisdiction code, or a bulk
``update()``/``delete()``, drops them all). A rolled-back transaction drops nothing. Across
processes (``yingji serve --workers N``) an entry lives at most ``seconds``: that TTL bounds how
stale another process's copy can be.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from sqlalchemy import event, inspect
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

T = TypeVar("T")
_TOUCHED = "yingji.pagecache.touched"
_ALL = None  # "every scope": a write whose place is unknown
_CACHES: list[ScopedCache] = []


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
        self.items: OrderedDict[tuple[str, Hashable], tuple[float, object]] = OrderedDict()
        self.building: dict[tuple[str, Hashable], threading.Lock] = {}
        self.generation = 0  # bumped by every invalidation: a build that raced one is not kept
        _CACHES.append(self)

    def get(self, scope: str, key: Hashable = None) -> object | None:
        with self.lock:
            hit = self.items.get((scope, key))
            if hit is None or hit[0] < time.monotonic():
                return None
            return hit[1]

    def put(self, scope: str, key: Hashable, value: object) -> None:
        with self.lock:
            self._store(scope, key, value)

    def _store(self, scope: str, key: Hashable, value: object) -> None:
        self.items[(scope, key)] = (time.monotonic() + self.seconds, value)
        self.items.move_to_end((scope, key))
        while len(self.items) > self.entries:
            self.items.popitem(last=False)

    def get_or_build(self, scope: str, build: Callable[[], T], key: Hashable = None) -> T:
        """The cached value, else built — once: fifty users asking at the same moment wait for the
        first one's build instead of running fifty (each request thread builds in its own session)."""
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
                        self._store(scope, key, value)
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


@event.listens_for(Session, "after_commit")
def _invalidate_at_commit(session: Session) -> None:
    touched: dict[str, set] | None = session.info.pop(_TOUCHED, None)
    if not touched:
        return
    for cache in _CACHES:
        codes: set = set()
        for table in cache.tables & touched.keys():
            codes |= touched[table]
        if codes:
            cache.invalidate(codes)


@event.listens_for(Session, "after_soft_rollback")
def _forget_on_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    # A rolled-back outer transaction wrote nothing. (A rolled-back savepoint leaves its codes noted:
    # that can only drop entries that did not need it, never keep a stale one.)
    if previous_transaction.parent is None:
        session.info.pop(_TOUCHED, None)

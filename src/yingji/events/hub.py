"""One fan-out per process (and event loop): read the log once, hand each event to the subscribers
whose jurisdiction covers it.

The hub wakes when an event may be new: after a commit in this process (``wake_all``, from any
thread), on a PostgreSQL ``NOTIFY`` (one ``LISTEN`` connection per process, whichever process or
worker wrote), and every ``POLL_S`` anyway. Woken, it reads ``id > last`` from ``event_log`` (one query
for all subscribers, however many) and puts each event on the queue of every subscriber whose scope
prefix is a prefix of the event's place: a dictionary of prefixes, so an event costs at most 16
look-ups, not one test per subscriber. The poll is what carries events of a separate ``yingji worker``
process on SQLite (no NOTIFY there): an indexed "max id" read per second, cheaper than any
file-watching or socket scheme between processes, and a second is within the duty board's goal.
A subscriber that falls behind (its queue full) is dropped: its browser reconnects with
``Last-Event-ID`` and is replayed from the log.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from yingji.core.db import Database
from yingji.events.models import EventLog
from yingji.events.publish import CHANNEL

log = logging.getLogger("yingji.events")

POLL_S = 1.0  # the safety read of the log (and SQLite's way across processes)
QUEUE_SIZE = 500  # events a subscriber may have waiting before it is dropped
BATCH = 1000


@dataclass(frozen=True)
class Event:
    id: int
    kind: str
    jurisdiction_code: str
    payload: dict
    frame: bytes  # the SSE frame, made once for every subscriber

    @classmethod
    def of(cls, row) -> Event:
        data = {
            "id": row.id,
            "kind": row.kind,
            "jurisdiction_code": row.jurisdiction_code,
            "payload": row.payload,
        }
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        frame = f"id: {row.id}\ndata: {body}\n\n".encode()
        return cls(row.id, row.kind, row.jurisdiction_code, row.payload, frame)


@dataclass(eq=False)
class Subscriber:
    prefix: str
    kinds: frozenset[str] | None
    queue: asyncio.Queue = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))
    dropped: bool = False

    def wants(self, ev: Event) -> bool:
        return self.kinds is None or ev.kind in self.kinds


def read_after(db: Database, after: int, limit: int = BATCH, where=None) -> list[Event]:
    """Events with id > ``after`` in id order (``where``: an extra condition, e.g. a scope)."""
    query = select(EventLog).where(EventLog.id > after).order_by(EventLog.id).limit(limit)
    if where is not None:
        query = query.where(where)
    with db.reading() as session:
        return [Event.of(r) for r in session.scalars(query)]


def max_id(db: Database) -> int:
    with db.reading() as session:
        return session.scalar(select(func.max(EventLog.id))) or 0


class Hub:
    def __init__(self, db: Database, loop: asyncio.AbstractEventLoop) -> None:
        self.db = db
        self.loop = loop
        self.by_prefix: dict[str, set[Subscriber]] = {}
        self.count = 0
        self.last_id: int | None = None
        self.ready = asyncio.Event()
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task] = []

    # -- subscribers ------------------------------------------------------------------------
    async def subscribe(self, prefix: str, kinds: frozenset[str] | None = None) -> Subscriber:
        if not self._tasks:
            self._tasks.append(self.loop.create_task(self._pump(), name="yingji-events-pump"))
            if self.db.kind == "postgresql":
                self._tasks.append(self.loop.create_task(self._listen(), name="yingji-events-listen"))
        sub = Subscriber(prefix, kinds)
        self.by_prefix.setdefault(prefix, set()).add(sub)
        self.count += 1
        await self.ready.wait()  # the pump knows where the log ends: nothing after this is missed
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        subs = self.by_prefix.get(sub.prefix)
        if subs is not None and sub in subs:
            subs.discard(sub)
            self.count -= 1
            if not subs:
                del self.by_prefix[sub.prefix]

    def _fanout(self, ev: Event) -> None:
        code = ev.jurisdiction_code
        for n in range(len(code) + 1):
            subs = self.by_prefix.get(code[:n])
            if not subs:
                continue
            for sub in list(subs):
                if not sub.wants(ev):
                    continue
                try:
                    sub.queue.put_nowait(ev)
                except asyncio.QueueFull:
                    sub.dropped = True  # its stream ends; the browser comes back with Last-Event-ID
                    self.unsubscribe(sub)

    # -- waking -----------------------------------------------------------------------------
    def wake(self) -> None:
        """From any thread."""
        self.loop.call_soon_threadsafe(self._wake.set)

    async def _pump(self) -> None:
        while self.last_id is None:
            try:
                self.last_id = await asyncio.to_thread(max_id, self.db)
            except Exception:
                log.exception("event log not readable; retrying")
                await asyncio.sleep(POLL_S)
        self.ready.set()
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), POLL_S)
            self._wake.clear()
            try:
                while True:
                    events = await asyncio.to_thread(read_after, self.db, self.last_id)
                    for ev in events:
                        self._fanout(ev)
                        self.last_id = ev.id
                    if len(events) < BATCH:
                        break
            except Exception:
                log.exception("reading the event log failed")
                await asyncio.sleep(POLL_S)

    async def _listen(self) -> None:
        """One LISTEN connection for the whole process; reconnects, and catches up after each connect."""
        import psycopg

        url = make_url(self.db.settings.database_url).set(drivername="postgresql")
        dsn = url.render_as_string(hide_password=False)
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self._wake.set()  # whatever committed while we were not listening
                    async for _ in conn.notifies():
                        self._wake.set()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("event listener lost its connection (%s); reconnecting", type(exc).__name__)
                await asyncio.sleep(2.0)

    def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        self._tasks.clear()


_HUBS: dict[tuple[int, int], Hub] = {}
_LOCK = threading.Lock()


def hub_for(db: Database) -> Hub:
    """This process's hub for ``db`` on the running event loop (made at the first subscriber)."""
    loop = asyncio.get_running_loop()
    key = (id(db), id(loop))
    with _LOCK:
        hub = _HUBS.get(key)
        if hub is None or hub.db is not db:
            hub = _HUBS[key] = Hub(db, loop)
    return hub


def wake_all() -> None:
    """After a commit that published events: wake every hub of this process (any thread)."""
    with _LOCK:
        hubs = list(_HUBS.items())
    for key, hub in hubs:
        try:
            hub.wake()
        except RuntimeError:  # its event loop is gone
            with _LOCK:
                _HUBS.pop(key, None)

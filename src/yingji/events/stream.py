"""A subscriber's stream: replay from the log after ``Last-Event-ID``, then live events, heartbeats."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from yingji.auth.scope import Principal, in_scope
from yingji.core.db import Database
from yingji.core.errors import ValidationFailed
from yingji.events.hub import BATCH, Event, hub_for, read_after
from yingji.events.models import EventLog
from yingji.events.publish import KINDS

HEARTBEAT_S = 15.0
RETRY_MS = 3000  # the browser's reconnect delay
# A stream ends after this long and the browser reconnects (with Last-Event-ID: nothing is lost), so
# a signed-out, disabled or narrowed user's stream does not outlive the change by more than this.
MAX_STREAM_S = 600.0


def parse_kinds(raw: str | None) -> frozenset[str] | None:
    if not raw:
        return None
    kinds = frozenset(k.strip() for k in raw.split(",") if k.strip())
    unknown = sorted(kinds - set(KINDS))
    if unknown:
        raise ValidationFailed(
            details=[{"field": "kinds", "message": "This value is not valid.", "reason": ",".join(unknown)}]
        )
    return kinds or None


def parse_last_id(header: str | None, query: int | None) -> int | None:
    """The query parameter (a page reconnecting by itself) wins over the browser's header; a header
    that is not a number (not one of ours) is ignored: the stream starts from now."""
    if query is not None:
        return query
    header = (header or "").strip()
    return int(header) if header.isdigit() and len(header) < 19 else None


def scope_where(principal: Principal, kinds: frozenset[str] | None):
    where = in_scope(EventLog.jurisdiction_code, principal)
    if kinds:
        where = where & EventLog.kind.in_(sorted(kinds))
    return where


def missed(db: Database, principal: Principal, after: int, kinds, limit: int = BATCH) -> list[Event]:
    """The events of the principal's jurisdiction after ``after`` (one indexed read)."""
    return read_after(db, after, limit, scope_where(principal, kinds))


async def frames(
    db: Database, principal: Principal, last_id: int | None, kinds: frozenset[str] | None
) -> AsyncIterator[bytes]:
    hub = hub_for(db)
    sub = await hub.subscribe(principal.jurisdiction_code, kinds)
    loop = asyncio.get_running_loop()
    ends = loop.time() + MAX_STREAM_S
    try:
        # The first bytes also tell the client the stream is open (EventSource's "open").
        yield f"retry: {RETRY_MS}\n: connected {hub.last_id}\n\n".encode()
        seen = last_id if last_id is not None else 0
        if last_id is not None:  # subscribed first, then read: nothing falls between the two
            while True:
                batch = await asyncio.to_thread(missed, db, principal, seen, kinds)
                for ev in batch:
                    yield ev.frame
                    seen = ev.id
                if len(batch) < BATCH:
                    break
        while True:
            if sub.dropped and sub.queue.empty():
                return  # too far behind: the browser reconnects and is replayed from the log
            left = ends - loop.time()
            if left <= 0:
                return  # time to authenticate again (the browser reconnects by itself)
            try:
                ev = await asyncio.wait_for(sub.queue.get(), min(HEARTBEAT_S, left))
            except TimeoutError:
                yield b": keep-alive\n\n"
                continue
            if ev.id > seen:
                seen = ev.id
                yield ev.frame
    finally:
        hub.unsubscribe(sub)

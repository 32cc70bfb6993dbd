"""Security events: refusals recorded so that an administrator sees who probes what.

What is recorded: denied writes and reads (403: ``Forbidden``, ``OutOfJurisdiction`` — every 403
answer, wherever it was raised), scope probes (the 404 that ``scope.visible`` gives for an object
that exists outside the user's jurisdiction, ``?within=`` included), failed and throttled logins,
CSRF failures and invalid API tokens; other domains add their own kinds (``register_kind``) and
call :func:`record`.

How: inside an HTTP request nothing is written where the refusal happens. The scope helpers *note*
a refusal (kept only if the request really ends with that status: a service that tries ``writable``
to decide whether to show a button does not count) and :func:`record` queues an event; the
``SecurityEvents`` middleware writes them after the response, in a transaction of its own — the
refused request's transaction has rolled back by then, and on SQLite no second writer waits on the
request's own lock. Outside a request (jobs, feed polls, the CLI) :func:`record` writes at once.

Rate limit: one row per kind, principal (user, else address) and minute; the rest of that minute only
raise its ``count``. Past ``NEW_ROWS_PER_MINUTE`` new rows of one kind in a minute (a flood from
many addresses) a process folds further principals into one "*" row. A flood therefore costs at most
(kinds × that cap) rows a minute per process, however many requests it sends.
"""

from __future__ import annotations

import logging
import threading
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from yingji.auth.clientaddr import client_address
from yingji.auth.models import SecurityEvent
from yingji.core import clock
from yingji.core.db import Database
from yingji.core.i18n import N_
from yingji.core.pagination import Page, paginate

if TYPE_CHECKING:
    from yingji.auth.scope import Principal

log = logging.getLogger("yingji.security")
NEW_ROWS_PER_MINUTE = 100  # per kind and process; beyond, principals share one "*" row
MAX_NOTES = 20  # per request

# kind → label (message id). The page shows the label; a domain adds its kinds with register_kind.
KINDS: dict[str, str] = {
    "forbidden": N_("Refused: no permission"),
    "out_of_jurisdiction": N_("Refused: outside jurisdiction"),
    "scope_probe": N_("Probe outside jurisdiction"),
    "login_failed": N_("Failed login"),
    "login_throttled": N_("Login throttled"),
    "login_disabled": N_("Login to a disabled account"),
    "csrf_failed": N_("Form token check failed"),
    "invalid_token": N_("Invalid API token"),
}


def register_kind(kind: str, label: str) -> None:
    """Name a kind of refusal for the page (``label`` is a message id wrapped in ``N_``)."""
    KINDS[kind] = label


# Notes written by this package are "what:value" codes, shown on the page in words.
NOTES = {
    "wait:ip": N_("this address failed too often"),
    "wait:pair": N_("this address failed too often for this account"),
    "wait:account": N_("the account is under attack; this address must wait"),
    "wait:browser": N_("this browser failed too often"),
    "token:unknown": N_("no such token"),
    "token:expired": N_("the token has expired"),
    "token:revoked": N_("the token was revoked"),
    "token:disabled": N_("the token's user is disabled"),
    "form:login": N_("login form"),
}


def describe(note: str | None) -> str:
    """A note in the reader's language: known codes in words, a permission named, others as written."""
    from yingji.core.i18n import gettext

    if not note:
        return ""
    if note in NOTES:
        return gettext(NOTES[note])
    if note.startswith("perm:"):
        from yingji.auth.roles import PERM_LABELS, Perm

        perm = note[5:]
        named = gettext(PERM_LABELS[Perm(perm)]) if perm in Perm._value2member_map_ else perm
        return gettext(N_("needs the permission {perm}"), perm=named)
    return note


@dataclass
class _Event:
    kind: str
    principal: Principal | None
    entity: str | None = None
    entity_id: Any = None
    jurisdiction_code: str | None = None
    note: str | None = None
    username: str | None = None
    ip: str | None = None
    when_status: int | None = None  # recorded only if the request ends with this status


_pending: ContextVar[list[_Event] | None] = ContextVar("yingji_security_pending", default=None)


def note_refusal(
    principal: Principal | None,
    kind: str,
    status: int,
    *,
    entity: str | None = None,
    entity_id: Any = None,
    jurisdiction_code: str | None = None,
    note: str | None = None,
) -> None:
    """A refusal being raised (scope helpers): recorded if the current request ends with ``status``.
    Outside a request it is dropped: jobs and the CLI call :func:`record` for what they refuse."""
    pending = _pending.get()
    if pending is not None and len(pending) < MAX_NOTES:
        pending.append(
            _Event(kind, principal, entity, entity_id, jurisdiction_code, note, when_status=status)
        )


def record(
    target: Database | Session | None,
    principal: Principal | None,
    kind: str,
    *,
    entity: str | None = None,
    entity_id: Any = None,
    jurisdiction_code: str | None = None,
    note: str | None = None,
    username: str | None = None,
    ip: str | None = None,
) -> None:
    """Record a security event of ``kind`` by ``principal`` (None: anonymous, then ``username`` is
    the name tried and ``ip`` the address) about ``entity``/``entity_id`` lying in
    ``jurisdiction_code``.

    In an HTTP request it is queued and written after the response in its own transaction, whatever
    the request's outcome (``target`` is not used then). Outside a request: a ``Session`` gets the
    row in its transaction (which the caller commits); a ``Database`` gets a transaction of its own
    at once (do not pass one while holding a write transaction on SQLite: it would wait on it)."""
    event = _Event(kind, principal, entity, entity_id, jurisdiction_code, note, username, ip)
    pending = _pending.get()
    if pending is not None:
        if len(pending) < MAX_NOTES:
            pending.append(event)
        return
    if isinstance(target, Session):
        write(target, [event])
    elif isinstance(target, Database):
        with target.write_sessions() as session:
            write(session, [event])
            session.commit()
    else:  # no request and nothing to write with: say so rather than fail the caller
        log.warning("security event %s dropped: no request, session or database", kind)


# -- writing, rate-limited ---------------------------------------------------------------------
class _Budget:
    """Per process: which buckets exist this minute, and how many new rows each kind made."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.minute = ""
        self.seen: set[str] = set()
        self.new: dict[str, int] = {}

    def bucket(self, kind: str, who: str, minute: str) -> str:
        with self.lock:
            if minute != self.minute:
                self.minute, self.seen, self.new = minute, set(), {}
            bucket = f"{kind}|{who}|{minute}"
            if bucket in self.seen:
                return bucket
            if self.new.get(kind, 0) >= NEW_ROWS_PER_MINUTE:
                return f"{kind}|*|{minute}"
            self.new[kind] = self.new.get(kind, 0) + 1
            self.seen.add(bucket)
            return bucket


_budget = _Budget()


def write(
    session: Session,
    events: list[_Event],
    *,
    method: str | None = None,
    path: str | None = None,
    status: int | None = None,
    request_id: str | None = None,
) -> None:
    now = clock.now()
    minute = now.strftime("%Y%m%d%H%M")
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    for ev in events:
        p = ev.principal
        ip = ev.ip or (p.ip if p is not None else None)
        who = f"u{p.user_id}" if p is not None and p.user_id is not None else f"ip:{ip or '-'}"
        bucket = _budget.bucket(ev.kind, who, minute)
        folded = bucket.split("|")[1] == "*"
        values = {
            "bucket": bucket[:250],
            "at": now,
            "last_at": now,
            "count": 1,
            "kind": ev.kind[:40],
            "user_id": None if folded or p is None else p.user_id,
            "username": None if folded else ((p.username if p is not None else ev.username) or None),
            "user_jurisdiction_code": (p.jurisdiction_code or None) if p is not None and not folded else None,
            "ip": None if folded else (ip or None),
            "entity": ev.entity,
            "entity_id": None if ev.entity_id is None else str(ev.entity_id)[:64],
            "jurisdiction_code": ev.jurisdiction_code or None,
            "method": method,
            "path": (path or "")[:300] or None,
            "status": status,
            "request_id": (request_id or (p.request_id if p is not None else None) or None),
            "note": ev.note,  # a folded row (bucket "kind|*|minute") keeps the first one's
        }
        if values["username"]:
            values["username"] = values["username"][:100]
        stmt = insert(SecurityEvent).values(**values)
        stmt = stmt.on_conflict_do_update(
            index_elements=["bucket"], set_={"count": SecurityEvent.count + 1, "last_at": now}
        )
        session.execute(stmt)


def _chosen(events: list[_Event], status: int) -> list[_Event]:
    """What the request's end keeps: unconditional events, and notes whose status it ended with."""
    kept, seen = [], set()
    for ev in events:
        if ev.when_status is None or ev.when_status == status:
            key = (ev.kind, ev.entity, str(ev.entity_id), ev.jurisdiction_code)
            if key not in seen:
                seen.add(key)
                kept.append(ev)
    return kept


class SecurityEvents:
    """ASGI middleware: collects the request's refusals and writes them once the response is sent."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        pending: list[_Event] = []
        status = 0

        async def send_status(message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        token = _pending.set(pending)
        try:
            await self.app(scope, receive, send_status)
        finally:
            _pending.reset(token)
        events = _chosen(pending, status)
        state = scope.get("state") or {}
        if status == 403 and not events:
            # A 403 raised anywhere (a domain's own rule, not the scope helpers): still a refusal.
            events = [_Event("forbidden", state.get("principal"))]
        if events:
            await run_in_threadpool(self._write, scope, events, status)

    @staticmethod
    def _write(scope, events: list[_Event], status: int) -> None:
        request = Request(scope)
        state = scope.get("state") or {}
        principal = state.get("principal")
        ip = client_address(request)
        for ev in events:
            ev.principal = ev.principal or principal
            ev.ip = ev.ip or ip
        try:
            db: Database = scope["app"].state.db
            with db.write_sessions() as session:
                write(
                    session,
                    events,
                    method=scope.get("method"),
                    path=scope.get("path"),
                    status=status,
                    request_id=state.get("request_id"),
                )
                session.commit()
        except Exception:  # never let the record of a refusal turn into an error of its own
            log.exception("could not record %d security event(s)", len(events))


# -- reading -----------------------------------------------------------------------------------
def search(
    session: Session,
    principal: Principal,
    *,
    kind: str | None = None,
    username: str | None = None,
    ip: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    page: int = 1,
    size: int = 50,
) -> Page:
    """Events by users of the principal's jurisdiction or about objects in it, newest first. Events
    tied to no place (an unknown user name, a bad token) only for the highest administrators (no
    administrator above them)."""
    from yingji.auth.models import User
    from yingji.auth.roles import Perm, Role
    from yingji.auth.scope import in_scope, require
    from yingji.org.codes import ancestors

    require(principal, Perm.USERS_MANAGE)
    stmt = select(SecurityEvent)
    if principal.jurisdiction_code:
        above = ancestors(principal.jurisdiction_code)
        highest = not above or (
            session.scalar(
                select(User.id).where(User.role == Role.ADMIN, User.active, User.jurisdiction_code.in_(above))
            )
            is None
        )
        conditions = [
            in_scope(SecurityEvent.jurisdiction_code, principal),
            in_scope(SecurityEvent.user_jurisdiction_code, principal),
        ]
        if highest:
            conditions.append(
                and_(
                    SecurityEvent.jurisdiction_code.is_(None), SecurityEvent.user_jurisdiction_code.is_(None)
                )
            )
        stmt = stmt.where(or_(*conditions))
    if kind:
        stmt = stmt.where(SecurityEvent.kind == kind)
    if username:
        stmt = stmt.where(SecurityEvent.username == username)
    if ip:
        stmt = stmt.where(SecurityEvent.ip == ip)
    if since:
        stmt = stmt.where(SecurityEvent.last_at >= since)
    if until:
        stmt = stmt.where(SecurityEvent.at < until)
    return paginate(session, stmt.order_by(SecurityEvent.at.desc(), SecurityEvent.id.desc()), page, size)


def day_bounds(day) -> tuple[datetime, datetime]:
    """A local (Asia/Shanghai) calendar day as UTC bounds, for the page's date filters."""
    start = datetime(day.year, day.month, day.day, tzinfo=clock.LOCAL_TZ)
    return clock.to_utc(start), clock.to_utc(start + timedelta(days=1))


def parse_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def filters(kind, user, ip, day_from, day_to) -> dict:
    """The page's and the API's filters, cleaned: unknown values are dropped, not errors."""
    since = day_bounds(parse_day(day_from))[0] if parse_day(day_from) else None
    until = day_bounds(parse_day(day_to))[1] if parse_day(day_to) else None
    return {
        "kind": kind if kind in KINDS else None,
        "username": (user or "").strip()[:100] or None,
        "ip": (ip or "").strip()[:64] or None,
        "since": since,
        "until": until,
    }

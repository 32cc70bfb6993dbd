"""The audit log: every ORM write to an ``Audited`` table is recorded in the same transaction.

A session listener turns the unit of work into audit rows (who, when, what, before/after), so no
service can forget. Bulk writes (imports) call :func:`record_many` themselves. A write without an
actor is refused: "who" is not optional.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable
from typing import Any

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import get_history

from yingji.auth.models import AuditEntry
from yingji.core import clock
from yingji.core.db import Actor
from yingji.core.models import Audited


class MissingActor(RuntimeError):
    """A write was attempted on a session that does not say who is writing."""


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return value


def _columns(obj: Audited) -> list[str]:
    excluded = type(obj).__audit_exclude__
    return [c.key for c in inspect(obj).mapper.column_attrs if c.key not in excluded]


def snapshot(obj: Audited) -> dict[str, Any]:
    """Column values as held in memory (never triggers a load inside the flush)."""
    held = inspect(obj).dict
    return {k: _plain(held.get(k)) for k in _columns(obj)}


def _changes(obj: Audited) -> tuple[dict[str, Any], dict[str, Any]]:
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for key in _columns(obj):
        hist = get_history(obj, key)
        if hist.has_changes():
            before[key] = _plain(hist.deleted[0]) if hist.deleted else None
            after[key] = _plain(hist.added[0]) if hist.added else None
    return before, after


def _entity_id(obj: Audited) -> str:
    # New rows get their identity key only after the flush; read the primary key values instead.
    values = inspect(obj).mapper.primary_key_from_instance(obj)
    return ",".join(str(v) for v in values)


def actor_of(session: Session) -> Actor:
    actor = session.info.get("actor")
    if actor is None:
        raise MissingActor("write without an actor: open the session with Database.writing(actor)")
    return actor


def _entry(actor: Actor, action: str, entity: str, entity_id, jurisdiction, before, after, note):
    return {
        "at": clock.now(),
        "actor_id": actor.user_id,
        "actor": actor.name,
        "action": action,
        "entity": entity,
        "entity_id": None if entity_id is None else str(entity_id),
        "jurisdiction_code": jurisdiction,
        "before": before,
        "after": after,
        "ip": actor.ip,
        "request_id": actor.request_id,
        "note": note,
    }


@event.listens_for(Session, "after_flush")
def _audit_flush(session: Session, flush_context) -> None:
    rows = []
    for obj in session.new:
        if isinstance(obj, Audited):
            rows.append(("create", obj, None, snapshot(obj)))
    for obj in session.dirty:
        if isinstance(obj, Audited) and session.is_modified(obj, include_collections=False):
            before, after = _changes(obj)
            if after:
                rows.append(("update", obj, before, after))
    for obj in session.deleted:
        if isinstance(obj, Audited):
            rows.append(("delete", obj, snapshot(obj), None))
    if not rows:
        return
    actor = actor_of(session)
    entries = [
        _entry(
            actor,
            action,
            obj.__tablename__,
            _entity_id(obj),
            getattr(obj, "jurisdiction_code", None) or getattr(obj, "code", None),
            before,
            after,
            None,
        )
        for action, obj, before, after in rows
    ]
    session.connection().execute(insert(AuditEntry), entries)


def record(
    session: Session,
    action: str,
    entity: str,
    entity_id: Any = None,
    *,
    jurisdiction_code: str | None = None,
    before: dict | None = None,
    after: dict | None = None,
    note: str | None = None,
) -> None:
    """An audit row for something that is not an ORM write (login, export, import summary)."""
    record_many(
        session,
        [
            _entry(
                actor_of(session),
                action,
                entity,
                entity_id,
                jurisdiction_code,
                before,
                after,
                note,
            )
        ],
    )


def entries_for_bulk(
    session: Session,
    action: str,
    entity: str,
    items: Iterable[tuple[Any, str | None, dict | None, dict | None]],
    note: str | None = None,
) -> list[dict]:
    """Audit rows for a bulk write: items are (entity_id, jurisdiction, before, after)."""
    actor = actor_of(session)
    return [
        _entry(actor, action, entity, eid, jur, _plain_dict(b), _plain_dict(a), note)
        for eid, jur, b, a in items
    ]


def _plain_dict(d: dict | None) -> dict | None:
    return None if d is None else {k: _plain(v) for k, v in d.items()}


def record_many(session: Session, entries: list[dict]) -> None:
    if entries:
        session.execute(insert(AuditEntry), entries)


def search(
    session: Session,
    principal,
    *,
    entity: str | None = None,
    entity_id: str | None = None,
    actor: str | None = None,
    page: int = 1,
    size: int = 50,
):
    """Audit entries about records in the principal's jurisdiction, newest first."""
    from sqlalchemy import select

    from yingji.auth.roles import Perm
    from yingji.auth.scope import in_scope, require
    from yingji.core.pagination import paginate

    require(principal, Perm.AUDIT_READ)
    stmt = select(AuditEntry)
    if principal.jurisdiction_code:
        stmt = stmt.where(in_scope(AuditEntry.jurisdiction_code, principal))
    if entity:
        stmt = stmt.where(AuditEntry.entity == entity)
    if entity_id:
        stmt = stmt.where(AuditEntry.entity_id == entity_id)
    if actor:
        stmt = stmt.where(AuditEntry.actor == actor)
    return paginate(session, stmt.order_by(AuditEntry.id.desc()), page, size)

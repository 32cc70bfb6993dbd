"""Taking an item in: the first person of an office who takes it is its first receiver (首接) and
owner. Idempotent: a second taking (a retried intake, another officer accepting later) changes
nothing; the race of two first takings is decided by the unique (kind, item, office) constraint."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal
from yingji.core import clock
from yingji.ownership.codes import TakenHow
from yingji.ownership.models import Owned, OwnerHandover


def find(session: Session, kind: str, item_id: int, holder_code: str) -> Owned | None:
    return session.scalar(
        select(Owned).where(Owned.kind == kind, Owned.item_id == item_id, Owned.holder_code == holder_code)
    )


def take(
    session: Session,
    principal: Principal,
    kind: str,
    item_id: int,
    *,
    jurisdiction_code: str,
    holder_code: str,
    how: TakenHow,
    at: datetime | None = None,
) -> tuple[Owned | None, bool]:
    """Record the principal as first receiver and owner of the item at ``holder_code`` unless someone
    already is. Returns (row, created); (None, False) for a system principal (a job, a drill inject,
    an alarm): nobody took it in yet, the office's duty officer will."""
    if principal.user_id is None:
        return None, False
    found = find(session, kind, item_id, holder_code)
    if found is not None:
        return found, False
    when = at or clock.now()
    row = Owned(
        kind=kind,
        item_id=item_id,
        jurisdiction_code=jurisdiction_code,
        holder_code=holder_code,
        first_user_id=principal.user_id,
        first_name=principal.display_name,
        first_at=when,
        first_how=TakenHow(how).value,
        owner_user_id=principal.user_id,
        owner_name=principal.display_name,
        owner_since=when,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        found = find(session, kind, item_id, holder_code)
        if found is None:
            raise
        return found, False
    return row, True


def owners_of(session: Session, kind: str, item_ids: list[int]) -> dict[int, list[Owned]]:
    """Every office's ownership row of the items, by item (one query; offices from the lowest up)."""
    if not item_ids:
        return {}
    rows = session.scalars(
        select(Owned).where(Owned.kind == kind, Owned.item_id.in_(set(item_ids))).order_by(Owned.first_at)
    )
    found: dict[int, list[Owned]] = defaultdict(list)
    for r in rows:
        found[r.item_id].append(r)
    return dict(found)


def shown_owner(rows: list[Owned], principal: Principal) -> Owned | None:
    """The ownership a list shows the principal: their own office's, else the first taken."""
    for r in rows:
        if r.holder_code == principal.jurisdiction_code:
            return r
    return rows[0] if rows else None


def history(session: Session, owned_ids: list[int]) -> dict[int, list[OwnerHandover]]:
    if not owned_ids:
        return {}
    rows = session.scalars(
        select(OwnerHandover).where(OwnerHandover.owned_id.in_(owned_ids)).order_by(OwnerHandover.id)
    )
    found: dict[int, list[OwnerHandover]] = defaultdict(list)
    for r in rows:
        found[r.owned_id].append(r)
    return dict(found)

"""Reading warnings: lists in scope, one warning (404 outside scope), its chain, the public list."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal, in_scope, visible
from yingji.core import clock
from yingji.core.errors import NotFound, ValidationFailed
from yingji.core.pagination import Page, paginate
from yingji.warnings.codes import ENDED, PENDING, S
from yingji.warnings.models import STATUSES, Warning, WarningArea, WarningInfo
from yingji.warnings.profile import division_codes

VIEWS = ("all", "current", "pending", "drafts", "ended")
_LEVEL_RANK = case({"red": 1, "orange": 2, "yellow": 3, "blue": 4}, value=Warning.level, else_=5)


def list_warnings(
    session: Session,
    principal: Principal,
    *,
    view: str = "all",
    status: str | None = None,
    level: str | None = None,
    q: str = "",
    within: str | None = None,
    page: int = 1,
    size: int = 50,
) -> Page[Warning]:
    """Warnings in the principal's scope, newest first (current ones by level)."""
    if view not in VIEWS or (status and status not in STATUSES):
        raise ValidationFailed(details=[{"field": "view", "message": "This value is not valid."}])
    stmt = select(Warning).where(in_scope(Warning.jurisdiction_code, principal))
    if within:
        if not principal.covers(within):
            raise NotFound()
        stmt = stmt.where(Warning.jurisdiction_code.startswith(within))
    now = clock.now()
    if view == "current":
        stmt = stmt.where(
            Warning.status == S.PUBLISHED, or_(Warning.expires.is_(None), Warning.expires > now)
        )
        stmt = stmt.order_by(_LEVEL_RANK, Warning.sent.desc())
    else:
        if view == "pending":
            stmt = stmt.where(Warning.status.in_(PENDING))
        elif view == "drafts":
            stmt = stmt.where(Warning.status == S.DRAFT)
        elif view == "ended":
            stmt = stmt.where(Warning.status.in_(ENDED))
        stmt = stmt.order_by(Warning.id.desc())
    if status:
        stmt = stmt.where(Warning.status == status)
    if level:
        stmt = stmt.where(Warning.level == level)
    if q.strip():
        like = f"%{q.strip()}%"
        stmt = stmt.where(
            or_(Warning.headline.ilike(like), Warning.event.ilike(like), Warning.identifier.ilike(like))
        )
    return paginate(session, stmt, page, size)


def next_expiry(session: Session, principal: Principal) -> datetime | None:
    """When the first warning in force in scope expires: the list of those in force changes then,
    without a write."""
    return session.scalar(
        select(func.min(Warning.expires)).where(
            in_scope(Warning.jurisdiction_code, principal),
            Warning.status == S.PUBLISHED,
            Warning.expires > clock.now(),
        )
    )


def area_codes(session: Session, warnings) -> dict[int, list[str]]:
    """Each warning's divisions (its areas' geocodes) for a page of warnings, in one query."""
    ids = [w.id for w in warnings]
    if not ids:
        return {}
    rows = session.execute(
        select(WarningInfo.warning_id, WarningArea.geocodes)
        .join(WarningArea, WarningArea.info_id == WarningInfo.id)
        .where(WarningInfo.warning_id.in_(ids))
        .order_by(WarningInfo.warning_id, WarningInfo.seq, WarningArea.seq)
    )
    found: dict[int, list] = {}
    for warning_id, geocodes in rows:
        found.setdefault(warning_id, []).extend(geocodes or [])
    return {warning_id: division_codes(g) for warning_id, g in found.items()}


def get_warning(session: Session, principal: Principal, warning_id: int) -> Warning:
    return visible(principal, session.get(Warning, warning_id))


def chain(session: Session, warning: Warning) -> list[Warning]:
    """Every issue of the warning's chain (first issue, updates, lift), oldest first."""
    root_id = warning.root_id or warning.id
    return list(
        session.scalars(
            select(Warning).where(or_(Warning.id == root_id, Warning.root_id == root_id)).order_by(Warning.id)
        )
    )


def current_public(session: Session, *, limit: int = 200) -> list[Warning]:
    """Published, unexpired, actual, public warnings: the public page and the Atom index."""
    now = clock.now()
    stmt = (
        select(Warning)
        .where(
            Warning.status == S.PUBLISHED,
            or_(Warning.expires.is_(None), Warning.expires > now),
            Warning.cap_status == "Actual",
            Warning.scope == "Public",
            Warning.drill_id.is_(None),  # a drill's warning is never public
        )
        .order_by(_LEVEL_RANK, Warning.sent.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))

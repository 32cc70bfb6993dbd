"""Jurisdictions as places: lookup, children with counts, breadcrumbs, name search."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal, in_scope, visible
from yingji.org.codes import CHILD_LEVEL, LEVEL_LENGTH, GridRole, ancestors, subtree_bounds
from yingji.org.models import GridAssignment, GridCell, Jurisdiction, Person

COUNTED_LEVELS = ("county", "town", "village", "group")


@dataclass
class PlaceCounts:
    code: str
    name: str
    level: str
    counts: dict[str, int] = field(default_factory=dict)


def get(session: Session, principal: Principal, code: str) -> Jurisdiction:
    return visible(principal, session.get(Jurisdiction, code), code)


def names(session: Session, codes) -> dict[str, str]:
    """Code → name of the given divisions (for lists that carry codes)."""
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    rows = session.execute(select(Jurisdiction.code, Jurisdiction.name).where(Jurisdiction.code.in_(wanted)))
    return dict(rows.all())


def root(session: Session, principal: Principal) -> Jurisdiction | None:
    """The principal's own jurisdiction (the top of what they see)."""
    if not principal.jurisdiction_code:
        return session.scalar(
            select(Jurisdiction).where(Jurisdiction.parent_code.is_(None)).order_by(Jurisdiction.code)
        )
    return session.get(Jurisdiction, principal.jurisdiction_code)


def within(session: Session, principal: Principal, code: str) -> tuple[str, str]:
    """Bounds of a subtree the principal asked to narrow to; a place they cannot see is 404."""
    get(session, principal, code)
    return subtree_bounds(code)


def narrow(session: Session, principal: Principal, stmt, column, code: str | None):
    """``stmt`` narrowed to the subtree of ``code`` on ``column`` (a division code column); without a
    code as it was. A place the principal cannot see is 404."""
    if not code:
        return stmt
    low, high = within(session, principal, code)
    return stmt.where(column >= low, column < high)


def breadcrumbs(session: Session, principal: Principal, place: Jurisdiction) -> list[Jurisdiction]:
    """Ancestors the principal may see, top first, then the place itself."""
    codes = [c for c in ancestors(place.code) if principal.covers(c)]
    rows = {j.code: j for j in session.scalars(select(Jurisdiction).where(Jurisdiction.code.in_(codes)))}
    return [rows[c] for c in codes if c in rows] + [place]


def children(session: Session, principal: Principal, code: str) -> list[Jurisdiction]:
    get(session, principal, code)
    return list(
        session.scalars(
            select(Jurisdiction).where(Jurisdiction.parent_code == code).order_by(Jurisdiction.code)
        )
    )


def _range(code: str):
    low, high = subtree_bounds(code)
    return low, high


def subtree_counts(session: Session, code: str) -> dict[str, int]:
    """How many divisions of each level, grid cells, grid workers and people lie under ``code``."""
    low, high = _range(code)
    counts = {level: 0 for level in COUNTED_LEVELS}
    for level, n in session.execute(
        select(Jurisdiction.level, func.count())
        .where(Jurisdiction.code > low, Jurisdiction.code < high)
        .group_by(Jurisdiction.level)
    ):
        counts[level] = n
    counts["grid_cells"] = session.scalar(
        select(func.count()).where(GridCell.jurisdiction_code >= low, GridCell.jurisdiction_code < high)
    )
    counts["grid_workers"] = session.scalar(
        select(func.count(func.distinct(GridAssignment.person_id))).where(
            GridAssignment.jurisdiction_code >= low,
            GridAssignment.jurisdiction_code < high,
            GridAssignment.role == GridRole.WORKER,
        )
    )
    counts["people"] = session.scalar(
        select(func.count()).where(
            Person.jurisdiction_code >= low, Person.jurisdiction_code < high, Person.active
        )
    )
    return counts


def children_with_counts(session: Session, principal: Principal, code: str) -> list[PlaceCounts]:
    """The children of ``code`` with per-child counts, in a few grouped range queries."""
    parent = get(session, principal, code)
    child_level = CHILD_LEVEL.get(parent.level)
    if child_level is None:
        return []
    n = LEVEL_LENGTH[child_level]
    low, high = _range(code)
    kids = children(session, principal, code)
    result = {k.code: PlaceCounts(k.code, k.name, k.level) for k in kids}
    child_of = func.substr(Jurisdiction.code, 1, n)
    for level in COUNTED_LEVELS:
        if LEVEL_LENGTH[level] <= n:
            continue
        q = (
            select(child_of, func.count())
            .where(Jurisdiction.code > low, Jurisdiction.code < high, Jurisdiction.level == level)
            .group_by(child_of)
        )
        for child, count in session.execute(q):
            if child in result:
                result[child].counts[level] = count
    grouped = [
        ("grid_cells", GridCell.jurisdiction_code, func.count(), None),
        (
            "grid_workers",
            GridAssignment.jurisdiction_code,
            func.count(func.distinct(GridAssignment.person_id)),
            GridAssignment.role == GridRole.WORKER,
        ),
        ("people", Person.jurisdiction_code, func.count(), Person.active),
    ]
    for key, column, agg, extra in grouped:
        child_col = func.substr(column, 1, n)
        cond = and_(column >= low, column < high, func.length(column) >= n)
        if extra is not None:
            cond = and_(cond, extra)
        for child, count in session.execute(select(child_col, agg).where(cond).group_by(child_col)):
            if child in result:
                result[child].counts[key] = count
    return list(result.values())


def search(session: Session, principal: Principal, q: str, limit: int = 20) -> list[Jurisdiction]:
    q = (q or "").strip()
    if not q:
        return []
    stmt = select(Jurisdiction).where(in_scope(Jurisdiction.code, principal))
    if q.isdigit():
        stmt = stmt.where(Jurisdiction.code.startswith(q))
    else:
        stmt = stmt.where(Jurisdiction.name.contains(q, autoescape=True))
    return list(
        session.scalars(stmt.order_by(func.length(Jurisdiction.code), Jurisdiction.code).limit(limit))
    )


def names_in_text(session: Session, principal: Principal, text: str, limit: int = 10) -> list[Jurisdiction]:
    """Places whose full name occurs in ``text`` (every substring is a candidate: texts are short,
    so this is one indexed IN query instead of a scan of every name)."""
    text = text.strip()[:40]
    candidates = {text[i:j] for i in range(len(text)) for j in range(i + 2, min(len(text), i + 20) + 1)}
    if not candidates:
        return []
    rows = session.scalars(
        select(Jurisdiction)
        .where(Jurisdiction.name.in_(candidates), in_scope(Jurisdiction.code, principal))
        .order_by(func.length(Jurisdiction.name).desc(), func.length(Jurisdiction.code).desc())
        .limit(limit)
    )
    return list(rows)

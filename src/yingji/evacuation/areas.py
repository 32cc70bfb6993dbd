"""Where an order applies: division prefixes as index ranges, clipped to a principal's subtree, the
order's visibility to the field (a grid worker sees an order whose area overlaps their place) and the
level one below a place for the accounting's rows."""

from __future__ import annotations

from sqlalchemy import and_, false, or_, select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal
from yingji.auth.security import note_refusal
from yingji.core.errors import NotFound
from yingji.org.codes import subtree_bounds
from yingji.org.models import Jurisdiction

# Significant lengths of the division levels (province … village group).
LENGTHS = (2, 4, 6, 9, 12, 15)
LEVEL_OF_LENGTH = {2: "province", 4: "city", 6: "county", 9: "town", 12: "village", 15: "group"}


def minimal(prefixes: list[str]) -> list[str]:
    """Drop prefixes already inside another one."""
    out: list[str] = []
    for p in sorted(set(prefixes), key=lambda c: (len(c), c)):
        if not any(p.startswith(q) for q in out):
            out.append(p)
    return sorted(out)


def ranges(column, prefixes: list[str]):
    """SQL: the column's code lies in one of the subtrees (an OR of index ranges)."""
    if not prefixes:
        return false()
    conds = []
    for p in prefixes:
        low, high = subtree_bounds(p)
        conds.append(and_(column >= low, column < high))
    return or_(*conds)


def clip(prefixes: list[str], scope: str) -> list[str]:
    """The parts of the subtrees that lie inside ``scope``: a prefix above the scope becomes the scope."""
    if not scope:
        return minimal(prefixes)
    out = []
    for p in prefixes:
        if p.startswith(scope):
            out.append(p)
        elif scope.startswith(p):
            out.append(scope)
    return minimal(out)


def common_root(session: Session, prefixes: list[str]) -> str:
    """The smallest division that holds every prefix (and exists in the registry)."""
    if not prefixes:
        return ""
    root = prefixes[0]
    for p in prefixes[1:]:
        n = 0
        while n < min(len(root), len(p)) and root[n] == p[n]:
            n += 1
        root = root[:n]
    for n in sorted((n for n in LENGTHS if n <= len(root)), reverse=True):
        if session.scalar(select(Jurisdiction.code).where(Jurisdiction.code == root[:n])):
            return root[:n]
    return ""


def overlaps(principal: Principal, order) -> bool:
    """Whether the principal may see the order: it covers the issuer's place, or the order's area
    overlaps the principal's place (the grid workers of a village under a county's order)."""
    if principal.covers(order.jurisdiction_code):
        return True
    mine = principal.jurisdiction_code
    return any(code.startswith(mine) or mine.startswith(code) for code in order.area_codes or [])


def visible_order(principal: Principal, order):
    if order is None:
        raise NotFound()
    if not overlaps(principal, order):
        note_refusal(principal, "scope_probe", 404, entity="evacuation_orders", entity_id=order.id)
        raise NotFound()
    return order


def narrowest(principal: Principal, order, within: str | None) -> str:
    """The place the accounting is read for: ``within`` if given (inside the principal's view), else
    the narrower of the order's area root and the principal's place."""
    mine = principal.jurisdiction_code
    root = order_root(order)
    if within:
        if not principal.covers(within):
            note_refusal(principal, "scope_probe", 404, entity="evacuation_orders", entity_id=order.id)
            raise NotFound()
        return within
    if mine.startswith(root):
        return mine
    return root


def order_root(order) -> str:
    codes = order.area_codes or []
    if not codes:
        return order.jurisdiction_code
    root = codes[0]
    for p in codes[1:]:
        n = 0
        while n < min(len(root), len(p)) and root[n] == p[n]:
            n += 1
        root = root[:n]
    fit = [n for n in LENGTHS if n <= len(root)]
    return root[: fit[-1]] if fit else ""


def below(code: str) -> int:
    """The code length of the level one below ``code`` (a group stays a group)."""
    for n in LENGTHS:
        if n > len(code):
            return n
    return 15

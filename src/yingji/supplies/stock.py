"""Reading stock: a store's holdings by item and batch, stock cards (the movement history of one item
in one store with its running balance), documents of a store, batches near expiry, totals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal, in_scope
from yingji.core import clock
from yingji.core.pagination import Page, paginate
from yingji.org import places
from yingji.supplies.models import Balance, Batch, Document, Item, Movement, Warehouse


@dataclass
class StockLine:
    item: Item
    qty: int
    batches: list[tuple[Batch, int]]
    owned_by_others: int  # 代储: held here, owned by another jurisdiction
    next_expiry: date | None


def holdings(session: Session, warehouse: Warehouse) -> list[StockLine]:
    """What a store holds, per item (with its batches), in catalogue order."""
    rows = session.execute(
        select(Balance.qty, Batch, Item)
        .join(Batch, Batch.id == Balance.batch_id)
        .join(Item, Item.id == Balance.item_id)
        .where(Balance.warehouse_id == warehouse.id, Balance.qty > 0)
        .order_by(Item.category, Item.code, Batch.expires_on, Batch.id)
    ).all()
    lines: dict[int, StockLine] = {}
    for qty, batch, item in rows:
        line = lines.setdefault(item.id, StockLine(item, 0, [], 0, None))
        line.qty += qty
        line.batches.append((batch, qty))
        if batch.owner_code != warehouse.jurisdiction_code:
            line.owned_by_others += qty
        if batch.expires_on and (line.next_expiry is None or batch.expires_on < line.next_expiry):
            line.next_expiry = batch.expires_on
    return list(lines.values())


def quantities(session: Session, warehouse_ids: list[int]) -> dict[tuple[int, int], int]:
    """(warehouse_id, item_id) → units held, for many stores at once."""
    if not warehouse_ids:
        return {}
    rows = session.execute(
        select(Balance.warehouse_id, Balance.item_id, func.sum(Balance.qty))
        .where(Balance.warehouse_id.in_(warehouse_ids))
        .group_by(Balance.warehouse_id, Balance.item_id)
    )
    return {(w, i): int(q) for w, i, q in rows}


@dataclass
class CardRow:
    at: datetime
    document_id: int
    kind: str
    batch_no: str
    delta: int
    balance: int  # of the item in the store after this movement
    actor: str | None


def stock_card(session: Session, warehouse: Warehouse, item: Item, page: int = 1, size: int = 50) -> Page:
    """The stock card (物资台账卡) of an item in a store, newest first, with running balances."""
    base = select(Movement).where(Movement.warehouse_id == warehouse.id, Movement.item_id == item.id)
    result = paginate(session, base.order_by(Movement.id.desc()), page, size)
    if not result.items:
        return result
    oldest = result.items[-1].id
    before = session.scalar(
        select(func.coalesce(func.sum(Movement.delta), 0)).where(
            Movement.warehouse_id == warehouse.id, Movement.item_id == item.id, Movement.id < oldest
        )
    )
    batch_nos = dict(
        session.execute(
            select(Batch.id, Batch.batch_no).where(Batch.id.in_({m.batch_id for m in result.items}))
        ).all()
    )
    running = int(before)
    rows = []
    for m in reversed(result.items):
        running += m.delta
        rows.append(
            CardRow(m.at, m.document_id, m.kind, batch_nos.get(m.batch_id, ""), m.delta, running, m.actor)
        )
    result.items = list(reversed(rows))
    return result


def documents_of(session: Session, warehouse: Warehouse, page: int = 1, size: int = 30) -> Page:
    """Documents that moved this store's stock (as source or as destination), newest first."""
    stmt = select(Document).where(
        (Document.warehouse_id == warehouse.id) | (Document.to_warehouse_id == warehouse.id)
    )
    return paginate(session, stmt.order_by(Document.id.desc()), page, size)


@dataclass
class Expiring:
    warehouse: Warehouse
    item: Item
    batch: Batch
    qty: int
    days_left: int


def expiring(
    session: Session, principal: Principal, *, days: int = 90, within: str | None = None, limit: int = 500
) -> list[Expiring]:
    """Batches in stores in scope that expire within ``days`` (expired ones first)."""
    today = clock.now().date()
    stmt = (
        select(Balance.qty, Warehouse, Item, Batch)
        .join(Warehouse, Warehouse.id == Balance.warehouse_id)
        .join(Batch, Batch.id == Balance.batch_id)
        .join(Item, Item.id == Balance.item_id)
        .where(
            Balance.qty > 0,
            Batch.expires_on.is_not(None),
            Batch.expires_on <= today + timedelta(days=days),
            in_scope(Balance.jurisdiction_code, principal),
        )
    )
    if within:
        low, high = places.within(session, principal, within)
        stmt = stmt.where(Balance.jurisdiction_code >= low, Balance.jurisdiction_code < high)
    rows = session.execute(stmt.order_by(Batch.expires_on, Warehouse.id).limit(limit)).all()
    return [Expiring(w, i, b, q, (b.expires_on - today).days) for q, w, i, b in rows]


def totals(session: Session, principal: Principal, within: str | None = None) -> dict[str, int]:
    """Headline figures for the overview tiles."""
    wh = select(Warehouse.level, func.count()).where(
        in_scope(Warehouse.jurisdiction_code, principal), Warehouse.active
    )
    units = select(func.coalesce(func.sum(Balance.qty), 0)).where(
        in_scope(Balance.jurisdiction_code, principal)
    )
    if within:
        low, high = places.within(session, principal, within)
        wh = wh.where(Warehouse.jurisdiction_code >= low, Warehouse.jurisdiction_code < high)
        units = units.where(Balance.jurisdiction_code >= low, Balance.jurisdiction_code < high)
    by_level = dict(session.execute(wh.group_by(Warehouse.level)).all())
    return {
        "stores": sum(by_level.values()),
        "town_stores": by_level.get("town", 0),
        "village_stores": by_level.get("village", 0),
        "county_stores": by_level.get("county", 0) + by_level.get("city", 0),
        "units": int(session.scalar(units) or 0),
    }

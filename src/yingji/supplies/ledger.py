"""The stock ledger's one write path: change a batch's balance in a store and append the movement.

Taking stock out is ``UPDATE … SET qty = qty - n WHERE … AND qty >= n RETURNING qty``: the row lock
(PostgreSQL re-checks the condition after waiting for it) or SQLite's single writer make it safe under
any concurrency, and ``CHECK (qty >= 0)`` backs it up. Putting stock in is an upsert. Touches are
applied in (store, batch) order, so two documents never wait for each other's rows in a cycle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from yingji.auth.audit import actor_of
from yingji.core import clock
from yingji.core.errors import Conflict
from yingji.supplies.models import Balance, Batch, Item, Movement, Warehouse
from yingji.supplies.statements import Sql, cursor

DEFAULT_BATCH = "-"


class NotEnoughStock(Conflict):
    code = "not_enough_stock"
    message = "Not enough stock of {item} in {store}: {available} available, {requested} requested."


def _insert(session: Session):
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def batch_for(
    session: Session,
    item,
    *,
    owner_code: str,
    jurisdiction_code: str,
    batch_no: str | None = None,
    expires_on: date | None = None,
    produced_on: date | None = None,
    owner_name: str | None = None,
    via: tuple | None = None,
) -> int:
    """The id of the batch (item, number, owner), created if new. Without a number, batches are told
    apart by expiry date, so receipts of the same item and expiry share one. (The bare driver: every
    receipt line asks, see ``supplies.posting``; ``via``: the post's (cursor, is PostgreSQL).)"""
    number = batch_no or (f"E{expires_on:%Y%m%d}" if expires_on else DEFAULT_BATCH)
    key = {"item": item.id, "no": number, "owner": owner_code}
    cur, pg = via or cursor(session)
    try:
        found = _FIND_BATCH.run(cur, pg, key).fetchone()
        if found is not None:
            return found[0]
        stamp = clock.now().replace(tzinfo=None)
        new = key | {
            "owner_name": owner_name,
            "expires": expires_on,
            "produced": produced_on,
            "jur": jurisdiction_code,
            "at": stamp if pg else stamp.strftime("%Y-%m-%d %H:%M:%S.%f"),
        }
        if not pg:  # SQLite stores dates as ISO text
            new |= {
                k: v.isoformat() if v else None
                for k, v in (("expires", expires_on), ("produced", produced_on))
            }
        _NEW_BATCH.run(cur, pg, new)
        return _FIND_BATCH.run(cur, pg, key).fetchone()[0]
    finally:
        if via is None:
            cur.close()


_FIND_BATCH = Sql(
    "SELECT id FROM supply_batches WHERE item_id = :item AND batch_no = :no AND owner_code = :owner"
)
_NEW_BATCH = Sql(
    "INSERT INTO supply_batches (item_id, batch_no, owner_code, owner_name, expires_on, produced_on,"
    " jurisdiction_code, created_at) VALUES (:item, :no, :owner, :owner_name, :expires, :produced, :jur, :at)"
    " ON CONFLICT (item_id, batch_no, owner_code) DO NOTHING"
)


@dataclass
class Touch:
    """One planned change of one batch's balance in one store."""

    warehouse: Warehouse
    batch_id: int
    item: Item
    delta: int
    kind: str
    line_id: int
    sort_key: tuple = field(init=False)

    def __post_init__(self) -> None:
        self.sort_key = (self.warehouse.id, self.batch_id, self.line_id)


def lock_balances(
    session: Session, warehouse_id: int, item_ids: list[int]
) -> dict[int, list[tuple[int, int, date | None]]]:
    """Stock of some items in a store: item id → [(batch_id, qty, expires_on)], first-expiring
    first. On PostgreSQL the rows are locked in batch order (every document locks in the same
    order, so none waits for another in a cycle); SQLite has one writer at a time already."""
    stmt = (
        select(Balance.item_id, Balance.batch_id, Balance.qty, Batch.expires_on)
        .join(Batch, Batch.id == Balance.batch_id)
        .where(Balance.warehouse_id == warehouse_id, Balance.item_id.in_(sorted(set(item_ids))))
        .order_by(Balance.batch_id)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=Balance)
    out: dict[int, list[tuple[int, int, date | None]]] = {i: [] for i in item_ids}
    for item_id, batch_id, qty, expires in session.execute(stmt):
        out[item_id].append((batch_id, qty, expires))
    for rows in out.values():
        rows.sort(key=lambda r: (r[2] is None, r[2] or date.max, r[0]))
    return out


def balance_of(session: Session, warehouse_id: int, batch_id: int) -> int:
    return (
        session.scalar(
            select(Balance.qty).where(Balance.warehouse_id == warehouse_id, Balance.batch_id == batch_id)
        )
        or 0
    )


def apply(session: Session, document_id: int, touches: list[Touch]) -> list[dict]:
    """Apply the touches (in a deadlock-free order) and append their movements; returns the
    movement rows. Raises NotEnoughStock (and the caller's transaction rolls back) if a batch would
    go below zero."""
    actor = actor_of(session)
    now = clock.now()
    rows = []
    for t in sorted(touches, key=lambda t: t.sort_key):
        if t.delta == 0:
            continue
        after = _change(session, t, now)
        rows.append(
            {
                "at": now,
                "document_id": document_id,
                "line_id": t.line_id,
                "warehouse_id": t.warehouse.id,
                "batch_id": t.batch_id,
                "item_id": t.item.id,
                "kind": t.kind,
                "delta": t.delta,
                "balance_after": after,
                "jurisdiction_code": t.warehouse.jurisdiction_code,
                "actor": actor.name,
                "actor_id": actor.user_id,
            }
        )
    if rows:
        session.execute(insert(Movement), rows)
    return rows


def _change(session: Session, t: Touch, now) -> int:
    if t.delta < 0:
        need = -t.delta
        after = session.execute(
            update(Balance)
            .where(
                Balance.warehouse_id == t.warehouse.id, Balance.batch_id == t.batch_id, Balance.qty >= need
            )
            .values(qty=Balance.qty - need, updated_at=now)
            .returning(Balance.qty)
            .execution_options(synchronize_session=False)
        ).scalar()
        if after is None:
            raise NotEnoughStock(
                item=t.item.name,
                store=t.warehouse.name,
                available=balance_of(session, t.warehouse.id, t.batch_id),
                requested=need,
            )
        return after
    ins = _insert(session)(Balance).values(
        warehouse_id=t.warehouse.id,
        batch_id=t.batch_id,
        item_id=t.item.id,
        qty=t.delta,
        jurisdiction_code=t.warehouse.jurisdiction_code,
        updated_at=now,
    )
    ins = ins.on_conflict_do_update(
        index_elements=["warehouse_id", "batch_id"],
        set_={"qty": Balance.qty + ins.excluded.qty, "updated_at": now},
    )
    return session.execute(ins.returning(Balance.qty)).scalar_one()

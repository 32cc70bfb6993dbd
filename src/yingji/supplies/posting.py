"""Posting a stock document in a few set-based statements: the ledger's hot path.

A document (receipt, issue, transfer, count) is read and written as plain rows, not ORM objects:

1. ``read``: ONE statement fetches all a post needs: an earlier document with the client key (its
   fingerprint), the store, the items named and, for documents that take stock, the items' balances
   in the store with their expiry (first-expiring first).
2. ``write``: on PostgreSQL ONE statement (data-modifying CTEs): the document claims its key
   (``ON CONFLICT (client_key) DO NOTHING``); only if it did, the balances change — decrements by the
   guarded ``UPDATE … WHERE qty + delta >= 0`` (re-checked on the newest row version after a wait),
   increments by an upsert; only if every balance changed, the lines, the movements (with each
   balance after) and the document's audit row go in. On SQLite, which has one writer at a time and
   no data-modifying CTEs, the same rows are written by a handful of statements in the write
   transaction that also did the read.

What the ORM path guaranteed holds: a balance never goes below zero (the guard, then ``CHECK``); a
key makes one document (a retry gets the first one back, a concurrent twin waits on the unique index
and then finds it); the audit row is the one the audit listener writes for a new ``Document`` (the
create snapshot of every column, same table, same actor, address and request id). Balances are
locked in (store, batch) order whenever a document changes more than one of them, so two documents
never wait for each other in a cycle; a document changing one balance needs no lock beforehand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from yingji.auth.audit import actor_of
from yingji.core import clock
from yingji.core.errors import NotFound
from yingji.core.text import clean
from yingji.supplies.models import Document, DocumentLine
from yingji.supplies.statements import (
    DOC_COLUMNS,
    Line,
    Sql,
    Stale,  # noqa: F401  (callers catch posting.Stale)
    cursor,
    is_pg,
    write_pg,
    write_seq,
)


class Store(NamedTuple):
    """What a post needs of a store (duck-types ``Warehouse`` for ``warehouses.check_move``)."""

    id: int
    name: str
    jurisdiction_code: str
    active: bool


class ItemRow(NamedTuple):
    id: int
    code: str
    name: str
    active: bool
    shelf_life_months: int | None


@dataclass
class Facts:
    """Everything one read returns, and the driver cursor it was read with (the post writes with it:
    one look-up of the session's connection per post)."""

    earlier: tuple[int, str] | None  # (document id, fingerprint) of the client key, if used
    store: Store | None
    items: dict[str, ItemRow]
    stock: dict[int, list[tuple[int, int, date | None]]] = field(default_factory=dict)
    cur: object = None
    pg: bool = False


_READ = """
SELECT d.id AS doc_id, d.fingerprint AS doc_fp,
       w.id AS w_id, w.name AS w_name, w.jurisdiction_code AS w_jur, w.active AS w_active,
       i.id AS i_id, i.code AS i_code, i.name AS i_name, i.active AS i_active,
       i.shelf_life_months AS i_life,
       b.batch_id AS b_id, b.qty AS b_qty, bt.expires_on AS b_expires
FROM (SELECT 1 AS one) AS one
LEFT JOIN supply_documents AS d ON d.client_key = :key
LEFT JOIN supply_warehouses AS w ON w.id = :wid
LEFT JOIN supply_items AS i ON i.code {codes}
LEFT JOIN supply_balances AS b ON :stock AND b.warehouse_id = w.id AND b.item_id = i.id
LEFT JOIN supply_batches AS bt ON bt.id = b.batch_id
"""  # no ORDER BY: the stock is sorted below (first-expiring first), which is the order that counts
READ_PG = Sql(_READ.replace("{codes}", "= ANY(:codes)"))


@lru_cache(maxsize=16)
def _read_sqlite(n: int) -> str:
    """SQLite's read for ``n`` codes, with positional marks (key, store, codes…, stock)."""
    sql = _READ.replace("{codes}", "IN (" + ", ".join(["?"] * n) + ")")
    return sql.replace(":key", "?").replace(":wid", "?").replace(":stock", "?")


def read(session: Session, key: str, warehouse_id: int, codes: list[str], *, stock: bool) -> Facts:
    """The key's earlier document, the store, the items and (``stock``) their balances, in one read."""
    codes = list(dict.fromkeys(codes))
    cur, pg = cursor(session)
    if pg:
        rows = READ_PG.run(cur, pg, {"key": key, "wid": warehouse_id, "stock": stock, "codes": codes})
    else:
        rows = cur.execute(_read_sqlite(len(codes)), (key, warehouse_id, *codes, stock))
    rows = rows.fetchall()
    facts = Facts(None, None, {}, cur=cur, pg=pg)
    items, all_stock = facts.items, facts.stock
    for doc_id, doc_fp, w_id, w_name, w_jur, w_active, i_id, i_code, i_name, i_active, i_life, *b in rows:
        if doc_id is not None:
            facts.earlier = (doc_id, doc_fp)
        if w_id is not None and facts.store is None:
            facts.store = Store(w_id, w_name, w_jur, bool(w_active))
        if i_id is not None:
            if i_code not in items:
                items[i_code] = ItemRow(i_id, i_code, i_name, bool(i_active), i_life)
                all_stock[i_id] = []
            b_id, b_qty, expires = b
            if b_id is not None:
                if isinstance(expires, str):  # SQLite hands dates back as text in a raw statement
                    expires = date.fromisoformat(expires)
                all_stock[i_id].append((b_id, b_qty, expires))
    for batches in all_stock.values():
        if len(batches) > 1:
            batches.sort(key=_expiry_order)
    return facts


def _expiry_order(b: tuple[int, int, date | None]) -> tuple:
    return b[2] is None, b[2] or date.max, b[0]


@dataclass
class Posted:
    """A document just written: its id, its row and its lines with their ids."""

    id: int
    row: dict
    lines: list[Line]
    line_ids: list[int]


def _row(values: dict, actor, now: datetime) -> dict:
    get = values.get
    row = {c: get(c) for c in DOC_COLUMNS}
    row["created_by"] = actor.name
    row["created_by_id"] = actor.user_id
    row["created_at"] = now
    row["completed_at"] = now if values["status"] == "done" else None
    # what the flush guard does for ORM rows (inputs arrive cleaned; callers compose some texts)
    for key in ("note", "counterparty"):
        if row[key] is not None:
            row[key] = clean(row[key])
    return row


def _snapshot(row: dict) -> dict:
    """The audit listener's create snapshot of a new document (``auth.audit.snapshot``)."""
    out = dict(row)
    for key in ("created_at", "completed_at"):  # the row's only times
        if out[key] is not None:
            out[key] = out[key].isoformat()
    return out


def write(
    session: Session,
    values: dict,
    lines: list[Line],
    move_kind: str,
    facts: Facts | None = None,
    held: dict[int, int] | None = None,
) -> Posted | None:
    """Post the document: its row, lines, balance changes, movements and audit row. Returns the new
    document, or None when a concurrent request with the same key made it first (nothing was
    written). Raises ``Stale`` when a decrement's guard failed (nothing was written).

    ``facts``: the read of this post (its cursor is written with). ``held`` (SQLite): batch → qty of
    the batches taken from, as read in this transaction; SQLite's one writer (a write after a stale
    read fails) makes each balance after the change known without reading it back."""
    actor = actor_of(session)
    now = clock.now()
    row = _row(values, actor, now)
    audit = {
        "at": now,
        "actor_id": actor.user_id,
        "actor": actor.name,
        "jur": row["jurisdiction_code"],
        "after": _snapshot(row),
        "ip": actor.ip,
        "request_id": actor.request_id,
    }
    cur, pg = (facts.cur, facts.pg) if facts is not None else cursor(session)
    if pg:
        batches = [x.batch_id for x in lines if x.delta]
        if len(set(batches)) == len(batches):
            done = write_pg(cur, row, now, lines, move_kind, audit)
        else:  # a batch changed twice by one document, under the caller's lock
            done = write_seq(cur, True, row, now, lines, move_kind, audit, None)
    else:
        done = write_seq(cur, False, row, now, lines, move_kind, audit, held)
    return None if done is None else Posted(done[0], row, lines, done[1])


def as_document(session: Session, posted: Posted) -> Document:
    """The ORM document of a post, built from what was written (no read) and put in the session as
    a persistent object: its store, items and batches load when first asked for."""
    doc = Document(id=posted.id, **posted.row)
    make_transient_to_detached(doc)
    rows = []
    for x, line_id in zip(posted.lines, posted.line_ids, strict=True):
        line = DocumentLine(
            id=line_id,
            document_id=posted.id,
            line_no=x.line_no,
            item_id=x.item_id,
            batch_id=x.batch_id,
            qty=x.qty,
            delta=x.delta,
            counted=x.counted,
            reason=x.reason,
            received_qty=0,
            returned_qty=0,
            jurisdiction_code=posted.row["jurisdiction_code"],
        )
        make_transient_to_detached(line)
        rows.append(line)
    set_committed_value(doc, "lines", rows)
    session.add(doc)
    for line in rows:
        session.add(line)
    return doc


def lock(session: Session, warehouse_id: int, batch_ids: list[int]) -> None:
    """Lock the balances a document will change, in batch order (PostgreSQL; SQLite has one writer)."""
    if batch_ids and is_pg(session):
        cur, pg = cursor(session)
        _PG_LOCK.run(cur, pg, {"wid": warehouse_id, "batches": sorted(set(batch_ids))}).fetchall()
        cur.close()


_PG_LOCK = Sql(
    "SELECT id FROM supply_balances WHERE warehouse_id = :wid AND batch_id = ANY(CAST(:batches AS bigint[]))"
    " ORDER BY batch_id FOR UPDATE"
)


def require_store(facts: Facts) -> Store:
    if facts.store is None:
        raise NotFound()
    return facts.store

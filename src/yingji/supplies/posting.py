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

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from yingji.auth.audit import actor_of
from yingji.core import clock
from yingji.core.errors import NotFound
from yingji.core.text import clean
from yingji.supplies.models import Document, DocumentLine


class Sql:
    """A statement written with ``:name`` parameters, run on the session's connection by the bare
    driver (sqlite3 takes ``:name``, psycopg ``%(name)s``): the hot path skips SQLAlchemy's work per
    statement, which cost more than the statement itself."""

    def __init__(self, sql: str) -> None:
        self.sqlite = sql
        self.pg = re.sub(r"(?<![:\w]):(\w+)", r"%(\1)s", sql)

    def run(self, cur, pg: bool, params: dict):
        cur.execute(self.pg if pg else self.sqlite, params)
        return cur


def cursor(session: Session) -> tuple[object, bool]:
    """A driver cursor in the session's transaction (SQLite's ``BEGIN IMMEDIATE`` included), and
    whether the database is PostgreSQL."""
    conn = session.connection()
    return conn.connection.dbapi_connection.cursor(), conn.dialect.name == "postgresql"


@dataclass(frozen=True)
class Store:
    """What a post needs of a store (duck-types ``Warehouse`` for ``warehouses.check_move``)."""

    id: int
    name: str
    jurisdiction_code: str
    active: bool


@dataclass(frozen=True)
class ItemRow:
    id: int
    code: str
    name: str
    active: bool
    shelf_life_months: int | None


@dataclass
class Facts:
    """Everything one read returns."""

    earlier: tuple[int, str] | None  # (document id, fingerprint) of the client key, if used
    store: Store | None
    items: dict[str, ItemRow]
    stock: dict[int, list[tuple[int, int, date | None]]] = field(default_factory=dict)


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
ORDER BY b.batch_id
"""
READ_PG = Sql(_READ.replace("{codes}", "= ANY(:codes)"))


@lru_cache(maxsize=16)
def _read_sqlite(n: int) -> Sql:
    return Sql(_READ.replace("{codes}", "IN (" + ", ".join(f":c{i}" for i in range(n)) + ")"))


def read(session: Session, key: str, warehouse_id: int, codes: list[str], *, stock: bool) -> Facts:
    """The key's earlier document, the store, the items and (``stock``) their balances, in one read."""
    cur, pg = cursor(session)
    codes = list(dict.fromkeys(codes))
    params = {"key": key, "wid": warehouse_id, "stock": stock}
    if pg:
        rows = READ_PG.run(cur, pg, params | {"codes": codes}).fetchall()
    else:
        rows = _read_sqlite(len(codes)).run(cur, pg, params | {f"c{i}": c for i, c in enumerate(codes)})
        rows = rows.fetchall()
    cur.close()
    facts = Facts(None, None, {})
    for doc_id, doc_fp, w_id, w_name, w_jur, w_active, i_id, i_code, i_name, i_active, i_life, *b in rows:
        if doc_id is not None:
            facts.earlier = (doc_id, doc_fp)
        if w_id is not None and facts.store is None:
            facts.store = Store(w_id, w_name, w_jur, bool(w_active))
        if i_id is not None:
            if i_code not in facts.items:
                facts.items[i_code] = ItemRow(i_id, i_code, i_name, bool(i_active), i_life)
                facts.stock[i_id] = []
            b_id, b_qty, expires = b
            if b_id is not None:
                if isinstance(expires, str):  # SQLite hands dates back as text in a raw statement
                    expires = date.fromisoformat(expires)
                facts.stock[i_id].append((b_id, b_qty, expires))
    for batches in facts.stock.values():
        batches.sort(key=lambda b: (b[2] is None, b[2] or date.max, b[0]))
    return facts


@dataclass(frozen=True)
class Line:
    """One line of a document to post; ``delta`` (signed, store side) moves stock unless 0."""

    line_no: int
    item_id: int
    batch_id: int | None
    qty: int
    delta: int
    counted: int | None = None
    reason: str | None = None


@dataclass
class Posted:
    """A document just written: its id, its row and its lines with their ids."""

    id: int
    row: dict
    lines: list[Line]
    line_ids: list[int]


class Stale(Exception):
    """Nothing was written: the stock read without a lock changed before the write (plan again under
    the lock), or a concurrent request with the same key made its document first."""


DOC_COLUMNS = (
    "kind",
    "status",
    "warehouse_id",
    "to_warehouse_id",
    "jurisdiction_code",
    "to_jurisdiction_code",
    "reason",
    "counterparty",
    "incident_id",
    "request_id",
    "client_key",
    "fingerprint",
    "note",
    "created_by",
    "created_by_id",
    "created_at",
    "completed_at",
)
AUDIT_COLUMNS = (
    "at, actor_id, actor, action, entity, entity_id, jurisdiction_code, before, after, ip, request_id, note"
)
LINE_COLUMNS = (
    "document_id, line_no, item_id, batch_id, qty, delta, counted, reason, received_qty, returned_qty,"
    " jurisdiction_code"
)
MOVE_COLUMNS = (
    "at, document_id, line_id, warehouse_id, batch_id, item_id, kind, delta, balance_after,"
    " jurisdiction_code, actor, actor_id"
)


def document_values(session: Session, values: dict) -> tuple[dict, datetime]:
    """The document's row (every column of ``supply_documents`` but the id) with who and when."""
    actor = actor_of(session)
    now = clock.now()
    row = {c: values.get(c) for c in DOC_COLUMNS} | {
        "created_by": actor.name,
        "created_by_id": actor.user_id,
        "created_at": now,
        "completed_at": now if values["status"] == "done" else None,
    }
    # what the flush guard does for ORM rows (inputs arrive cleaned; callers compose some texts)
    for key in ("note", "counterparty"):
        if row[key] is not None:
            row[key] = clean(row[key])
    return row, now


def _snapshot(row: dict) -> dict:
    """The audit listener's create snapshot of a new document (``auth.audit.snapshot``)."""
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in row.items()}


def write(session: Session, values: dict, lines: list[Line], move_kind: str) -> Posted | None:
    """Post the document: its row, lines, balance changes, movements and audit row. Returns the new
    document, or None when a concurrent request with the same key made it first (nothing was
    written). Raises ``Stale`` when a decrement's guard failed (nothing was written)."""
    row, now = document_values(session, values)
    actor = actor_of(session)
    audit = {
        "at": clock.now(),
        "actor_id": actor.user_id,
        "actor": actor.name,
        "jur": row["jurisdiction_code"],
        "after": _snapshot(row),
        "ip": actor.ip,
        "request_id": actor.request_id,
    }
    pg = session.get_bind().dialect.name == "postgresql"
    batches = [x.batch_id for x in lines if x.delta]
    if pg and len(set(batches)) == len(batches):
        done = _write_pg(session, row, now, lines, move_kind, audit)
    else:  # SQLite, or a batch changed twice by one document (PostgreSQL, under the caller's lock)
        done = _write_seq(session, row, now, lines, move_kind, audit, pg)
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


# -- PostgreSQL: one statement ----------------------------------------------------------------
NOT_POSTED = "yingji-posting-not-posted"
_PG_POST = f"""
WITH doc AS (
    INSERT INTO supply_documents ({", ".join(DOC_COLUMNS)})
    VALUES ({", ".join(":" + c for c in DOC_COLUMNS)})
    ON CONFLICT (client_key) DO NOTHING
    RETURNING id
), l AS (
    SELECT * FROM unnest(
        CAST(:l_no AS int[]), CAST(:l_item AS bigint[]), CAST(:l_batch AS bigint[]),
        CAST(:l_qty AS int[]), CAST(:l_delta AS int[]), CAST(:l_counted AS int[]),
        CAST(:l_reason AS text[])
    ) AS l(line_no, item_id, batch_id, qty, delta, counted, reason)
), took AS (
    UPDATE supply_balances AS b SET qty = b.qty + l.delta, updated_at = CAST(:now AS timestamp)
    FROM l
    WHERE EXISTS (SELECT 1 FROM doc) AND l.delta < 0
      AND b.warehouse_id = :warehouse_id AND b.batch_id = l.batch_id AND b.qty + l.delta >= 0
    RETURNING b.batch_id, b.qty
), put AS (
    INSERT INTO supply_balances (warehouse_id, batch_id, item_id, qty, jurisdiction_code, updated_at)
    SELECT CAST(:warehouse_id AS bigint), l.batch_id, l.item_id, l.delta, CAST(:jurisdiction_code AS varchar),
           CAST(:now AS timestamp)
    FROM l WHERE EXISTS (SELECT 1 FROM doc) AND l.delta > 0
    ON CONFLICT (warehouse_id, batch_id)
    DO UPDATE SET qty = supply_balances.qty + excluded.qty, updated_at = excluded.updated_at
    RETURNING batch_id, qty
), changed AS (
    SELECT * FROM took UNION ALL SELECT * FROM put
), ok AS (
    SELECT count(*) = :touches AS ok FROM changed
), lines AS (
    INSERT INTO supply_document_lines ({LINE_COLUMNS})
    SELECT doc.id, l.line_no, l.item_id, l.batch_id, l.qty, l.delta, l.counted, l.reason, 0, 0,
           CAST(:jurisdiction_code AS varchar)
    FROM doc, l WHERE (SELECT ok FROM ok)
    RETURNING id, line_no
), moved AS (
    INSERT INTO supply_movements ({MOVE_COLUMNS})
    SELECT CAST(:now AS timestamp), doc.id, lines.id, CAST(:warehouse_id AS bigint), l.batch_id, l.item_id,
           CAST(:move_kind AS varchar), l.delta, changed.qty, CAST(:jurisdiction_code AS varchar),
           CAST(:created_by AS varchar), CAST(:created_by_id AS bigint)
    FROM doc, l
    JOIN lines ON lines.line_no = l.line_no
    JOIN changed ON changed.batch_id = l.batch_id
    WHERE l.delta <> 0
    ORDER BY l.batch_id, l.line_no
    RETURNING id
), audited AS (
    INSERT INTO audit_log ({AUDIT_COLUMNS})
    SELECT CAST(:a_at AS timestamp), CAST(:a_actor_id AS bigint), CAST(:a_actor AS varchar), 'create',
           'supply_documents', CAST(doc.id AS text), CAST(:a_jur AS varchar), NULL,
           CAST(:a_after AS jsonb) || jsonb_build_object('id', doc.id), CAST(:a_ip AS varchar),
           CAST(:a_request_id AS varchar), NULL
    FROM doc WHERE (SELECT ok FROM ok)
    RETURNING id
)
SELECT (SELECT id FROM doc) AS doc_id,
       -- not every balance changed (a stale plan) or the key was taken: fail the statement, so the
       -- savepoint around it is rolled back and the row locks its UPDATE took are let go
       CAST((SELECT CASE WHEN ok THEN '1' ELSE '{NOT_POSTED}' END FROM ok) AS int) AS ok,
       (SELECT array_agg(id ORDER BY line_no) FROM lines) AS line_ids
"""
PG_POST = Sql(_PG_POST)


def _naive(value):
    """Datetimes are stored as naive UTC (``core.types.UTCDateTime``)."""
    return clock.to_utc(value).replace(tzinfo=None) if isinstance(value, datetime) else value


def _sqlite_time(value):
    """SQLAlchemy's SQLite text form of a datetime (microseconds always written, so text order is time
    order)."""
    return _naive(value).strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(value, datetime) else value


def _write_pg(session, row, now, lines, move_kind, audit) -> int | None:
    # the set-based UPDATE pairs each balance with one line: one movement per batch here
    touches = [x for x in lines if x.delta]
    params = {k: _naive(v) for k, v in row.items()} | {
        "now": _naive(now),
        "move_kind": move_kind,
        "touches": len(touches),
        "l_no": [x.line_no for x in lines],
        "l_item": [x.item_id for x in lines],
        "l_batch": [x.batch_id for x in lines],
        "l_qty": [x.qty for x in lines],
        "l_delta": [x.delta for x in lines],
        "l_counted": [x.counted for x in lines],
        "l_reason": [x.reason for x in lines],
        "a_at": _naive(audit["at"]),
        "a_actor_id": audit["actor_id"],
        "a_actor": audit["actor"],
        "a_jur": audit["jur"],
        "a_after": json.dumps(audit["after"], ensure_ascii=False),
        "a_ip": audit["ip"],
        "a_request_id": audit["request_id"],
    }
    import psycopg  # PostgreSQL only

    cur, _pg = cursor(session)
    conn = cur.connection
    # One round trip (pipeline): a savepoint, the post, its release. A post that changed nothing or
    # not everything fails on purpose (above): rolled back to the savepoint, it leaves no row and no
    # lock behind (an UPDATE that waited for a row keeps its lock even when its guard then fails,
    # and a later ordered lock of the item's balances could then wait in a cycle).
    try:
        with conn.pipeline():
            conn.execute("SAVEPOINT yingji_posting")
            cur.execute(PG_POST.pg, params)
            conn.execute("RELEASE SAVEPOINT yingji_posting")
        doc_id, _ok, line_ids = cur.fetchone()
    except psycopg.errors.InvalidTextRepresentation as e:
        if NOT_POSTED not in str(e):
            raise
        conn.execute("ROLLBACK TO SAVEPOINT yingji_posting")
        conn.execute("RELEASE SAVEPOINT yingji_posting")
        raise Stale() from None
    finally:
        cur.close()
    return doc_id, list(line_ids)


def lock(session: Session, warehouse_id: int, batch_ids: list[int]) -> None:
    """Lock the balances a document will change, in batch order (PostgreSQL; SQLite has one writer)."""
    if batch_ids and session.get_bind().dialect.name == "postgresql":
        cur, pg = cursor(session)
        _PG_LOCK.run(cur, pg, {"wid": warehouse_id, "batches": sorted(set(batch_ids))}).fetchall()
        cur.close()


_PG_LOCK = Sql(
    "SELECT id FROM supply_balances WHERE warehouse_id = :wid AND batch_id = ANY(CAST(:batches AS bigint[]))"
    " ORDER BY batch_id FOR UPDATE"
)


# -- a few statements (SQLite; PostgreSQL when one document changes a batch twice) -----------
_SEQ_DOC = Sql(
    f"INSERT INTO supply_documents ({', '.join(DOC_COLUMNS)}) VALUES "
    f"({', '.join(':' + c for c in DOC_COLUMNS)}) ON CONFLICT (client_key) DO NOTHING RETURNING id"
)
_SEQ_TAKE = Sql(
    "UPDATE supply_balances SET qty = qty + :delta, updated_at = :now"
    " WHERE warehouse_id = :wid AND batch_id = :batch AND qty + :delta >= 0 RETURNING qty"
)
_SEQ_PUT = Sql(
    "INSERT INTO supply_balances (warehouse_id, batch_id, item_id, qty, jurisdiction_code, updated_at)"
    " VALUES (:wid, :batch, :item, :delta, :jur, :now) ON CONFLICT (warehouse_id, batch_id)"
    " DO UPDATE SET qty = supply_balances.qty + excluded.qty, updated_at = excluded.updated_at RETURNING qty"
)
_SEQ_LINE = Sql(
    f"INSERT INTO supply_document_lines ({LINE_COLUMNS}) VALUES (:doc, :line_no, :item, :batch, :qty,"
    " :delta, :counted, :reason, 0, 0, :jur) RETURNING id"
)
_SEQ_MOVE = Sql(
    f"INSERT INTO supply_movements ({MOVE_COLUMNS}) VALUES (:now, :doc, :line, :wid, :batch, :item, :kind,"
    " :delta, :after, :jur, :actor, :actor_id)"
)
_SEQ_AUDIT = {
    json_cast: Sql(
        f"INSERT INTO audit_log ({AUDIT_COLUMNS}) VALUES (:at, :actor_id, :actor, 'create',"
        f" 'supply_documents', :id, :jur, NULL, {json_cast}, :ip, :request_id, NULL)"
    )
    for json_cast in (":after", "CAST(:after AS jsonb)")
}


def _write_seq(session, row, now, lines, move_kind, audit, pg: bool) -> tuple[int, list[int]] | None:
    cur, pg = cursor(session)
    try:
        return _seq(cur, pg, row, now, lines, move_kind, audit)
    finally:
        cur.close()


def _seq(cur, pg, row, now, lines, move_kind, audit) -> tuple[int, list[int]] | None:
    when = _naive if pg else _sqlite_time
    stamp = when(now)
    wid, jur = row["warehouse_id"], row["jurisdiction_code"]
    doc_id = _one(_SEQ_DOC.run(cur, pg, {k: when(v) for k, v in row.items()}))
    if doc_id is None:  # a concurrent twin (PostgreSQL): nothing written
        return None
    # balances in batch order, each movement with the balance right after it; the stock was read in
    # this transaction under SQLite's one write lock (or PostgreSQL's row locks): a guard that fails
    # means the plan was wrong, and the caller's transaction rolls back
    after: dict[int, int] = {}
    for x in sorted((x for x in lines if x.delta), key=lambda x: (x.batch_id, x.line_no)):
        args = {
            "delta": x.delta,
            "now": stamp,
            "wid": wid,
            "batch": x.batch_id,
            "item": x.item_id,
            "jur": jur,
        }
        qty = _one((_SEQ_TAKE if x.delta < 0 else _SEQ_PUT).run(cur, pg, args))
        if qty is None:
            raise Stale()
        after[x.line_no] = qty
    line_ids = {}
    for x in lines:
        line_ids[x.line_no] = _one(
            _SEQ_LINE.run(
                cur,
                pg,
                {
                    "doc": doc_id,
                    "line_no": x.line_no,
                    "item": x.item_id,
                    "batch": x.batch_id,
                    "qty": x.qty,
                    "delta": x.delta,
                    "counted": x.counted,
                    "reason": x.reason,
                    "jur": jur,
                },
            )
        )
    for x in sorted((x for x in lines if x.delta), key=lambda x: (x.batch_id, x.line_no)):
        _SEQ_MOVE.run(
            cur,
            pg,
            {
                "now": stamp,
                "doc": doc_id,
                "line": line_ids[x.line_no],
                "wid": wid,
                "batch": x.batch_id,
                "item": x.item_id,
                "kind": move_kind,
                "delta": x.delta,
                "after": after[x.line_no],
                "jur": jur,
                "actor": row["created_by"],
                "actor_id": row["created_by_id"],
            },
        )
    _SEQ_AUDIT["CAST(:after AS jsonb)" if pg else ":after"].run(
        cur,
        pg,
        {
            "at": when(audit["at"]),
            "actor_id": audit["actor_id"],
            "actor": audit["actor"],
            "id": str(doc_id),
            "jur": audit["jur"],
            "after": json.dumps(audit["after"] | {"id": doc_id}, ensure_ascii=False),
            "ip": audit["ip"],
            "request_id": audit["request_id"],
        },
    )
    return doc_id, [line_ids[x.line_no] for x in lines]


def _one(cur):
    row = cur.fetchone()
    return None if row is None else row[0]


def require_store(facts: Facts) -> Store:
    if facts.store is None:
        raise NotFound()
    return facts.store

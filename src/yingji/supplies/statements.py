"""The bare-driver statements that write a stock document (``posting.write`` chooses between them):
on PostgreSQL one statement of data-modifying CTEs; on SQLite (and on PostgreSQL when one document
changes a batch twice) a handful of short statements in the write transaction. Kept apart from
``posting`` (what a post reads and decides) because this is SQL text and its parameters."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from yingji.core import clock


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


def is_pg(session: Session) -> bool:
    """Whether the session talks to PostgreSQL (its engine or, for a job, its connection)."""
    return (session.bind or session.get_bind()).dialect.name == "postgresql"


# one encoder for every post (``json.dumps`` with options builds a new one at each call)
to_json = json.JSONEncoder(ensure_ascii=False).encode


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
    return _naive(value).isoformat(" ", "microseconds") if isinstance(value, datetime) else value


def write_pg(cur, row, now, lines, move_kind, audit) -> tuple[int, list[int]]:
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
        "a_after": to_json(audit["after"]),
        "a_ip": audit["ip"],
        "a_request_id": audit["request_id"],
    }
    doc_id, _ok, line_ids = post_in_savepoint(cur, PG_POST.pg, params)
    return doc_id, list(line_ids)


def post_in_savepoint(cur, sql: str, params) -> tuple:
    """Run ``sql`` (PostgreSQL) between a savepoint and its release in one round trip (pipeline); its
    one row, or :class:`Stale` when it failed on purpose with ``NOT_POSTED``.

    A post that changed nothing or not everything fails on purpose (above): rolled back to the
    savepoint, it leaves no row and no lock behind (an UPDATE that waited for a row keeps its lock
    even when its guard then fails, and a later ordered lock of the item's balances could then wait
    in a cycle). The savepoint statements are never prepared: psycopg prepares a statement on its
    fifth run, and a PREPARE of the RELEASE queued behind a failed post is skipped by the aborted
    pipeline yet recorded as done; its next run then fails with "prepared statement ... does not
    exist" (seen on CI)."""
    import psycopg  # PostgreSQL only

    conn = cur.connection
    try:
        with conn.pipeline():
            conn.execute("SAVEPOINT yingji_posting", prepare=False)
            cur.execute(sql, params)
            conn.execute("RELEASE SAVEPOINT yingji_posting", prepare=False)
        return cur.fetchone()
    except psycopg.errors.InvalidTextRepresentation as e:
        if NOT_POSTED not in str(e):
            raise
        conn.execute("ROLLBACK TO SAVEPOINT yingji_posting", prepare=False)
        conn.execute("RELEASE SAVEPOINT yingji_posting", prepare=False)
        raise Stale() from None


# -- a few statements (SQLite; PostgreSQL when one document changes a batch twice) -----------
# positional marks (SQLite's ``?``, psycopg's ``%s``) and tuples: no dict per statement
def _marks(sql: str) -> dict[bool, str]:
    return {False: sql, True: sql.replace("?", "%s")}


_SEQ_DOC = _marks(
    f"INSERT INTO supply_documents ({', '.join(DOC_COLUMNS)}) VALUES ({', '.join(['?'] * len(DOC_COLUMNS))})"
    " ON CONFLICT (client_key) DO NOTHING"
)
_SEQ_TAKE = _marks(
    "UPDATE supply_balances SET qty = qty + ?, updated_at = ?"
    " WHERE warehouse_id = ? AND batch_id = ? AND qty + ? >= 0"
)
_SEQ_PUT = _marks(
    "INSERT INTO supply_balances (warehouse_id, batch_id, item_id, qty, jurisdiction_code, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (warehouse_id, batch_id)"
    " DO UPDATE SET qty = supply_balances.qty + excluded.qty, updated_at = excluded.updated_at RETURNING qty"
)
_SEQ_LINE = _marks(
    f"INSERT INTO supply_document_lines ({LINE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?)"
)
_SEQ_MOVE = _marks(f"INSERT INTO supply_movements ({MOVE_COLUMNS}) VALUES ({', '.join(['?'] * 12)})")
_SEQ_AUDIT = _marks(
    f"INSERT INTO audit_log ({AUDIT_COLUMNS}) VALUES (?, ?, ?, 'create', 'supply_documents', ?, ?, NULL,"
    " ?, ?, ?, NULL)"
)
_SEQ_AUDIT[True] = _SEQ_AUDIT[True].replace("NULL, %s,", "NULL, CAST(%s AS jsonb),")


def write_seq(cur, pg: bool, row, now, lines, move_kind, audit, held) -> tuple[int, list[int]] | None:
    """``held``: batch → qty read in this transaction (SQLite) for the balances taken from, so a
    take needs no ``RETURNING`` (one driver step fewer under the write lock); None: read it back."""
    when = _naive if pg else _sqlite_time
    stamp = when(now)
    wid, jur = row["warehouse_id"], row["jurisdiction_code"]
    doc = [row[c] for c in DOC_COLUMNS]
    doc[-2] = stamp  # created_at, completed_at: the row's only times
    doc[-1] = None if row["completed_at"] is None else when(row["completed_at"])
    doc_id = _new_id(cur, pg, _SEQ_DOC[pg], doc)
    if doc_id is None:  # a concurrent twin (PostgreSQL): nothing written
        return None
    # balances in batch order, each movement with the balance right after it; the stock was read in
    # this transaction under SQLite's one write lock (or PostgreSQL's row locks): a guard that fails
    # means the plan was wrong, and the caller's transaction rolls back
    moving = sorted((x for x in lines if x.delta), key=_batch_order) if len(lines) > 1 else lines
    after: dict[int, int] = {}
    for x in moving:
        delta, batch = x.delta, x.batch_id
        if not delta:
            continue
        if delta < 0:
            if held is not None and batch in held:
                cur.execute(_SEQ_TAKE[pg], (delta, stamp, wid, batch, delta))
                qty = held[batch] + delta if cur.rowcount == 1 else None
            else:
                cur.execute(_SEQ_TAKE[pg] + " RETURNING qty", (delta, stamp, wid, batch, delta))
                qty = _one(cur)
            if qty is None:
                raise Stale()
        else:
            qty = _one(cur.execute(_SEQ_PUT[pg], (wid, batch, x.item_id, delta, jur, stamp)))
        if held is not None:
            held[batch] = qty
        after[x.line_no] = qty
    line_ids = {}
    line_sql = _SEQ_LINE[pg]
    for x in lines:
        args = (doc_id, x.line_no, x.item_id, x.batch_id, x.qty, x.delta, x.counted, x.reason, jur)
        line_ids[x.line_no] = _new_id(cur, pg, line_sql, args)
    actor, actor_id = row["created_by"], row["created_by_id"]
    move_sql = _SEQ_MOVE[pg]
    for x in moving:
        if x.delta:
            line_id = line_ids[x.line_no]
            args = (stamp, doc_id, line_id, wid, x.batch_id, x.item_id, move_kind, x.delta)
            cur.execute(move_sql, (*args, after[x.line_no], jur, actor, actor_id))
    after_doc = audit["after"]
    after_doc["id"] = doc_id  # the listener's snapshot has the id (the caller's dict is ours)
    args = (
        stamp if audit["at"] is now else when(audit["at"]),
        audit["actor_id"],
        audit["actor"],
        str(doc_id),
        audit["jur"],
        to_json(after_doc),
        audit["ip"],
        audit["request_id"],
    )
    cur.execute(_SEQ_AUDIT[pg], args)
    return doc_id, [line_ids[x.line_no] for x in lines]


def _batch_order(x: Line) -> tuple[int, int]:
    return x.batch_id, x.line_no


def _new_id(cur, pg: bool, sql: str, args) -> int | None:
    """The id of the row an ``INSERT`` made, None when it made none. SQLite tells it without a
    ``RETURNING`` row's second step (``lastrowid``): one step fewer that lets the GIL go while this
    thread holds the write lock."""
    if pg:
        return _one(cur.execute(sql + " RETURNING id", args))
    cur.execute(sql, args)
    return cur.lastrowid if cur.rowcount == 1 else None


def _one(cur):
    row = cur.fetchone()
    return None if row is None else row[0]

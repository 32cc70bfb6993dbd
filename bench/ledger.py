"""Stock movements per second under contention: several threads post one-line issue and receipt
documents on the same two items of the same store (every one waits for the same balance rows).

Figure: movements per second through the real service (``supplies.documents.issue`` / ``receive``
in a write session each: pydantic input, fingerprint, scope check, first-expiring-first plan, the
posting path of ``supplies.posting``, commit). The caller takes the document's id only, as a bulk
caller would; the API builds its answer from what the post wrote (no read back).

Baseline, measured in the same run: the raw-SQL movement of the same work, by the bare driver, one
transaction per movement from the same number of threads on the same two balance rows, each thread
holding one connection for the whole run (so no pool either), SQLite transactions queued on a Python
lock as the service's write gate does. The statement set of one raw movement:

    SELECT id, fingerprint FROM supply_documents WHERE client_key = ?          -- key lookup
    UPDATE supply_balances SET qty = qty - n, updated_at = ?                   -- issue: guarded
        WHERE warehouse_id = ? AND batch_id = ? AND qty >= n RETURNING qty
    (receipt: INSERT INTO supply_balances … ON CONFLICT (warehouse_id, batch_id)
        DO UPDATE SET qty = supply_balances.qty + excluded.qty … RETURNING qty)
    INSERT INTO supply_documents (17 columns) VALUES (…) RETURNING id         -- document
    INSERT INTO supply_document_lines (11 columns) VALUES (…) RETURNING id    -- line
    INSERT INTO supply_movements (12 columns) VALUES (…)                       -- movement
    INSERT INTO audit_log (12 columns) VALUES (…)                              -- the document's
    COMMIT                                                                         create row

One audit row, not two: a post's audit trail is the document's create row (the snapshot the audit
listener writes; lines are not an audited table, and the movement row carries who changed the
balance), so the raw movement writes exactly what the service writes. The raw side knows the batch
and item ids; the service looks them up (in its one read). Ratio = figure / baseline, medians of
``--runs`` alternating runs.

    python -m bench.ledger
    python -m bench.ledger --ops 4000 --threads 8
    python -m bench.ledger --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import json
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from bench.common import fresh_database, median, report
from yingji.auth.models import AuditEntry
from yingji.auth.scope import Principal
from yingji.core import clock
from yingji.core.db import Actor, Database
from yingji.org.models import Jurisdiction
from yingji.supplies import documents, warehouses
from yingji.supplies.models import Balance, Document, Item, Movement
from yingji.supplies.schemas import IssueIn, ReceiptIn, WarehouseIn

SYSTEM = Principal.system()
ITEMS = ("C11-01", "C06-01")


def setup(db: Database) -> int:
    """A city, county and town, one store holding plenty of both items."""
    with db.writing(Actor.system("bench")) as session:
        for code, name, level, parent in (
            ("52", "贵州省", "province", None),
            ("5206", "铜仁市", "city", "52"),
            ("520602", "碧江区", "county", "5206"),
            ("520602001", "测试街道", "town", "520602"),
        ):
            session.add(
                Jurisdiction(code=code, name=name, level=level, parent_code=parent, lon=109.2, lat=27.7)
            )
        session.flush()
        store = warehouses.create(
            session, SYSTEM, WarehouseIn(name="基准库", level="town", jurisdiction_code="520602001")
        ).id
        lines = [{"item_code": code, "qty": 10_000_000} for code in ITEMS]
        documents.receive(
            session,
            SYSTEM,
            ReceiptIn(client_key=f"bench-{uuid.uuid4().hex}", warehouse_id=store, lines=lines),
        )
    return store


def one(db: Database, store: int, n: int, run: int) -> int:
    line = [{"item_code": ITEMS[n % 2], "qty": 1 + n % 3}]
    key = f"bench-{run}-{n}-{uuid.uuid4().hex[:8]}"
    with db.writing(Actor.system("bench")) as session:
        if n % 4 == 3:
            return documents.receive(
                session, SYSTEM, ReceiptIn(client_key=key, warehouse_id=store, lines=line)
            ).id
        return documents.issue(session, SYSTEM, IssueIn(client_key=key, warehouse_id=store, lines=line)).id


def service_run(db: Database, store: int, ops: int, threads: int, run: int) -> float:
    def worker(part: list[int]) -> None:
        for n in part:
            one(db, store, n, run)

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:  # as the raw side: one task per thread, not per movement
        list(pool.map(worker, [list(range(ops))[i::threads] for i in range(threads)]))
    return time.perf_counter() - started


# -- the raw-SQL movement -----------------------------------------------------------------------
DOC_COLUMNS = (
    "kind, status, warehouse_id, to_warehouse_id, jurisdiction_code, to_jurisdiction_code, reason,"
    " counterparty, incident_id, request_id, client_key, fingerprint, note, created_by, created_by_id,"
    " created_at, completed_at"
)
LINE_COLUMNS = (
    "document_id, line_no, item_id, batch_id, qty, delta, counted, reason, received_qty, returned_qty,"
    " jurisdiction_code"
)
MOVE_COLUMNS = (
    "at, document_id, line_id, warehouse_id, batch_id, item_id, kind, delta, balance_after,"
    " jurisdiction_code, actor, actor_id"
)
AUDIT_COLUMNS = (
    "at, actor_id, actor, action, entity, entity_id, jurisdiction_code, before, after, ip, request_id, note"
)


def raw_statements(kind: str) -> dict[str, str]:
    def marks(n: int) -> str:
        return ", ".join(["?" if kind == "sqlite" else "%s"] * n)

    sql = {
        "key": f"SELECT id, fingerprint FROM supply_documents WHERE client_key = {marks(1)}",
        "take": (
            f"UPDATE supply_balances SET qty = qty - {marks(1)}, updated_at = {marks(1)}"
            f" WHERE warehouse_id = {marks(1)} AND batch_id = {marks(1)} AND qty >= {marks(1)}"
            " RETURNING qty"
        ),
        "put": (
            "INSERT INTO supply_balances (warehouse_id, batch_id, item_id, qty, jurisdiction_code,"
            f" updated_at) VALUES ({marks(6)}) ON CONFLICT (warehouse_id, batch_id) DO UPDATE SET"
            " qty = supply_balances.qty + excluded.qty, updated_at = excluded.updated_at RETURNING qty"
        ),
        "doc": f"INSERT INTO supply_documents ({DOC_COLUMNS}) VALUES ({marks(17)}) RETURNING id",
        "line": f"INSERT INTO supply_document_lines ({LINE_COLUMNS}) VALUES ({marks(11)}) RETURNING id",
        "move": f"INSERT INTO supply_movements ({MOVE_COLUMNS}) VALUES ({marks(12)})",
        "audit": f"INSERT INTO audit_log ({AUDIT_COLUMNS}) VALUES ({marks(12)})",
    }
    return sql


def raw_run(db: Database, store: int, batches: dict[int, tuple[int, int]], ops: int, threads: int, run: int):
    """The same movements (issue 3 in 4, receipt 1 in 4, items alternating) by the bare driver."""
    kind = db.kind
    sql = raw_statements(kind)
    gate = threading.Lock()  # SQLite: writers of one process queue here (the service's write gate)
    jur = "520602001"
    actor = "system:bench-raw"

    def stamp():
        now = clock.now().replace(tzinfo=None)
        return now.strftime("%Y-%m-%d %H:%M:%S.%f") if kind == "sqlite" else now

    def movement(cur, n: int) -> None:
        item_id, batch_id = batches[n % 2]
        qty = 1 + n % 3
        receipt = n % 4 == 3
        key = f"raw-{run}-{n}-{uuid.uuid4().hex[:8]}"
        now = stamp()
        cur.execute(sql["key"], (key,))
        if cur.fetchone() is not None:
            raise RuntimeError("key taken")
        if receipt:
            cur.execute(sql["put"], (store, batch_id, item_id, qty, jur, now))
        else:
            cur.execute(sql["take"], (qty, now, store, batch_id, qty))
        row = cur.fetchone()
        if row is None:
            raise RuntimeError("not enough stock")
        after = row[0]
        doc = (
            "receipt" if receipt else "issue",
            "done",
            store,
            None,
            jur,
            None,
            "purchase" if receipt else "rescue",
            None,
            None,
            None,
            key,
            "0" * 64,
            None,
            actor,
            None,
            now,
            now,
        )
        cur.execute(sql["doc"], doc)
        doc_id = cur.fetchone()[0]
        delta = qty if receipt else -qty
        cur.execute(sql["line"], (doc_id, 1, item_id, batch_id, qty, delta, None, None, 0, 0, jur))
        line_id = cur.fetchone()[0]
        move_kind = "receipt" if receipt else "issue"
        cur.execute(
            sql["move"],
            (now, doc_id, line_id, store, batch_id, item_id, move_kind, delta, after, jur, actor, None),
        )
        names = DOC_COLUMNS.replace(" ", "").split(",")
        snapshot = {
            k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in zip(names, doc, strict=True)
        }
        snapshot["id"] = doc_id
        cur.execute(
            sql["audit"],
            (
                now,
                None,
                actor,
                "create",
                "supply_documents",
                str(doc_id),
                jur,
                None,
                json.dumps(snapshot),
                None,
                None,
                None,
            ),
        )

    def worker(part: list[int]) -> None:
        conn = db.engine.raw_connection()
        try:
            cur = conn.cursor()
            for n in part:
                if kind == "sqlite":
                    with gate:
                        cur.execute("BEGIN IMMEDIATE")
                        movement(cur, n)
                        cur.execute("COMMIT")
                else:
                    movement(cur, n)
                    conn.commit()
        finally:
            conn.close()

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(worker, [list(range(ops))[i::threads] for i in range(threads)]))
    return time.perf_counter() - started


def the_batches(db: Database, store: int) -> dict[int, tuple[int, int]]:
    """n % 2 → (item id, batch id) of the store's two balances."""
    with db.reading() as session:
        rows = dict(
            session.execute(
                select(Item.code, Balance.batch_id)
                .join(Balance, Balance.item_id == Item.id)
                .where(Balance.warehouse_id == store)
            ).all()
        )
        ids = dict(session.execute(select(Item.code, Item.id).where(Item.code.in_(ITEMS))).all())
    return {i: (ids[code], rows[code]) for i, code in enumerate(ITEMS)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=1500, help="movements per run and side")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--runs", type=int, default=3, help="alternating runs (medians are reported)")
    parser.add_argument("--database-url", default=None, help="PostgreSQL server to use (default SQLite)")
    args = parser.parse_args()
    with fresh_database(args.database_url, "ledger") as db:
        store = setup(db)
        batches = the_batches(db, store)
        service_s, raw_s, ratios = [], [], []
        for run in range(args.runs):
            s = service_run(db, store, args.ops, args.threads, run)
            r = raw_run(db, store, batches, args.ops, args.threads, run)
            service_s.append(s)
            raw_s.append(r)
            ratios.append(r / s)
        with db.reading() as session:
            docs = session.scalar(select(func.count()).select_from(Document))
            moves = session.scalar(select(func.count()).select_from(Movement))
            audited = session.scalar(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "supply_documents")
            )
            lowest = session.scalar(select(func.min(Balance.qty)))
        expected = 1 + 2 * args.ops * args.runs
        assert docs == expected and audited == expected and moves == expected + 1 and lowest >= 0, (
            docs,
            audited,
            moves,
            lowest,
        )
        kind = db.kind
    figure = args.ops / median(service_s)
    baseline = args.ops / median(raw_s)
    ratio = median(ratios)
    report(
        f"ledger_contention_{kind}",
        [
            ("database", kind),
            ("movements per run and side", f"{args.ops:,} on 2 items of 1 store, {args.threads} threads"),
            ("runs (alternating service / raw)", str(args.runs)),
            ("through the service, per run (s)", ", ".join(f"{x:.2f}" for x in service_s)),
            ("raw-SQL movement, per run (s)", ", ".join(f"{x:.2f}" for x in raw_s)),
            ("service movements/s (median)", f"{figure:,.0f}"),
            ("raw-SQL movements/s (median)", f"{baseline:,.0f}"),
            ("ratio service / raw (median of runs)", f"{ratio:.2f}   goal ≥ 0.5"),
        ],
        {
            "figure": round(figure, 1),
            "unit": "movements/s",
            "baseline": round(baseline, 1),
            "ratio": round(ratio, 3),
            "goal": 0.5,
            "database": kind,
            "threads": args.threads,
            "runs": args.runs,
        },
    )


if __name__ == "__main__":
    main()

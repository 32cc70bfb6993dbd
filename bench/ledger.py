"""Stock movements per second under contention: several threads post one-line issue and receipt
documents on the same two items of the same store (every one waits for the same balance rows),
through the real service — idempotency key, conditional UPDATE, ledger row, audit, commit.

Figure: movements per second. Baseline, measured in the same run: raw driver inserts of the same
movement rows, one transaction each, from the same number of threads, into a plain table (the
floor any ledger write pays). Ratio = figure / baseline.

    python -m bench.ledger
    python -m bench.ledger --ops 4000 --threads 8
    python -m bench.ledger --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from bench.common import fresh_database, report
from yingji.auth.scope import Principal
from yingji.core.db import Actor, Database
from yingji.org.models import Jurisdiction
from yingji.supplies import documents, warehouses
from yingji.supplies.models import Movement
from yingji.supplies.schemas import IssueIn, ReceiptIn, WarehouseIn

SYSTEM = Principal.system()
ITEMS = ("C11-01", "C06-01")
COLUMNS = [c.name for c in Movement.__table__.columns if c.name != "id"]


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


def one(db: Database, store: int, n: int) -> None:
    line = [{"item_code": ITEMS[n % 2], "qty": 1 + n % 3}]
    key = f"bench-{n}-{uuid.uuid4().hex[:8]}"
    with db.writing(Actor.system("bench")) as session:
        if n % 4 == 3:
            documents.receive(session, SYSTEM, ReceiptIn(client_key=key, warehouse_id=store, lines=line))
        else:
            documents.issue(session, SYSTEM, IssueIn(client_key=key, warehouse_id=store, lines=line))


def raw_inserts(db: Database, rows: list[tuple], threads: int) -> float:
    """The same rows through the bare driver, one transaction per row, from ``threads`` threads."""
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        if db.kind == "sqlite":
            cur.execute("CREATE TABLE bench_movements AS SELECT * FROM supply_movements WHERE 0")
        else:
            cur.execute("CREATE TABLE bench_movements (LIKE supply_movements INCLUDING DEFAULTS)")
            raw.commit()
    finally:
        raw.close()
    mark = "?" if db.kind == "sqlite" else "%s"
    sql = f"INSERT INTO bench_movements ({','.join(COLUMNS)}) VALUES ({','.join([mark] * len(COLUMNS))})"
    if db.kind == "postgresql":
        sql = sql.replace("bench_movements (", "bench_movements (id, ", 1).replace(
            "VALUES (", "VALUES (DEFAULT, ", 1
        )

    def insert(part: list[tuple]) -> None:
        conn = db.engine.raw_connection()
        try:
            c = conn.cursor()
            for row in part:
                if db.kind == "sqlite":
                    c.execute("BEGIN IMMEDIATE")
                    c.execute(sql, row)
                    c.execute("COMMIT")
                else:
                    c.execute(sql, row)
                    conn.commit()
        finally:
            conn.close()

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(insert, [rows[i::threads] for i in range(threads)]))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--database-url", default=None, help="PostgreSQL server to use (default SQLite)")
    args = parser.parse_args()
    with fresh_database(args.database_url, "ledger") as db:
        store = setup(db)
        started = time.perf_counter()
        with ThreadPoolExecutor(args.threads) as pool:
            list(pool.map(lambda n: one(db, store, n), range(args.ops)))
        elapsed = time.perf_counter() - started
        with db.reading() as session:
            moved = session.execute(
                select(*[Movement.__table__.c[c] for c in COLUMNS]).order_by(Movement.id)
            ).all()
        rows = [tuple(_plain(v) for v in r) for r in moved[len(ITEMS) :]]
        assert len(rows) == args.ops, f"{len(rows)} movements for {args.ops} documents"
        baseline_s = raw_inserts(db, rows, args.threads)
        kind = db.kind
    figure, baseline = args.ops / elapsed, args.ops / baseline_s
    report(
        f"ledger_contention_{kind}",
        [
            ("database", kind),
            ("documents (one movement each)", f"{args.ops:,} on 2 items of 1 store, {args.threads} threads"),
            ("through the service (s)", f"{elapsed:.2f}"),
            ("movements per second", f"{figure:,.0f}"),
            ("raw inserts of the same rows, 1 txn each (s)", f"{baseline_s:.2f}"),
            ("raw inserts per second", f"{baseline:,.0f}"),
            ("ratio service / raw", f"{figure / baseline:.2f}"),
        ],
        {
            "figure": round(figure, 1),
            "unit": "movements/s",
            "baseline": round(baseline, 1),
            "ratio": round(figure / baseline, 3),
            "database": kind,
            "threads": args.threads,
        },
    )


def _plain(value):
    from datetime import datetime

    return value.replace(tzinfo=None) if isinstance(value, datetime) else value


if __name__ == "__main__":
    main()

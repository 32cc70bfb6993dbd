"""The 三清单一手册 of a whole city: the Tongren city (code 5206) handbook as PDF on the full Tongren
demo (every county, 3,100 stores, 3,200 teams with 66,000 members; the demo builder with all its
extras), built once into a kept database and reused.

Figure: median seconds of generating the PDF (reading everything with the set-based queries of
``yingji.handbook.content`` and rendering it with the CJK fonts embedded). Baseline, in the same run:
the plain queries that read the same rows (teams, team leaders, stores, stock balances with their
items, keepers, equipment, the city's bodies, posts, duties and plans) without grouping or
rendering — the least any handbook must read. Goal: ≤ 20 s on this 2-core machine.

    python -m bench.handbook --sqlite /tmp/yingji-handbook-tongren.db     # build once, reuse afterwards
    python -m bench.handbook --pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres --pg-db hb_tongren

``handbook_seconds(db, code, runs)`` is the same measurement for another database (bench/scorecards.py
calls it on its Guizhou database).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from sqlalchemy import select

from yingji.auth.scope import Principal
from yingji.config import Settings
from yingji.core import migrate
from yingji.core.db import Database, open_database
from yingji.demo import builder
from yingji.forces.models import Team, TeamEquipment, TeamMember
from yingji.handbook import content, pdf
from yingji.org.codes import subtree_bounds
from yingji.org.models import Jurisdiction, Position, Responsibility, Unit, UnitMembership
from yingji.plans.models import Plan, PlanAction, PlanLevel
from yingji.supplies.models import Balance, Item, Warehouse, WarehouseKeeper

CODE = "5206"
GOAL_S = 20.0


def _timed(fn, runs: int) -> float:
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return statistics.median(out)


def generate(db: Database, code: str = CODE) -> bytes:
    """The PDF of ``code``'s handbook as an officer (phones shown) would get it."""
    with db.reading() as session:
        book = content.assemble(session, Principal.system(code, "bench"), session.get(Jurisdiction, code))
    return pdf.render(book)


def handbook_seconds(db, code: str = "5206", runs: int = 3) -> float:
    """Median seconds to generate ``code``'s handbook PDF on ``db`` (read and render)."""
    return _timed(lambda: generate(db, code), runs)


def baseline(db: Database, code: str = CODE) -> int:
    """The same rows read plainly: what the handbook cannot avoid reading."""
    low, high = subtree_bounds(code)

    def inside(column):
        return (column >= low) & (column < high)

    n = 0
    with db.reading() as session:
        for stmt in (
            select(Team.id, Team.name, Team.kind, Team.member_count, Team.duty_phone, Team.address).where(
                inside(Team.jurisdiction_code)
            ),
            select(TeamMember.team_id, TeamMember.name, TeamMember.mobile).where(
                inside(TeamMember.jurisdiction_code), TeamMember.role == "leader"
            ),
            select(Warehouse.id, Warehouse.name, Warehouse.level, Warehouse.address).where(
                inside(Warehouse.jurisdiction_code)
            ),
            select(Balance.warehouse_id, Item.category, Balance.qty)
            .join(Item, Item.id == Balance.item_id)
            .where(inside(Balance.jurisdiction_code)),
            select(WarehouseKeeper.warehouse_id, WarehouseKeeper.person_id).where(
                inside(WarehouseKeeper.jurisdiction_code)
            ),
            select(TeamEquipment.name, TeamEquipment.quantity).where(inside(TeamEquipment.jurisdiction_code)),
            select(Unit.id, Unit.name, Unit.duty_phone).where(Unit.jurisdiction_code == code),
            select(Position.unit_id, Position.title).where(Position.jurisdiction_code == code),
            select(UnitMembership.hq_id, UnitMembership.member_id).where(
                UnitMembership.jurisdiction_code == code
            ),
            select(Responsibility.unit_id, Responsibility.text).where(
                Responsibility.jurisdiction_code == code
            ),
            select(Plan.id, Plan.title).where(Plan.jurisdiction_code == code),
            select(PlanLevel.plan_id, PlanLevel.trigger_text).where(PlanLevel.jurisdiction_code == code),
            select(PlanAction.plan_id, PlanAction.title).where(PlanAction.jurisdiction_code == code),
        ):
            n += len(session.execute(stmt).all())
    return n


def run(db: Database, runs: int = 3) -> dict:
    data = generate(db)  # warm: fonts parsed, catalogue loaded
    pages = pdf.page_count(data)
    figure = handbook_seconds(db, CODE, runs)
    rows = baseline(db)
    base = _timed(lambda: baseline(db), runs)
    print(f"Tongren city handbook: {pages} pages, {len(data) / 1e6:.1f} MB; {rows} rows read plainly")
    print(
        f"generate PDF (median of {runs}): {figure:.2f} s (goal ≤ {GOAL_S:.0f} s); plain reads {base:.3f} s"
    )
    return {
        "name": "handbook",
        "figure": round(figure, 2),
        "unit": "s",
        "baseline": round(base, 3),
        "ratio": round(figure / base, 1) if base else None,
        "handbook_s": round(figure, 2),
        "pages": pages,
    }


def build(db: Database) -> None:
    builder.build(db, builder.DemoOptions())


def _open(url: str, var_dir: Path) -> Database:
    return open_database(Settings(database_url=url, secret_key="b", var_dir=var_dir, inprocess_worker=False))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sqlite", default="/tmp/yingji-handbook-tongren.db", help="kept SQLite file")
    parser.add_argument("--pg", help="a PostgreSQL server URL (with --pg-db: a kept database on it)")
    parser.add_argument("--pg-db", default="yingji_bench_handbook")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if args.pg:
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            fresh = not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": args.pg_db})
            if fresh:
                conn.execute(text(f'CREATE DATABASE "{args.pg_db}"'))
        admin.dispose()
        db = _open(
            make_url(args.pg).set(database=args.pg_db).render_as_string(hide_password=False), Path("/tmp")
        )
    else:
        path = Path(args.sqlite)
        fresh = not path.exists()
        db = _open(f"sqlite:///{path}", path.parent)
    try:
        migrate.upgrade(db.engine)  # a kept database gets the tables added since it was built
        if fresh:
            build(db)
        out = run(db, args.runs)
    finally:
        db.dispose()
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()

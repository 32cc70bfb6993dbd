"""Plan coverage for all of Guizhou: the province demo's organisation (every county, town and
village; each city and county with its departments, member units and 17 specialised HQs; every
town's emergency committee) and its dual-prevention enterprises, plus a plan registry in which most
(not all) of what must have a plan has one in force, some only in draft or repealed.

Figure: median seconds of ``yingji.plans.coverage.compute(session, "52")`` (all rules, villages
included, the gap list capped as the API caps it). Baseline: the raw counts of the subjects (one
COUNT per subject table, no plan lookups) — the least any coverage computation must read.
Goal: ≤ 2 s on this 2-core machine.

    python -m bench.plans_coverage --sqlite /tmp/prov-cov.db      # build there once, reuse afterwards
    python -m bench.plans_coverage --pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import uuid
from datetime import date
from pathlib import Path

import numpy as np
from sqlalchemy import func, insert, select

from bench.common import fresh_database
from yingji.config import Settings
from yingji.core import migrate
from yingji.core.db import Actor, open_database
from yingji.demo import builder
from yingji.org.models import Jurisdiction, Unit
from yingji.plans import coverage
from yingji.plans.models import Plan
from yingji.risk.models import Enterprise

SHARE = {
    "overall": 0.93,
    "township": 0.95,
    "special": 0.9,
    "department": 0.85,
    "enterprise": 0.8,
    "village": 0.6,
}
STATES = ("published", "filed", "issued", "evaluating", "revising")


def build(db) -> None:
    options = builder.DemoOptions(province=True)
    data = builder.generate(options)
    builder.write(db, data)
    from yingji.risk import demo as risk_demo

    risk_demo.build(db, data, options, lambda *a: None)
    plans(db)


def plans(db) -> None:
    rng = np.random.default_rng(12)
    rows: list[dict] = []

    def add(kind: str, code: str, share: str, **extra) -> None:
        if rng.random() >= SHARE[share]:
            return
        state = STATES[int(rng.integers(0, len(STATES)))] if rng.random() > 0.05 else "drafting"
        rows.append(
            {
                "code": f"B-{uuid.uuid4().hex[:12]}",
                "title": "基准预案",
                "kind": kind,
                "jurisdiction_code": code,
                "issuer": "基准",
                "state": state,
                "version_no": 1,
                "issued_on": date(2024, 5, 1),
                "event_categories": ["natural.flood_drought"] if kind == "special" else [],
                **extra,
            }
        )

    with db.reading() as session:
        for code, level in session.execute(select(Jurisdiction.code, Jurisdiction.level)):
            if level in ("province", "city", "county"):
                add("overall", code, "overall")
            elif level == "town":
                add("township", code, "township")
            elif level == "village":
                add("village", code, "village")
        for uid, code, kind in session.execute(select(Unit.id, Unit.jurisdiction_code, Unit.kind)):
            if kind == "special_hq":
                add("special", code, "special", hq_unit_id=uid)
            elif kind == "member_unit":
                add("department", code, "department", issuer_unit_id=uid)
        for eid, code in session.execute(select(Enterprise.id, Enterprise.jurisdiction_code)):
            add("enterprise_comprehensive", code, "enterprise", enterprise_id=eid)
    with db.writing(Actor.system("bench")) as session:
        for i in range(0, len(rows), 5000):
            session.execute(insert(Plan), rows[i : i + 5000])


def baseline(session) -> None:
    session.scalar(select(func.count()).select_from(Jurisdiction).where(Jurisdiction.level != "group"))
    session.scalar(select(func.count()).select_from(Unit))
    session.scalar(select(func.count()).select_from(Enterprise))


def timed(fn, runs: int = 5) -> float:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return statistics.median(out)


def run(db) -> dict:
    with db.reading() as session:
        result = coverage.compute(session, "52", optional={"village"})
        figure = timed(lambda: coverage.compute(session, "52", optional={"village"}))
        base = timed(lambda: baseline(session))
        subjects = result.overall.total
    print(
        f"areas {len(result.areas)}, subjects {subjects}, covered {result.overall.covered}, "
        f"rate {result.overall.rate:.3f}, gaps {result.gaps_total}"
    )
    return {
        "name": "plans_coverage",
        "figure": round(figure, 3),
        "unit": "s",
        "baseline": round(base, 4),
        "ratio": round(figure / base, 1) if base else None,
        "coverage_s": round(figure, 3),
        "subjects": subjects,
    }


def kept_pg(server: str, name: str) -> dict:
    """A named PostgreSQL database, built on the first run and reused afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        fresh = not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if fresh:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    db = open_database(
        Settings(database_url=url, secret_key="b", var_dir=Path("/tmp"), inprocess_worker=False)
    )
    if fresh:
        migrate.upgrade(db.engine)
        build(db)
    try:
        return run(db)
    finally:
        db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sqlite", help="a SQLite file to build the province in once and reuse")
    parser.add_argument("--pg", help="a PostgreSQL server URL (a fresh database is made and dropped)")
    parser.add_argument("--pg-db", help="with --pg: build into this database once and keep it for reuse")
    args = parser.parse_args()
    if args.pg and args.pg_db:
        out = kept_pg(args.pg, args.pg_db)
    elif args.sqlite:
        path = Path(args.sqlite)
        fresh = not path.exists()
        db = open_database(
            Settings(
                database_url=f"sqlite:///{path}", secret_key="b", var_dir=path.parent, inprocess_worker=False
            )
        )
        if fresh:
            migrate.upgrade(db.engine)
            build(db)
        out = run(db)
        db.dispose()
    else:
        with fresh_database(args.pg, "coverage") as db:
            build(db)
            out = run(db)
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()

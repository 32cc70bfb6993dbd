"""How long ``yingji demo`` takes to build Tongren (or Guizhou with --province).

Figure: the build (generate places, geometry, organisation and people in memory, then bulk insert),
median of --runs runs into a fresh database. Baseline, measured in the same run: a raw bulk insert of
exactly the same rows with the bare driver (sqlite3 ``executemany`` / PostgreSQL ``COPY``) into a
fresh database of the same schema. Goals: Tongren ≤ 60 s, Guizhou ≤ 360 s on a 2-core machine.

    python -m bench.demo_build                   # Tongren on SQLite, 3 runs
    python -m bench.demo_build --province        # Guizhou, 1 run
    python -m bench.demo_build --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse

from bench.common import fresh_database, median, report, timed
from yingji.core.db import Database
from yingji.core.schema import metadata
from yingji.demo import builder

GOALS = {False: 60.0, True: 360.0}


def raw_insert(db: Database, data: builder.DemoData) -> None:
    """The same rows through the bare driver, one transaction: the floor for any loader."""
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        if db.kind == "sqlite":
            cur.execute("BEGIN")  # the engine's connections run the driver in autocommit mode
        for name in builder.TABLE_ORDER:
            rows = data.tables.get(name) or []
            if not rows:
                continue
            columns = [c.name for c in metadata.tables[name].columns if c.name in rows[0]]
            values = [tuple(_raw(r[c]) for c in columns) for r in rows]
            if db.kind == "sqlite":
                marks = ",".join("?" * len(columns))
                cur.executemany(f"INSERT INTO {name} ({','.join(columns)}) VALUES ({marks})", values)
            else:
                with cur.copy(f"COPY {name} ({','.join(columns)}) FROM STDIN") as copy:
                    for v in values:
                        copy.write_row(v)
        raw.commit()
    finally:
        raw.close()


def _raw(value):
    from datetime import datetime

    return value.replace(tzinfo=None) if isinstance(value, datetime) else value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--province", action="store_true", help="Guizhou instead of Tongren")
    parser.add_argument("--runs", type=int, default=None, help="runs to take the median of")
    parser.add_argument("--database-url", default=None, help="PostgreSQL server to use (default SQLite)")
    args = parser.parse_args()
    runs = args.runs or (1 if args.province else 3)
    options = builder.DemoOptions(province=args.province)
    builds, generates, baselines = [], [], []
    rows = 0
    for i in range(runs):
        with fresh_database(args.database_url, f"build{i}") as db:
            holder = {}
            gen = timed(lambda h=holder: h.setdefault("data", builder.generate(options)))
            write = timed(lambda h=holder, d=db: builder.write(d, h["data"]))
            logins = timed(lambda h=holder, d=db: builder.create_logins(d, h["data"]))
            builds.append(gen + write + logins)
            generates.append(gen)
            rows = holder["data"].count()
            kind = db.kind
        with fresh_database(args.database_url, f"raw{i}") as db:
            baselines.append(timed(lambda h=holder, d=db: raw_insert(d, h["data"])))
    figure, baseline = median(builds), median(baselines)
    goal = GOALS[args.province]
    place = "Guizhou" if args.province else "Tongren"
    report(
        f"demo_build_{place.lower()}_{kind}",
        [
            ("place", place),
            ("database", kind),
            ("rows written", f"{rows:,}"),
            ("runs", str(runs)),
            ("build, median (s)", f"{figure:.2f}   (all: {', '.join(f'{b:.2f}' for b in builds)})"),
            ("  of which generate (s)", f"{median(generates):.2f}"),
            ("raw bulk insert of the same rows (s)", f"{baseline:.2f}"),
            ("ratio build / raw insert", f"{figure / baseline:.1f}x"),
            ("goal (s)", f"≤ {goal:.0f}  {'met' if figure <= goal else 'NOT MET'}"),
        ],
        {
            "figure": round(figure, 2),
            "unit": "s",
            "baseline": round(baseline, 2),
            "ratio": round(figure / baseline, 2),
            "goal": goal,
            "rows": rows,
            "database": kind,
        },
    )


if __name__ == "__main__":
    main()

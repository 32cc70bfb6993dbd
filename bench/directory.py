"""The directory (找对人) on the reference city: Tongren's 3,139 divisions and 21,000 village groups.

Figure: the median time to read a query against the name index and resolve its place, over
queries built from the city's own village names — common name, pinyin, initials and a homophone
typo, each with a topic or 值班 — as the city's duty officer. Baseline, measured in the same run:
the old place look-up (``places.names_in_text``, an indexed IN query of exact legal names) on the
same queries; beside both, the share of queries whose place each recognises, and the whole answer
(``directory.find`` with the chain from the grid to the city, or who is on duty). The index build
(once per process and data version) is timed on its own.

    python -m bench.directory                        # builds the Tongren demo in a temp file
    python -m bench.directory --sqlite /tmp/dirdemo/yingji.db   # a demo built before (yingji demo)
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import select

from bench.common import median, report
from yingji.auth.models import User
from yingji.auth.scope import Principal
from yingji.config import Settings
from yingji.core import migrate
from yingji.core.db import open_database
from yingji.org import asking, directory, names, places
from yingji.org.models import Jurisdiction

TOPICS = ["防汛", "地灾", "森林防火", "安全生产", "值班"]
HOMOPHONES = {"园": "圆", "坪": "平", "坝": "霸", "湾": "弯", "溪": "西", "坡": "泼", "塘": "堂", "庄": "装"}


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)]


@contextmanager
def sqlite_at(path: Path):
    db = open_database(
        Settings(
            database_url=f"sqlite:///{path}", secret_key="b", var_dir=path.parent, inprocess_worker=False
        )
    )
    migrate.upgrade(db.engine)
    try:
        yield db
    finally:
        db.dispose()


def queries(session, n: int, seed: int) -> list[tuple[str, str]]:
    """(query, the village meant) from the city's own names, in four spoken forms."""
    rng = random.Random(seed)
    rows = session.execute(
        select(Jurisdiction.code, Jurisdiction.name).where(Jurisdiction.level == "village")
    )
    villages = sorted(rows.all())
    out = []
    for code, name in rng.sample(villages, n):
        common = names.common_name(name, "village")
        typo = "".join(HOMOPHONES.get(ch, ch) for ch in common[:-1]) + common[-1:]
        form = rng.choice([common, names.pinyin(common), names.initials(common), typo])
        out.append((f"{form} {rng.choice(TOPICS)}", code))
    return out


def build_demo(path: Path) -> None:
    from yingji.demo import builder

    with sqlite_at(path) as db:
        options = builder.DemoOptions()
        data = builder.generate(options)
        builder.write(db, data)
        builder.create_logins(db, data)
        builder.add_extras(db, data, options)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite", default=None, help="a built demo (SQLite file); default: build one")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.sqlite) if args.sqlite else Path(tmp) / "demo.db"
        if not args.sqlite:
            build_demo(path)
        with sqlite_at(path) as db, db.reading() as session:
            principal = Principal.of(session.scalar(select(User).where(User.username == "duty")))
            started = time.perf_counter()
            index = names.index(session)
            build_s = time.perf_counter() - started
            cases = queries(session, args.queries, args.seed)
            new_times, old_times, read_times, new_hits, old_hits, choices = [], [], [], 0, 0, 0
            for q, code in cases:
                t0 = time.perf_counter()
                asking.resolve(principal, asking.parse(session, principal, index, q).matches)
                read_times.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                answer = directory.find(session, principal, q)
                new_times.append(time.perf_counter() - t0)
                new_hits += bool(answer.places and answer.places[0].code == code)
                choices += bool(answer.choices and code in [c.code for c in answer.choices])
                t0 = time.perf_counter()
                found = places.names_in_text(session, principal, q)
                old_times.append(time.perf_counter() - t0)
                old_hits += any(p.code == code for p in found)
            divisions = len(index.places)
    figure, baseline = median(read_times) * 1000, median(old_times) * 1000
    answer_ms = median(new_times) * 1000
    n = len(cases)
    report(
        "directory_query",
        [
            ("divisions indexed (with village groups)", f"{divisions:,}"),
            ("index build (once per process and data version)", f"{build_s:.2f} s"),
            ("queries (common, pinyin, initials, typo + topic)", str(n)),
            ("reading the query and resolving the place, median", f"{figure:.2f} ms"),
            ("old exact-name look-up (baseline), median", f"{baseline:.2f} ms"),
            (
                "whole answer (with the chain or duty), median / p95",
                f"{answer_ms:.1f} ms / {p95(new_times) * 1000:.1f} ms",
            ),
            ("place recognised: directory", f"{new_hits}/{n} answered, {choices}/{n} offered as a choice"),
            ("place recognised: old look-up", f"{old_hits}/{n}"),
        ],
        {
            "figure": round(figure, 2),
            "unit": "ms to read a query and resolve its place (median)",
            "baseline": round(baseline, 2),
            "ratio": round(figure / baseline, 2) if baseline else None,
            "answer_p95_ms": round(p95(new_times) * 1000, 2),
            "answer_ms": round(answer_ms, 2),
            "index_build_s": round(build_s, 2),
            "recognised": round((new_hits + choices) / n, 3),
            "recognised_baseline": round(old_hits / n, 3),
            "divisions": divisions,
        },
    )


if __name__ == "__main__":
    main()

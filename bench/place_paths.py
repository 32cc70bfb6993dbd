"""Places with their path (县 · 镇 · 村) on a list page: what a page of incidents costs to place.

Figure: the median time to give the 50 rows of an incident list page their short path and legal
hover path from the in-memory index (``org.names.PlaceIndex``, warm). Baseline, measured in the same
run: the same paths from the database, set-based (one IN query for the rows' places and all their
ancestors, per page). Beside both: the index build (paths only, as pages need it) and the full build
with the directory's search part (pinyin, fuzzy lists), which pages no longer wait for.

    python -m bench.place_paths --sqlite /work/demo-base/yingji.db
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

from sqlalchemy import select

from bench.common import median, report
from yingji.config import Settings
from yingji.core.db import open_database
from yingji.incidents.models import Incident
from yingji.org import names
from yingji.org.codes import ancestors
from yingji.org.models import Jurisdiction

PAGE = 50
ROUNDS = 200


def from_database(session, codes: list[str]) -> list[tuple[str, str]]:
    wanted = {a for c in codes for a in [*ancestors(c), c]}
    rows = session.execute(
        select(Jurisdiction.code, Jurisdiction.name, Jurisdiction.level).where(Jurisdiction.code.in_(wanted))
    ).all()
    found = {code: (name, level) for code, name, level in rows}
    out = []
    for c in codes:
        chain = [x for x in [*ancestors(c), c] if x in found]
        legal = "".join(found[x][0] for x in chain)
        short = " · ".join(
            names.common_name(*found[x]) for x in chain if found[x][1] not in ("province", "city")
        )
        out.append((short, legal))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite", required=True, help="a built demo (SQLite file)")
    args = parser.parse_args()
    path = Path(args.sqlite)
    db = open_database(
        Settings(
            database_url=f"sqlite:///{path}", secret_key="b", var_dir=path.parent, inprocess_worker=False
        )
    )
    with db.reading() as session:
        started = time.perf_counter()
        ix = names.index(session)
        paths_build = time.perf_counter() - started
        started = time.perf_counter()
        ix.lookup("北门社区")  # the search part, built on the directory's first search
        search_build = time.perf_counter() - started
        codes = list(session.scalars(select(Incident.jurisdiction_code)))
        rng = random.Random(15)
        pages = [[rng.choice(codes) for _ in range(PAGE)] for _ in range(ROUNDS)]
        ours, base = [], []
        for page in pages:
            started = time.perf_counter()
            mine = [(names.index(session).short_path(c), ix.legal_path(c)) for c in page]
            ours.append(time.perf_counter() - started)
            started = time.perf_counter()
            theirs = from_database(session, page)
            base.append(time.perf_counter() - started)
            assert mine == theirs, (mine[:2], theirs[:2])
    db.dispose()
    figure, baseline = median(ours) * 1000, median(base) * 1000
    report(
        "place_paths",
        [
            (f"{PAGE} rows placed from the index (median of {ROUNDS})", f"{figure:.3f} ms"),
            ("the same from the database, one IN query a page", f"{baseline:.3f} ms"),
            ("index build, paths (what pages wait for)", f"{paths_build:.2f} s"),
            ("search part, built on the first search", f"{search_build:.2f} s"),
            ("places in the index", f"{len(ix.places):,}"),
        ],
        {
            "figure": round(figure, 3),
            "unit": "ms per page of 50 rows",
            "baseline": round(baseline, 3),
            "ratio": round(baseline / figure, 1) if figure else None,
            "index_build_s": round(paths_build, 2),
            "search_build_s": round(search_build, 2),
            "places": len(ix.places),
        },
    )


if __name__ == "__main__":
    main()

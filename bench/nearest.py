"""Nearest capable available teams over the Tongren forces (seed-003 scale, ≈ 3,250 teams).

Figure: p95 latency of one recommendation — check the index version, take the travel model, mask
by scope / readiness / capabilities, estimate travel times, partial sort — over --queries queries at
village points all over Tongren, each in its own read session, with the needs of a random incident
category. Baseline, measured in the same run: the same answer computed the naive way, a SELECT of
the on-call teams in scope and a per-row Python loop (haversine, capability test, sort). Every
baseline answer is compared with the index's. Goal: p95 < 5 ms. CPU time per query and the machine's
load average are printed too: on a shared machine the wall-clock tail is mostly waiting for a core.

    python -m bench.nearest
    python -m bench.nearest --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import math
import os
import time

import numpy as np
from sqlalchemy import select, update

from bench.common import fresh_database, report
from yingji.auth.scope import Principal, in_scope
from yingji.core.db import Actor
from yingji.demo import builder
from yingji.forces import codes, index
from yingji.forces import demo as forces_demo
from yingji.forces.models import Team, bump_index_version
from yingji.geo.travel import DEFAULT_SPEED_KMH, model_for

GOAL_MS = 5.0
LIMIT = 10


def build(db) -> builder.DemoData:
    """The Tongren organisation and its forces, as ``yingji demo`` builds them."""
    options = builder.DemoOptions()
    data = builder.generate(options)
    builder.write(db, data)
    builder.create_logins(db, data)
    forces_demo.build(db, data, options)
    return data


def queries(data: builder.DemoData, n: int, seed: int = 5) -> list[tuple[float, float, str, str, list[str]]]:
    """(lon, lat, place, scope, needs): village points, city or county scope, a category's needs."""
    rng = np.random.default_rng(seed)
    villages = [r for r in data.tables["jurisdictions"] if r["level"] == "village" and r["lon"] is not None]
    categories = list(codes.CATEGORY_NEEDS)
    out = []
    for _ in range(n):
        v = villages[int(rng.integers(0, len(villages)))]
        scope = "5206" if rng.random() < 0.5 else v["code"][:6]
        needs = list(codes.needs_for(categories[int(rng.integers(0, len(categories)))]))
        out.append((v["lon"], v["lat"], v["code"], scope, needs))
    return out


def indexed(session, q) -> list[int]:
    lon, lat, place, scope, needs = q
    idx, network_id = index.snapshot(session)
    model = model_for(session, place, network_id=network_id)
    return [c.team_id for c in index.nearest(idx, lon, lat, needs, scope=scope, model=model, limit=LIMIT)]


def naive(session, q) -> list[int]:
    """A SELECT of the on-call teams in scope, then a per-row loop: the way without an index."""
    lon, lat, place, scope, needs = q
    model = model_for(session, place)
    principal = Principal.system(scope)
    rows = session.execute(
        select(Team.id, Team.lon, Team.lat, Team.capabilities).where(
            in_scope(Team.jurisdiction_code, principal), Team.active, Team.readiness == "on_call"
        )
    ).all()
    wanted = set(needs)
    scored = []
    for team_id, tlon, tlat, caps in rows:
        if tlon is None or not wanted & set(caps.split(",")):
            continue
        p1, p2 = math.radians(tlat), math.radians(lat)
        a = (
            math.sin((p2 - p1) / 2) ** 2
            + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon - tlon) / 2) ** 2
        )
        km = 2 * 6371.0088 * math.asin(math.sqrt(a))
        scored.append((km * model.road_factor / DEFAULT_SPEED_KMH * 60, team_id))
    scored.sort()
    return [team_id for _, team_id in scored[:LIMIT]]


def timed_runs(db, fn, qs) -> tuple[list[float], list[float], list[list[int]]]:
    """Wall-clock and CPU milliseconds of each query (CPU time leaves out waiting for a busy machine)."""
    times, cpu, answers = [], [], []
    for q in qs:
        with db.reading() as session:
            started, started_cpu = time.perf_counter(), time.process_time()
            answers.append(fn(session, q))
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
    return times, cpu, answers


def p95(values: list[float]) -> float:
    return float(np.percentile(values, 95))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=1000, help="indexed queries to time")
    parser.add_argument("--baseline-queries", type=int, default=200, help="naive queries to time")
    parser.add_argument("--database-url", default=None, help="PostgreSQL server to use (default SQLite)")
    args = parser.parse_args()
    with fresh_database(args.database_url, "nearest") as db:
        started = time.perf_counter()
        data = build(db)
        build_s = time.perf_counter() - started
        with db.reading() as session:
            teams = len(session.scalars(select(Team.id)).all())
            started = time.perf_counter()
            index.current(session)
            cold_ms = (time.perf_counter() - started) * 1000
        qs = queries(data, args.queries)
        load = os.getloadavg()[0]
        times, cpu, answers = timed_runs(db, indexed, qs)
        base_qs = qs[: args.baseline_queries]
        base_times, base_cpu, base_answers = timed_runs(db, naive, base_qs)
        agree = sum(a == b for a, b in zip(answers, base_answers, strict=False))
        # A change to one team makes every process rebuild its index on the next query.
        with db.writing(Actor.system("bench")) as session:
            session.execute(update(Team).where(Team.id == 1).values(readiness="resting"))
            bump_index_version(session)
        with db.reading() as session:
            started = time.perf_counter()
            indexed(session, qs[0])
            rebuild_ms = (time.perf_counter() - started) * 1000
        kind = db.kind
    figure, baseline = p95(times), p95(base_times)
    report(
        f"nearest_teams_tongren_{kind}",
        [
            ("database", kind),
            ("teams (demo, seed 003 scale)", f"{teams:,}"),
            ("demo build (s)", f"{build_s:.1f}"),
            ("queries (indexed / naive)", f"{len(qs):,} / {len(base_qs):,}"),
            ("indexed p50 / p95 / max (ms)", f"{np.median(times):.2f} / {figure:.2f} / {max(times):.2f}"),
            ("indexed CPU p50 / p95 (ms)", f"{np.median(cpu):.2f} / {p95(cpu):.2f}"),
            ("naive loop p50 / p95 (ms)", f"{np.median(base_times):.2f} / {baseline:.2f}"),
            ("naive loop CPU p50 / p95 (ms)", f"{np.median(base_cpu):.2f} / {p95(base_cpu):.2f}"),
            ("machine load average at the start", f"{load:.1f} on {os.cpu_count()} CPUs"),
            ("ratio indexed / naive (p95)", f"{figure / baseline:.3f}  ({baseline / figure:.0f}x faster)"),
            ("answers equal to the naive ones", f"{agree} / {len(base_qs)}"),
            ("index build, cold (ms)", f"{cold_ms:.1f}"),
            ("first query after a team changed (ms)", f"{rebuild_ms:.1f}"),
            ("goal p95 (ms)", f"< {GOAL_MS:.0f}  {'met' if figure < GOAL_MS else 'NOT MET'}"),
        ],
        {
            "figure": round(figure, 3),
            "unit": "ms",
            "baseline": round(baseline, 3),
            "ratio": round(figure / baseline, 4),
            "goal": GOAL_MS,
            "cpu_p95": round(p95(cpu), 3),
            "load": round(load, 1),
            "teams": teams,
            "queries": len(qs),
            "agree": f"{agree}/{len(base_qs)}",
            "database": kind,
        },
    )


if __name__ == "__main__":
    main()

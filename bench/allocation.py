"""Allocation of 32 items from 300 stores to 100 demand points: the optimal answer (HiGHS through
SciPy, column generation on candidate arcs) against greedy nearest-first, on Tongren-like geography.

Figure: the optimal plan's total cost (units × travel minutes); baseline, measured in the same run:
the greedy nearest-first plan's cost on the same instance; ratio = optimal / greedy (≤ 1). The time
of the optimal answer is printed beside it; goal: within 2 s on a 2-core machine.

    python -m bench.allocation
    python -m bench.allocation --stores 300 --points 100 --items 32 --seed 7 --runs 3
"""

from __future__ import annotations

import argparse

import numpy as np

from bench.common import median, report
from yingji.geo.travel import TravelModel
from yingji.supplies import allocation

GOAL_S = 2.0
TONGREN_BOX = (108.0, 27.1, 109.5, 29.1)  # lon/lat box of the city


def instance(stores: int, points: int, items: int, seed: int):
    """Stores and demand points scattered over Tongren; stock like the demo's, demand a few
    settlements' worth per point; costs from the platform's travel model (straight line × road factor)."""
    rng = np.random.default_rng(seed)
    lo_lon, lo_lat, hi_lon, hi_lat = TONGREN_BOX
    store_xy = np.column_stack([rng.uniform(lo_lon, hi_lon, stores), rng.uniform(lo_lat, hi_lat, stores)])
    point_xy = np.column_stack([rng.uniform(lo_lon, hi_lon, points), rng.uniform(lo_lat, hi_lat, points)])
    supply = (rng.integers(0, 40, (stores, items)) * (rng.random((stores, items)) < 0.7)).astype(np.int64)
    demand = (rng.integers(0, 60, (points, items)) * (rng.random((points, items)) < 0.6)).astype(np.int64)
    cost = TravelModel().minutes_matrix(store_xy, point_xy)
    return supply, demand, cost


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", type=int, default=300)
    parser.add_argument("--points", type=int, default=100)
    parser.add_argument("--items", type=int, default=32)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    supply, demand, cost = instance(args.stores, args.points, args.items, args.seed)
    optimal_times, greedy_times = [], []
    for _ in range(args.runs):
        best = allocation.optimal(supply, demand, cost)
        quick = allocation.greedy(supply, demand, cost)
        optimal_times.append(best.seconds)
        greedy_times.append(quick.seconds)
    seconds = median(optimal_times)
    ratio = best.cost / quick.cost
    shipped = int(best.shipments.sum())
    report(
        f"allocation_{args.stores}x{args.points}x{args.items}",
        [
            ("stores × demand points × items", f"{args.stores} × {args.points} × {args.items}"),
            ("units demanded / in stock", f"{int(demand.sum()):,} / {int(supply.sum()):,}"),
            ("units shipped (both plans)", f"{shipped:,}  (unmet {int(best.unmet.sum()):,})"),
            ("optimal cost (units × min)", f"{best.cost:,.0f}"),
            ("greedy nearest-first cost", f"{quick.cost:,.0f}"),
            ("ratio optimal / greedy", f"{ratio:.4f}  (saving {1 - ratio:.2%})"),
            (
                "optimal time, median (s)",
                f"{seconds:.3f}   (all: {', '.join(f'{t:.3f}' for t in optimal_times)})",
            ),
            ("greedy time, median (s)", f"{median(greedy_times):.3f}"),
            ("goal (s)", f"≤ {GOAL_S:.0f}  {'met' if seconds <= GOAL_S else 'NOT MET'}"),
        ],
        {
            "figure": round(best.cost, 1),
            "unit": "unit·min",
            "baseline": round(quick.cost, 1),
            "ratio": round(ratio, 4),
            "seconds": round(seconds, 3),
            "goal_s": GOAL_S,
            "met": seconds <= GOAL_S,
        },
    )


if __name__ == "__main__":
    main()

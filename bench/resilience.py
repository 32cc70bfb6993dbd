"""Trust under a bad day (issue 10), on one database: a killed worker, a burst of conflicting writes,
and a read-only viewer exporting the whole city again and again.

1. Queue (``bench.resilience_queue``): a Tongren-wide red warning fanned out to the staff and
   ``--residents`` subscribed residents through a local SMS gateway (batches of 1,000); a real
   ``yingji worker`` is SIGKILLed with a batch in flight and another worker started. ``stall_s``: from
   the kill until the gateway receives again (goal ≤ 30); ``rerun_s``: until the dead worker's own job
   runs again, found by the auditor when its lease runs out; ``duplicates``: messages the gateway got
   twice (goal ≤ one gateway batch), ``duplicates_delivered`` (0: the gateway honours the keys),
   ``lost`` (goal 0). Baseline: a fresh worker's start until its first batch, on the same fan-out
   without a kill (what any restart costs).
2. Overload (``bench.resilience_stock``): ``--requests`` concurrent issues of one item of one store
   against a real ``yingji serve``: ``errors_5xx`` (goal 0), ``totals_conserved``; refused ones are
   409 (not enough stock) or 503 with ``Retry-After`` (shed).
3. Memory (``bench.resilience_exports``): ``--exports`` whole-city enterprise exports by the read-only
   viewer against a real ``yingji serve`` of the Tongren demo; ``rss_growth_mb`` (goal ≤ 200).
   Baseline: the growth over as many light page requests.

The headline figure is ``stall_s`` against its baseline; the other figures are keys of the same JSON
line.

    python -m bench.resilience                       # SQLite
    python -m bench.resilience --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
    python -m bench.resilience --runs 3 --only queue,stock
"""

from __future__ import annotations

import argparse
import math
import statistics

from bench import resilience_exports, resilience_queue, resilience_stock
from bench.common import report

GOALS = {"stall_s": 30.0, "rerun_s": 30.0, "errors_5xx": 0, "lost": 0, "rss_growth_mb": 200.0}
PARTS = ("queue", "stock", "exports")


def _median(runs: list[dict], key: str) -> float:
    values = [r[key] for r in runs if key in r and not (isinstance(r[key], float) and math.isnan(r[key]))]
    return statistics.median(values) if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None, help="PostgreSQL server to use (default SQLite)")
    parser.add_argument("--runs", type=int, default=1, help="runs of each part (fresh databases); medians")
    parser.add_argument("--only", default=",".join(PARTS), help="parts to run: queue,stock,exports")
    parser.add_argument("--residents", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--exports", type=int, default=20)
    args = parser.parse_args()
    parts = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = set(parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")

    queue_runs, stock_runs, export_runs = [], [], []
    for i in range(args.runs):
        if "queue" in parts:
            queue_runs.append(resilience_queue.measure(args.database_url, residents=args.residents))
            print(f"queue run {i + 1}: {queue_runs[-1]}", flush=True)
        if "stock" in parts:
            stock_runs.append(resilience_stock.measure(args.database_url, args.requests))
            print(f"stock run {i + 1}: { {k: v for k, v in stock_runs[-1].items() if k != 'latencies'} }")
        if "exports" in parts:
            export_runs.append(resilience_exports.measure(args.database_url, args.exports))
            print(f"exports run {i + 1}: { {k: v for k, v in export_runs[-1].items() if 'series' not in k} }")
    database = next(r["database"] for r in [*queue_runs, *stock_runs, *export_runs, {"database": "?"}])
    if database == "?":
        database = "postgresql" if args.database_url else "sqlite"

    result: dict = {"database": database, "runs": args.runs}
    rows: list[tuple[str, str]] = [("database", database), ("runs (medians)", str(args.runs))]
    if queue_runs:
        q = {k: _median(queue_runs, k) for k in ("stall_s", "rerun_s", "longest_gap_s", "baseline_s")}
        q |= {k: _median(queue_runs, k) for k in ("duplicates", "duplicates_delivered", "lost", "messages")}
        q["gateway_batch"] = queue_runs[0]["gateway_batch"]
        result |= q
        rows += [
            ("queue: messages (staff + residents)", f"{q['messages']:.0f}"),
            ("queue: stall after the kill (s)", f"{q['stall_s']:.2f} (goal ≤ {GOALS['stall_s']:g})"),
            ("queue: dead worker's job runs again after (s)", f"{q['rerun_s']:.2f} (goal ≤ 30)"),
            ("queue: longest pause after the kill (s)", f"{q['longest_gap_s']:.2f}"),
            ("queue: baseline, worker start → first batch (s)", f"{q['baseline_s']:.2f}"),
            (
                "queue: duplicates / delivered twice / lost",
                f"{q['duplicates']:.0f} (one batch = {q['gateway_batch']}) / "
                f"{q['duplicates_delivered']:.0f} / {q['lost']:.0f}",
            ),
        ]
    if stock_runs:
        s = {k: _median(stock_runs, k) for k in ("errors_5xx", "ok", "conflict_409", "shed_503", "p95_ms")}
        s["totals_conserved"] = all(r["totals_conserved"] for r in stock_runs)
        s["stock_baseline_p95_ms"] = _median(stock_runs, "baseline_p95_ms")
        result |= s
        rows += [
            (f"stock: {args.requests} concurrent issues, 5xx", f"{s['errors_5xx']:g} (goal 0)"),
            (
                "stock: 201 / 409 / 503",
                f"{s['ok']:g} / {s['conflict_409']:g} / {s['shed_503']:g}",
            ),
            ("stock: totals conserved (every run)", str(s["totals_conserved"])),
            (
                "stock: burst p95 / one at a time p95 (ms)",
                f"{s['p95_ms']:.0f} / {s['stock_baseline_p95_ms']:.0f}",
            ),
        ]
    if export_runs:
        e = {k: _median(export_runs, k) for k in ("rss_growth_mb", "rss_start_mb", "rss_end_mb", "export_s")}
        e["rss_baseline_mb"] = _median(export_runs, "baseline")
        result |= e
        rows += [
            (
                f"exports: RSS growth over {args.exports} whole-city exports (MB)",
                f"{e['rss_growth_mb']:.0f} (goal ≤ {GOALS['rss_growth_mb']:g}; "
                f"{e['rss_start_mb']:.0f} → {e['rss_end_mb']:.0f})",
            ),
            ("exports: baseline, growth over as many light requests (MB)", f"{e['rss_baseline_mb']:.0f}"),
            ("exports: time per export, median (s)", f"{e['export_s']:.1f}"),
        ]
    figure = result.get("stall_s", float("nan"))
    baseline = result.get("baseline_s", float("nan"))

    def plain(v):  # JSON has no NaN: a part not run is null
        if isinstance(v, float):
            return None if math.isnan(v) else round(v, 2)
        return v

    result = {
        "figure": plain(figure),
        "unit": "s",
        "baseline": plain(baseline),
        "ratio": plain(figure / baseline) if baseline and not math.isnan(baseline) else None,
        **{k: plain(v) for k, v in result.items()},
    }
    report(f"resilience_{database}", rows, result)


if __name__ == "__main__":
    main()

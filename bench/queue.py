"""The job queue against procrastinate and pgqueuer, on the same PostgreSQL database, in one run.

For each queue (ours, then procrastinate, then pgqueuer), on one fresh database holding all three
schemas:

1. ``enqueue_one_per_s``: ``--one-by-one`` no-op jobs enqueued one at a time, each in its own
   transaction (ours: ``queue.enqueue`` in ``db.writing``; procrastinate: ``defer_async``;
   pgqueuer: ``Queries.enqueue`` with one job);
2. ``enqueue_per_s``: the rest of the ``--jobs`` enqueued in batches of ``--batch``, one
   transaction each (ours: ``queue.enqueue_many``; procrastinate: ``batch_defer_async``;
   pgqueuer: ``Queries.enqueue`` with lists);
3. ``drain_per_s``: one worker process with ``--concurrency`` (4) workers started on the full queue
   (ours: ``yingji worker --concurrency 4``; procrastinate: ``procrastinate worker --concurrency 4``;
   pgqueuer: ``pgq run`` with its defaults), timed from its first finished job to its last;
4. ``latency_p50_ms``: with that worker idle, ``--latency-jobs`` jobs enqueued one at a time
   ``--gap`` seconds apart; each job appends how long it waited from just before its enqueue to the
   start of its handler (median).

Each peer is used as its documentation shows (``bench/queue_jobs.py``); install them with
``pip install -e '.[bench]'``. The figure is our drain rate; the baseline the faster peer's. The
claim's plan on the full queue is printed (it must read ``ix_jobs_queued`` and never sort).

    python -m bench.queue                        # PostgreSQL at YINGJI_BENCH_PG_URL or the test server
    python -m bench.queue --runs 3               # medians of three runs
    python -m bench.queue --jobs 5000            # a short run while developing
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.common import fresh_database, report
from bench.queue_jobs import KIND
from yingji.core.db import Actor, Database
from yingji.jobs import explain, queue

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SYSTEMS = ("yingji", "procrastinate", "pgqueuer")
FIGURES = ("enqueue_one_per_s", "enqueue_per_s", "drain_per_s", "latency_p50_ms")
DRAIN_TIMEOUT_S = 900


# -- the three queues: enqueue (one, batch), the worker's command line, what is left to run ----------
class Ours:
    name = "yingji"

    def __init__(self, db: Database, dsn: str) -> None:
        self.db = db

    def enqueue_one(self, payload: dict) -> None:
        with self.db.writing(Actor.system("bench")) as session:
            queue.enqueue(session, KIND, payload)

    def enqueue_batch(self, payloads: list[dict]) -> None:
        with self.db.writing(Actor.system("bench")) as session:
            queue.enqueue_many(session, KIND, payloads)

    def worker(self, concurrency: int) -> list[str]:
        return [
            sys.executable,
            "-m",
            "yingji",
            "worker",
            "--load",
            "bench.queue_jobs",
            "--kinds",
            KIND,
            "--concurrency",
            str(concurrency),
        ]

    remaining_sql = f"SELECT count(*) FROM jobs WHERE kind = '{KIND}' AND state IN ('queued', 'running')"

    def close(self) -> None:
        pass


class Procrastinate:
    name = "procrastinate"

    def __init__(self, db: Database, dsn: str) -> None:
        from bench.queue_jobs import procrastinate_app, procrastinate_noop

        # Its connector reads BENCH_PG_DSN (this run's database) when it connects.
        self.app, self.task = procrastinate_app, procrastinate_noop
        self.loop = asyncio.new_event_loop()
        self.loop.run_until_complete(self.app.open_async())
        self.loop.run_until_complete(self.app.schema_manager.apply_schema_async())

    def enqueue_one(self, payload: dict) -> None:
        self.loop.run_until_complete(self.task.defer_async(**payload))

    def enqueue_batch(self, payloads: list[dict]) -> None:
        self.loop.run_until_complete(self.task.batch_defer_async(*payloads))

    def worker(self, concurrency: int) -> list[str]:
        return [
            str(Path(sys.executable).parent / "procrastinate"),
            "--app=bench.queue_jobs.procrastinate_app",
            "worker",
            "--concurrency",
            str(concurrency),
        ]

    remaining_sql = "SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing')"

    def close(self) -> None:
        self.loop.run_until_complete(self.app.close_async())
        self.loop.close()


class PgQueuer:
    name = "pgqueuer"

    def __init__(self, db: Database, dsn: str) -> None:
        import psycopg
        from pgqueuer import Queries
        from pgqueuer.db import PsycopgDriver

        self.loop = asyncio.new_event_loop()
        self.conn = self.loop.run_until_complete(psycopg.AsyncConnection.connect(dsn, autocommit=True))
        self.queries = Queries(PsycopgDriver(self.conn))
        self.loop.run_until_complete(self.queries.install())

    def enqueue_one(self, payload: dict) -> None:
        self.loop.run_until_complete(self.queries.enqueue("noop", json.dumps(payload).encode()))

    def enqueue_batch(self, payloads: list[dict]) -> None:
        n = len(payloads)
        bodies = [json.dumps(p).encode() for p in payloads]
        self.loop.run_until_complete(self.queries.enqueue(["noop"] * n, bodies, [0] * n))

    def worker(self, concurrency: int) -> list[str]:
        # `pgqueuer.run` (what `pgq run` calls) with its defaults: batches of 10, no concurrency cap.
        # (The `pgq` command of pgqueuer 1.6 fails on its own --log-level option.)
        run = "import asyncio, pgqueuer, bench.queue_jobs as j; asyncio.run(pgqueuer.run(j.pgqueuer_app))"
        return [sys.executable, "-c", run]

    remaining_sql = "SELECT count(*) FROM pgqueuer WHERE entrypoint = 'noop'"

    def close(self) -> None:
        self.loop.run_until_complete(self.conn.close())
        self.loop.close()


# -- measuring ---------------------------------------------------------------------------------------
def rate(n: int, fn: Callable[[], None]) -> float:
    started = time.perf_counter()
    fn()
    return n / (time.perf_counter() - started)


def start(cmd: list[str], env: dict, log: Path) -> subprocess.Popen:
    with log.open("wb") as out:
        return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def drain(proc: subprocess.Popen, remaining: Callable[[], int], total: int, log: Path) -> float:
    """Jobs per second from the first finished job to the last (the worker's start-up excluded)."""
    deadline = time.monotonic() + DRAIN_TIMEOUT_S
    first: tuple[float, int] | None = None
    while True:
        left = remaining()
        now = time.perf_counter()
        if first is None and left < total:
            first = (now, left)
        if left == 0:
            break
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(
                f"the worker stopped or timed out with {left} jobs left:\n{log.read_text()[-3000:]}"
            )
        time.sleep(0.05)
    t0, left0 = first
    return left0 / max(now - t0, 1e-9)


def latencies(system, n: int, gap: float, log_path: Path, proc: subprocess.Popen) -> list[float]:
    for _ in range(n):
        system.enqueue_one({"t": time.time()})
        time.sleep(gap)
    deadline = time.monotonic() + 60
    while True:
        lines = log_path.read_text().split() if log_path.exists() else []
        if len(lines) >= n:
            return [float(x) for x in lines]
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"only {len(lines)} of {n} latency jobs ran")
        time.sleep(0.1)


def measure(system, db: Database, args, env: dict, tmp: Path) -> dict[str, float]:
    n_one = min(args.one_by_one, args.jobs)
    one = rate(n_one, lambda: [system.enqueue_one({}) for _ in range(n_one)])
    rest = args.jobs - n_one

    def batches():
        for start_at in range(0, rest, args.batch):
            system.enqueue_batch([{} for _ in range(min(args.batch, rest - start_at))])

    batch = rate(rest, batches) if rest else float("nan")
    if system.name == "yingji":
        show_claim_plan(db)

    def remaining() -> int:
        with db.engine.connect() as conn:
            return conn.execute(text(system.remaining_sql)).scalar()

    log_path = tmp / f"{system.name}.latency"
    env = {**env, "BENCH_QUEUE_LOG": str(log_path)}
    out = tmp / f"{system.name}.out"
    proc = start(system.worker(args.concurrency), env, out)
    try:
        drained = drain(proc, remaining, args.jobs, out)
        time.sleep(1.0)  # idle now: waiting for work, not finishing the last batch
        waits = latencies(system, args.latency_jobs, args.gap, log_path, proc)
    finally:
        stop(proc)
    return {
        "enqueue_one_per_s": one,
        "enqueue_per_s": batch,
        "drain_per_s": drained,
        "latency_p50_ms": statistics.median(waits),
    }


def show_claim_plan(db: Database) -> None:
    with db.engine.connect() as conn:
        conn.execute(text("ANALYZE jobs"))
        conn.commit()
    with db.writing(Actor.system("bench")) as session:
        plan = explain.claim_plan(session, 4)
    print("claim plan on the full queue:\n  " + "\n  ".join(plan))
    if any("Sort" in line for line in plan) or not any("ix_jobs_queued" in line for line in plan):
        raise SystemExit("the claim does not read ix_jobs_queued without a sort")


def one_run(args) -> dict[str, dict[str, float]]:
    results = {}
    with fresh_database(args.database_url, "queue") as db, tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        dsn = make_url(db.settings.database_url).set(drivername="postgresql").render_as_string(False)
        os.environ["BENCH_PG_DSN"] = dsn  # bench.queue_jobs' apps read it (here and in the workers)
        env = dict(os.environ)
        env.update(
            YINGJI_DATABASE_URL=db.settings.database_url,
            YINGJI_VAR_DIR=str(tmp / "var"),
            YINGJI_SECRET_KEY="bench-secret",
            BENCH_PG_DSN=dsn,
            PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p),
        )
        for cls in (Ours, Procrastinate, PgQueuer):
            system = cls(db, dsn)
            try:
                results[system.name] = measure(system, db, args, env, tmp)
            finally:
                system.close()
            print(system.name, {k: round(v, 1) for k, v in results[system.name].items()}, flush=True)
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("YINGJI_BENCH_PG_URL", DEFAULT_URL))
    parser.add_argument("--jobs", type=int, default=50_000)
    parser.add_argument("--one-by-one", type=int, default=500, help="of --jobs, enqueued one at a time")
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--latency-jobs", type=int, default=100)
    parser.add_argument("--gap", type=float, default=0.05, help="seconds between the latency jobs")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args(argv)
    if not make_url(args.database_url).get_backend_name().startswith("postgresql"):
        raise SystemExit("the peers run on PostgreSQL only: --database-url postgresql+psycopg://…")
    create_engine(args.database_url).dispose()

    runs = [one_run(args) for _ in range(args.runs)]
    med = {s: {f: statistics.median(r[s][f] for r in runs) for f in FIGURES} for s in SYSTEMS}
    peers = [s for s in SYSTEMS if s != "yingji"]
    fastest_drain = max(peers, key=lambda s: med[s]["drain_per_s"])
    fastest_enqueue = max(peers, key=lambda s: med[s]["enqueue_per_s"])
    fastest_one = max(peers, key=lambda s: med[s]["enqueue_one_per_s"])
    ours = med["yingji"]
    rows = [
        (f"{s} {f}", f"{med[s][f]:,.1f}" + (f"  (runs: {', '.join(f'{r[s][f]:,.0f}' for r in runs)})"))
        for s in SYSTEMS
        for f in FIGURES
    ]
    title = f"Job queue, {args.jobs:,} no-op jobs, {args.concurrency} workers, PostgreSQL"
    report(
        f"{title} (medians of {args.runs})",
        rows,
        {
            "name": "queue",
            "figure": round(ours["drain_per_s"], 1),
            "unit": "jobs/s drained",
            "baseline": round(med[fastest_drain]["drain_per_s"], 1),
            "baseline_of": fastest_drain,
            "ratio": round(ours["drain_per_s"] / med[fastest_drain]["drain_per_s"], 3),
            "enqueue_per_s": round(ours["enqueue_per_s"], 1),
            "peer_enqueue_per_s": round(med[fastest_enqueue]["enqueue_per_s"], 1),
            "peer_enqueue_of": fastest_enqueue,
            "enqueue_one_per_s": round(ours["enqueue_one_per_s"], 1),
            "peer_enqueue_one_per_s": round(med[fastest_one]["enqueue_one_per_s"], 1),
            "peer_enqueue_one_of": fastest_one,
            "latency_p50_ms": round(ours["latency_p50_ms"], 1),
            "peer_latency_p50_ms": {s: round(med[s]["latency_p50_ms"], 1) for s in peers},
            "peer_drain_per_s": {s: round(med[s]["drain_per_s"], 1) for s in peers},
            "runs": args.runs,
        },
    )


if __name__ == "__main__":
    main()

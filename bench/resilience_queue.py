"""A worker killed in the middle of a city-wide red warning's fan-out: how long the SMS stall, how
many messages the gateway gets twice, how many recipients are never reached.

Each run uses a fresh database (the Tongren demo organisation, ~36,000 grid workers, plus
``--residents`` generated residents, all subscribed with a phone), the local gateway of
``bench.fanout`` (batches of 1,000, honouring idempotency keys) and real ``yingji worker``
processes with the production lease settings (``YINGJI_JOB_LEASE_S`` / ``YINGJI_JOB_AUDIT_S`` from
the environment, else 15 s and 5 s):

1. baseline, the same fan-out without a kill: a red warning is published and a fresh worker process
   sends it undisturbed. ``baseline_s`` is the time from starting that process to the gateway's
   first batch, i.e. what starting a replacement worker costs when there is no lease to wait out;
   ``baseline_total_s`` is the whole fan-out.
2. the kill: a second red warning (a new dispatch to the same people); a worker process sends until
   the gateway has taken half of it and is SIGKILLed while the gateway holds one batch (which the
   gateway still takes: the worst case, a batch in flight); another worker process starts at once.

   - ``stall_s``: from the kill until the gateway receives messages again (goal ≤ 30);
   - ``longest_gap_s``: the longest pause in the gateway's traffic from the kill to the end of the
     fan-out (a replacement worker may send something at once and then wait for a lease);
   - ``rerun_s``: from the kill until the dead worker's job runs again (the auditor's requeue);
   - ``duplicates``: messages the gateway received more than once, by key (goal ≤ one batch);
   - ``duplicates_delivered``: messages a phone got more than once (the gateway honours keys: 0);
   - ``lost``: recipients never reached (goal 0).

    python -m bench.resilience_queue                      # SQLite, 200,000 residents
    python -m bench.resilience_queue --runs 3             # medians of three runs
    python -m bench.resilience_queue --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from bench.common import fresh_database, report
from bench.fanout import SMS_BATCH, BenchGateway, add_gateway, build_city, publish, red_warning
from yingji.core.db import Database
from yingji.delivery.issuing import SEND_JOB
from yingji.delivery.models import Delivery
from yingji.jobs import registry
from yingji.jobs.models import Job
from yingji.jobs.worker import Worker

GOALS = {"stall_s": 30.0, "rerun_s": 30.0, "duplicates": SMS_BATCH, "duplicates_delivered": 0, "lost": 0}
ROOT = Path(__file__).resolve().parents[1]
WAIT_S = 900  # give up on a fan-out after this long
FIGURES = (
    "stall_s",
    "longest_gap_s",
    "rerun_s",
    "baseline_s",
    "duplicates",
    "duplicates_delivered",
    "lost",
    "total_s",
)


def start_worker(db: Database, var_dir: Path, name: str) -> subprocess.Popen:
    """``yingji worker`` on the bench database, its output in ``var_dir/name.log``."""
    env = dict(os.environ)
    env.update(
        YINGJI_DATABASE_URL=db.settings.database_url,
        YINGJI_VAR_DIR=str(var_dir),
        YINGJI_SECRET_KEY="bench-secret",
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p),
    )
    with (var_dir / f"{name}.log").open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "yingji", "worker"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def stop_worker(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def fan_out(db: Database, top: str, identifier: str) -> tuple[int, dict[str, int]]:
    """Publish a city-wide red warning and write its residents' deliveries; returns the dispatch
    and the SMS rows per phone."""
    dispatch_id = publish(db, red_warning(db, top, identifier))
    Worker(db, kinds=["delivery.fanout_residents"]).run_until_idle()
    with db.reading() as session:
        rows = session.execute(
            select(Delivery.address, func.count())
            .where(
                Delivery.dispatch_id == dispatch_id, Delivery.channel == "sms", Delivery.address.is_not(None)
            )
            .group_by(Delivery.address)
        )
        return dispatch_id, {phone: n for phone, n in rows}


def queued(db: Database, dispatch_id: int) -> int:
    with db.reading() as session:
        return session.scalar(
            select(func.count()).where(
                Delivery.dispatch_id == dispatch_id, Delivery.channel == "sms", Delivery.state == "queued"
            )
        )


def wait_sent(db: Database, dispatch_id: int, proc: subprocess.Popen, log: Path) -> float:
    """Until no SMS of the dispatch is queued; returns when (perf_counter)."""
    deadline = time.perf_counter() + WAIT_S
    while queued(db, dispatch_id):
        if proc.poll() is not None:
            raise RuntimeError(f"worker exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        if time.perf_counter() > deadline:
            raise TimeoutError(f"the fan-out did not finish in {WAIT_S} s")
        time.sleep(0.2)
    return time.perf_counter()


def running_send_job(db: Database, dispatch_id: int) -> tuple[int, int] | None:
    """The dispatch's send job that is running (id, attempts): the one of the batch in flight."""
    with db.reading() as session:
        for job in session.scalars(select(Job).where(Job.kind == SEND_JOB, Job.state == "running")):
            if job.payload.get("dispatch_id") == dispatch_id:
                return job.id, job.attempts
    return None


def measure(database_url: str | None, residents: int = 200_000, seed: int = 2026) -> dict:
    """One run: the baseline fan-out, then the fan-out with a killed worker (see the module)."""
    registry.load_all()
    with fresh_database(database_url, "resilience") as db, tempfile.TemporaryDirectory() as tmp:
        var_dir = Path(tmp)
        setup = build_city(db, residents, seed)
        gateway = BenchGateway()
        add_gateway(db, setup["top"], gateway)
        try:
            baseline = _baseline(db, setup["top"], gateway, var_dir)
            gateway.reset()
            killed = _killed(db, setup["top"], gateway, var_dir)
        finally:
            gateway.close()
        return {
            "database": db.kind,
            "residents": residents,
            "gateway_batch": SMS_BATCH,
            # what the worker processes ran with: the same environment
            "lease_s": float(os.environ.get("YINGJI_JOB_LEASE_S") or registry.DEFAULT_LEASE_S),
            "audit_s": float(os.environ.get("YINGJI_JOB_AUDIT_S") or registry.DEFAULT_AUDIT_S),
            **baseline,
            **killed,
        }


def _baseline(db: Database, top: str, gateway: BenchGateway, var_dir: Path) -> dict:
    dispatch_id, _ = fan_out(db, top, "BENCH_RESILIENCE_BASELINE")
    started = time.perf_counter()
    proc = start_worker(db, var_dir, "baseline")
    try:
        done = wait_sent(db, dispatch_id, proc, var_dir / "baseline.log")
    finally:
        stop_worker(proc)
    return {"baseline_s": gateway.request_times[0] - started, "baseline_total_s": done - started}


def _killed(db: Database, top: str, gateway: BenchGateway, var_dir: Path) -> dict:
    dispatch_id, phones = fan_out(db, top, "BENCH_RESILIENCE_KILL")
    messages = sum(phones.values())
    gateway.hold_after = messages // 2
    started = time.perf_counter()
    first = start_worker(db, var_dir, "first")
    try:
        if not gateway.held.wait(timeout=WAIT_S):
            raise TimeoutError((var_dir / "first.log").read_text()[-3000:])
        job = running_send_job(db, dispatch_id)  # the job of the batch in flight
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        killed_at = time.perf_counter()
    finally:
        if first.poll() is None:
            first.kill()
    before = len(gateway.request_times)
    gateway.release.set()  # the gateway takes the held batch after all
    second = start_worker(db, var_dir, "second")
    rerun_at = None
    try:
        while job is not None and rerun_at is None:
            with db.reading() as session:
                attempts = session.get(Job, job[0]).attempts
            if attempts > job[1]:  # requeued by the auditor and claimed again
                rerun_at = time.perf_counter()
            elif time.perf_counter() > killed_at + WAIT_S:
                raise TimeoutError(
                    f"the dead worker's job never ran again:\n{(var_dir / 'second.log').read_text()}"
                )
            time.sleep(0.05)
        done = wait_sent(db, dispatch_id, second, var_dir / "second.log")
    finally:
        stop_worker(second)
    after = sorted(t for t in gateway.request_times[before:] if t > killed_at)
    pauses = [b - a for a, b in zip([killed_at, *after], after, strict=False)]
    with gateway.lock:
        received, distinct = gateway.count, len(gateway.keys)
        delivered = dict(gateway.delivered)
    return {
        "messages": messages,
        "killed_after": gateway.hold_after,
        "stall_s": (min(after) - killed_at) if after else float("nan"),
        "longest_gap_s": max(pauses, default=float("nan")),
        "rerun_s": (rerun_at - killed_at) if rerun_at else float("nan"),
        "total_s": done - started,
        "duplicates": received - distinct,
        "duplicates_delivered": sum(max(0, delivered.get(p, 0) - n) for p, n in phones.items()),
        "lost": sum(max(0, n - delivered.get(p, 0)) for p, n in phones.items()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=1, help="runs (each on a fresh database); medians")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url", default=None, help="PostgreSQL server to use (default SQLite)")
    args = parser.parse_args()
    runs = []
    for i in range(args.runs):
        run = measure(args.database_url, args.residents, args.seed)
        runs.append(run)
        shown = (f"{k}={run[k]:.2f}" if isinstance(run[k], float) else f"{k}={run[k]}" for k in FIGURES)
        print(f"run {i + 1}: " + ", ".join(shown), flush=True)
    med = {k: statistics.median(r[k] for r in runs) for k in (*FIGURES, "baseline_total_s")}
    first = runs[0]
    kind = first["database"]
    ratio = med["stall_s"] / med["baseline_s"] if med["baseline_s"] else float("nan")
    report(
        f"resilience_queue_{kind}",
        [
            ("database", kind),
            ("runs (medians below)", str(len(runs))),
            ("subscribed residents", f"{args.residents:,}"),
            ("SMS of the killed fan-out", f"{first['messages']:,}   killed after ~{first['killed_after']:,}"),
            ("gateway batch", f"{SMS_BATCH:,}"),
            ("lease / auditor interval (s)", f"{first['lease_s']:g} / {first['audit_s']:g}"),
            (
                "stall: kill → gateway receives again (s)",
                f"{med['stall_s']:.2f}   goal ≤ {GOALS['stall_s']:.0f}",
            ),
            ("longest pause of the gateway after the kill (s)", f"{med['longest_gap_s']:.2f}"),
            (
                "kill → dead worker's job runs again (s)",
                f"{med['rerun_s']:.2f}   goal ≤ {GOALS['rerun_s']:.0f}",
            ),
            ("baseline: worker start → first batch (s)", f"{med['baseline_s']:.2f}"),
            (
                "messages received twice (by key)",
                f"{med['duplicates']:,.0f}   goal ≤ {SMS_BATCH:,} (one batch)",
            ),
            ("messages delivered twice", f"{med['duplicates_delivered']:,.0f}   goal 0"),
            ("recipients never reached", f"{med['lost']:,.0f}   goal 0"),
            ("fan-out with the kill (s)", f"{med['total_s']:.1f}"),
            ("fan-out without a kill (s)", f"{med['baseline_total_s']:.1f}"),
        ],
        {
            "figure": round(med["stall_s"], 2),
            "unit": "s",
            "baseline": round(med["baseline_s"], 2),
            "ratio": round(ratio, 2),
            "stall_s": round(med["stall_s"], 2),
            "longest_gap_s": round(med["longest_gap_s"], 2),
            "rerun_s": round(med["rerun_s"], 2),
            "duplicates": med["duplicates"],
            "duplicates_delivered": med["duplicates_delivered"],
            "lost": med["lost"],
            "gateway_batch": SMS_BATCH,
            "messages": first["messages"],
            "total_s": round(med["total_s"], 1),
            "baseline_total_s": round(med["baseline_total_s"], 1),
            "lease_s": first["lease_s"],
            "audit_s": first["audit_s"],
            "runs": len(runs),
            "baseline_is": "worker process start to its first gateway batch, same fan-out without a kill",
            "goals": GOALS,
            "database": kind,
        },
    )


if __name__ == "__main__":
    main()

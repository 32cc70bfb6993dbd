"""``yingji worker`` as real processes: several on one PostgreSQL queue never run a job twice,
and a worker killed in the middle of a job loses it (and, on PostgreSQL, the jobs it had claimed
ahead) only until their leases run out, while one stopped hands back at once what it had not started.

Subprocesses have their own clock (the real one), so these tests never freeze it. They run with a
short longest lease and auditor interval (settings, as production could set them).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from tests.conftest import PG_URL
from tests.jobs import handlers
from tests.jobs.conftest import add, effects, get
from yingji.core.db import Actor
from yingji.jobs import queue, wakeup
from yingji.jobs.models import Job

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]


@pytest.fixture
def spawn(db, tmp_path):
    """Start ``yingji worker --load tests.jobs.handlers …`` on the test database; every process
    still running at the end of the test is killed."""
    env = dict(os.environ)
    env.update(
        YINGJI_DATABASE_URL=db.settings.database_url,
        YINGJI_VAR_DIR=str(tmp_path / "var"),
        YINGJI_SECRET_KEY="test-secret",
        YINGJI_JOB_LEASE_S="5",
        YINGJI_JOB_AUDIT_S="0.5",
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p),
    )
    procs: list[subprocess.Popen] = []

    def start(name: str, *args: str) -> subprocess.Popen:
        output = tmp_path / f"{name}.out"
        with output.open("wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "yingji", "worker", "--load", "tests.jobs.handlers", *args],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        proc.output = output  # type: ignore[attr-defined]
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def output(proc) -> str:
    return proc.output.read_text(errors="replace")


def wait_for(condition, *, timeout: float, what: str, procs=()) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        for proc in procs:
            assert proc.poll() is None, (
                f"worker exited ({proc.returncode}) waiting for {what}:\n{output(proc)}"
            )
        assert time.monotonic() < deadline, f"timed out waiting for {what}:\n" + "\n".join(
            output(p) for p in procs
        )
        time.sleep(0.05)


def kind_counts(db, kind: str) -> dict[str, int]:
    with db.reading() as session:
        rows = session.execute(select(Job.state, func.count()).where(Job.kind == kind).group_by(Job.state))
        return {state: n for state, n in rows}


def test_worker_once_runs_what_is_due_for_its_kinds(db, spawn):
    ids = [add(db, "tests.record", {"note": f"n{i}"}) for i in range(3)]
    other = add(db, "tests.fail")
    later = add(db, "tests.record", delay=timedelta(hours=1))
    proc = spawn("once", "--once", "--kinds", "tests.record, tests.block")
    assert proc.wait(timeout=60) == 0, output(proc)
    assert "ran 3 jobs" in output(proc)
    assert [(j, a, pid) for j, a, pid, _ in effects(db)] == [(i, 1, proc.pid) for i in ids]
    assert (get(db, other).state, get(db, other).attempts) == ("queued", 0)
    assert get(db, later).state == "queued"


@pytest.mark.skipif(not PG_URL, reason="several worker processes share a queue on PostgreSQL only")
def test_two_worker_processes_run_every_job_exactly_once(db, spawn, tmp_path):
    log = tmp_path / "executions.log"
    with db.writing(Actor.system("tests")) as session:
        ids = [queue.enqueue(session, "tests.record", {"log": str(log), "sleep": 0.005}) for _ in range(400)]
    workers = [
        spawn(f"worker{i}", "--kinds", "tests.record", "--concurrency", "2", "--idle", "0.05")
        for i in range(2)
    ]
    wait_for(
        lambda: kind_counts(db, "tests.record") == {"done": 400},
        timeout=90,
        what="all 400 jobs to be done",
        procs=workers,
    )
    for proc in workers:
        proc.send_signal(signal.SIGTERM)
    for proc in workers:
        assert proc.wait(timeout=20) == 0, output(proc)

    runs = handlers.read_log(log)
    # Every execution is logged, even one whose transaction was rolled back: exactly one each.
    assert sorted(job_id for job_id, _, _, _ in runs) == ids
    assert {attempt for _, attempt, _, _ in runs} == {1}
    assert {pid for _, _, pid, _ in runs} == {proc.pid for proc in workers}  # both took part
    assert sorted(job_id for job_id, _, _, _ in effects(db)) == ids
    with db.reading() as session:
        assert set(session.scalars(select(Job.attempts).where(Job.kind == "tests.record"))) == {1}


def test_a_killed_workers_jobs_run_again_after_their_lease(db, spawn, tmp_path):
    log, release = tmp_path / "block.log", tmp_path / "release"
    job_id = add(db, "tests.block", {"log": str(log), "release": str(release)}, priority=1)  # lease_s=2
    later = [add(db, "tests.record", {"log": str(log)}) for _ in range(3)]
    kinds = ("--kinds", "tests.block,tests.record", "--idle", "0.05")
    first = spawn("first", *kinds)
    wait_for(lambda: handlers.read_log(log), timeout=60, what="the job to start", procs=[first])
    assert handlers.read_log(log) == [(job_id, 1, first.pid, "start")]
    row = get(db, job_id)
    assert (row.state, row.attempts) == ("running", 1)
    assert f":{first.pid}:" in row.lease_owner
    # The job holds its kind's 2 s lease. On PostgreSQL the jobs after it are claimed ahead (the
    # 5 s longest lease): a dead worker's, too, wait for the auditor. SQLite claims none ahead.
    assert row.lease_expires_at <= datetime.now(UTC) + timedelta(seconds=2)
    ahead = db.kind == "postgresql"
    if ahead:
        claimed_ahead = lambda: kind_counts(db, "tests.record") == {"running": 3}  # noqa: E731
        wait_for(claimed_ahead, timeout=60, what="the claim ahead")
        assert {get(db, i).lease_owner for i in later} == {row.lease_owner}
    else:
        assert {(get(db, i).state, get(db, i).attempts) for i in later} == {("queued", 0)}

    first.send_signal(signal.SIGKILL)
    assert first.wait(timeout=10) == -signal.SIGKILL
    assert get(db, job_id).state == "running"  # nobody knows yet

    # A fresh worker runs the queued jobs at once, and the dead one's once its auditor sees their
    # leases run out: nothing here touches a lease.
    release.touch()
    second = spawn("second", *kinds)
    wait_for(
        lambda: (
            kind_counts(db, "tests.block") == {"done": 1} and kind_counts(db, "tests.record") == {"done": 3}
        ),
        timeout=60,
        what="the second worker to run every job",
        procs=[second],
    )
    second.send_signal(signal.SIGTERM)
    assert second.wait(timeout=20) == 0, output(second)

    row = get(db, job_id)
    assert (row.state, row.attempts, row.lease_token) == ("done", 2, None)
    assert [e for e in effects(db) if e[0] == job_id] == [(job_id, 2, second.pid, "unblocked")]
    assert sorted((j, a, pid) for j, a, pid, _ in effects(db) if j != job_id) == [
        (i, 2 if ahead else 1, second.pid) for i in later
    ]
    runs = handlers.read_log(log)
    assert [r for r in runs if r[0] == job_id] == [
        (job_id, 1, first.pid, "start"),
        (job_id, 2, second.pid, "start"),
        (job_id, 2, second.pid, "done"),
    ]


@pytest.mark.skipif(not PG_URL, reason="claims ahead: PostgreSQL (SQLite's worker claims none ahead)")
def test_a_stopped_worker_hands_back_at_once_the_jobs_it_claimed_ahead(db, spawn, tmp_path):
    log, release = tmp_path / "block.log", tmp_path / "release"
    job_id = add(db, "tests.block", {"log": str(log), "release": str(release)}, priority=1)
    later = [add(db, "tests.record", {"log": str(log)}) for _ in range(3)]
    proc = spawn("first", "--kinds", "tests.block,tests.record", "--idle", "0.05")
    wait_for(lambda: kind_counts(db, "tests.record") == {"running": 3}, timeout=60, what="the claim ahead")
    proc.send_signal(signal.SIGTERM)
    # Back in the queue while the worker still runs its job: no wait for lease and auditor.
    wait_for(lambda: kind_counts(db, "tests.record") == {"queued": 3}, timeout=60, what="the hand-back")
    assert get(db, job_id).state == "running" and proc.poll() is None
    assert {(get(db, i).attempts, get(db, i).lease_token) for i in later} == {(0, None)}
    release.touch()
    assert proc.wait(timeout=30) == 0, output(proc)
    assert (get(db, job_id).state, get(db, job_id).attempts) == ("done", 1)
    assert [r for r in handlers.read_log(log) if r[0] != job_id] == []  # none of them ran


@pytest.mark.skipif(not PG_URL, reason="NOTIFY between processes: PostgreSQL only")
def test_an_idle_worker_process_is_woken_by_an_enqueue_in_another_process(db, spawn):
    """The worker pauses 60 s when idle; a job enqueued here (another process: no in-process wake)
    runs well before that, because the enqueue's NOTIFY reaches the worker's LISTEN connection."""
    proc = spawn("idle", "--kinds", "tests.record", "--concurrency", "2", "--idle", "60")
    listen = text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query = :q")

    def listening() -> bool:
        with db.reading() as session:
            return session.scalar(listen, {"q": f"LISTEN {wakeup.CHANNEL}"}) > 0

    wait_for(listening, timeout=60, what="the worker to LISTEN", procs=[proc])
    first = add(db, "tests.record")
    wait_for(lambda: get(db, first).state == "done", timeout=60, what="the first job", procs=[proc])
    second = add(db, "tests.record")  # the worker is idle now, for up to 60 s
    wait_for(lambda: get(db, second).state == "done", timeout=20, what="the woken worker", procs=[proc])
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 0, output(proc)

"""A worker killed in the middle of dispatch: ``yingji worker`` as a real process sends SMS batches
to the test gateway, is SIGKILLed while the gateway holds one batch (which it still takes), and a
second worker, started at once, finishes on its own: the auditor requeues the dead worker's job when
its lease runs out (short leases set through the settings; nothing in the test touches the lease).

Every gateway batch commits its receipts as it is recorded, so only the batch in flight is resent
(the gateway recognises it by its idempotency keys: nothing reaches a phone twice), and every
recipient ends with exactly one delivery: one row in our table, one accepted message, one key."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import update

from tests.conftest import PG_URL
from tests.delivery.conftest import alone, deliveries, emit, make_warning, run_jobs, send_jobs
from yingji.core.db import Actor
from yingji.delivery.models import ChannelEndpoint
from yingji.jobs import queue
from yingji.jobs.models import Job
from yingji.jobs.worker import Worker

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]
BATCH = 10
# Settings a test may shorten (production: 15 s and 5 s); the second worker must notice the dead
# one's job through them alone.
SHORT_LEASES = {"YINGJI_JOB_LEASE_S": "2", "YINGJI_JOB_AUDIT_S": "0.5"}


def start_worker(db, tmp_path, name: str, *args: str, env: dict | None = None) -> subprocess.Popen:
    full = dict(os.environ)
    full.update(
        YINGJI_DATABASE_URL=db.settings.database_url,
        YINGJI_VAR_DIR=str(tmp_path / "var"),
        YINGJI_SECRET_KEY="test-secret",
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), full.get("PYTHONPATH")) if p),
        **(env or {}),
    )
    out = (tmp_path / f"{name}.out").open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "yingji", "worker", "--kinds", "delivery.send", "--idle", "0.05", *args],
        cwd=ROOT,
        env=full,
        stdout=out,
        stderr=subprocess.STDOUT,
    )


def wait_for(condition, *, timeout: float, what: str, proc, output: Path) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert proc.poll() is None, f"worker exited waiting for {what}:\n{output.read_text()}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}:\n{output.read_text()}"
        time.sleep(0.1)


def test_killed_worker_repeats_one_batch_and_its_job_runs_again_without_help(city, sms, tmp_path):
    with city.db.writing(Actor.system("tests")) as session:
        endpoint = session.get(ChannelEndpoint, sms.endpoint_id)
        endpoint.config = endpoint.config | {"batch_size": BATCH}
    sms.gateway.hold_request = 3
    dispatch = emit(city.db, make_warning(city.db, city.county_a, area_codes=[city.village_a]))
    run_jobs(city.db, ["delivery.fanout_residents"])  # residents in; nothing sent yet
    rows = deliveries(city.db, dispatch.id, channel="sms")
    assert len(rows) > 4 * BATCH and {r.state for r in rows} == {"queued"}
    assert len(send_jobs(city.db, dispatch.id)) >= 2  # staff and residents senders (and the inbox)
    with alone(city.db, dispatch.id):
        kill_and_recover(city, sms, tmp_path, dispatch, len(rows))


def kill_and_recover(city, sms, tmp_path, dispatch, total: int) -> None:
    first = start_worker(city.db, tmp_path, "first", env=SHORT_LEASES)
    try:
        assert sms.gateway.held.wait(timeout=60), (tmp_path / "first.out").read_text()
        first.send_signal(signal.SIGKILL)
        assert first.wait(timeout=10) == -signal.SIGKILL
    finally:
        if first.poll() is None:
            first.kill()
    sms.gateway.release.set()  # the held batch is taken by the gateway after all

    # The two batches before the held one were committed as they went; the held one was not.
    states = Counter(r.state for r in deliveries(city.db, dispatch.id, channel="sms"))
    assert states == {"sent": 2 * BATCH, "queued": total - 2 * BATCH}
    # The dead worker held the job it was running and, on PostgreSQL, those it had claimed ahead;
    # no other job was claimed.
    jobs = send_jobs(city.db, dispatch.id)
    held = [j for j in jobs if j.state == "running"]
    assert held and all(f":{first.pid}:" in j.lease_owner and j.attempts == 1 for j in held)
    assert len(held) == 1 or city.db.kind == "postgresql"
    assert {j.state for j in jobs if j not in held} <= {"queued", "done"}

    second = start_worker(city.db, tmp_path, "second", env=SHORT_LEASES)
    output = tmp_path / "second.out"
    try:
        wait_for(
            lambda: (
                {j.state for j in send_jobs(city.db, dispatch.id)} <= {"done"}
                and {r.state for r in deliveries(city.db, dispatch.id, channel="sms")} == {"sent"}
            ),
            timeout=120,
            what="the second worker to finish the dispatch",
            proc=second,
            output=output,
        )
    finally:
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=30) == 0, output.read_text()

    for again in (j for j in send_jobs(city.db, dispatch.id) if j.id in {h.id for h in held}):
        assert (again.state, again.attempts) == ("done", 2)  # requeued by the auditor, run again
        assert f":{second.pid}:" in again.lease_owner

    rows = deliveries(city.db, dispatch.id, channel="sms")
    assert {r.state for r in rows} == {"sent"}
    per_recipient = Counter((r.recipient_kind, r.recipient_id) for r in rows)
    assert set(per_recipient.values()) == {1}
    marker = dispatch.headline
    accepted = sms.gateway.per_recipient(marker)
    phones = [r.address for r in rows if r.address]
    assert sorted(accepted) == sorted(set(phones)) and set(accepted.values()) == {1}  # 0 lost, 0 twice
    assert all(len(keys) == 1 for keys in sms.gateway.keys_per_recipient(marker).values())
    # Resent: the held batch only, recognised by its keys.
    assert 0 < sms.gateway.data.duplicates <= BATCH


@pytest.mark.skipif(not PG_URL, reason="on SQLite a step holds the write lock: its lease cannot go mid-batch")
def test_a_sender_that_lost_its_lease_stops_before_the_next_batch(city, sms):
    """While the gateway holds the second batch, the auditor gives the send job to another worker
    (as it does when a worker was cut off from the database for longer than its lease). The first
    claim records that batch, finds at its checkpoint that the job is no longer its own, rolls the
    batch's receipts back and sends nothing more; the new owner resends that one batch (recognised
    by its keys) and the rest."""
    with city.db.writing(Actor.system("tests")) as session:
        endpoint = session.get(ChannelEndpoint, sms.endpoint_id)
        endpoint.config = endpoint.config | {"batch_size": BATCH}
    sms.gateway.hold_request = 2
    dispatch = emit(city.db, make_warning(city.db, city.county_a, area_codes=[city.village_a]))
    run_jobs(city.db, ["delivery.fanout_residents"])
    total = len(deliveries(city.db, dispatch.id, channel="sms"))
    with alone(city.db, dispatch.id):
        # Only the SMS senders; the staff one (priority 10) runs first.
        worker = Worker(city.db, kinds=["delivery.send"], name="cut-off", batch=1)
        with city.db.writing(Actor.system("tests")) as session:
            for job in send_jobs(city.db, dispatch.id):
                if job.payload["channel"] != "sms":
                    queue.cancel(session, job.id)
        runner = threading.Thread(target=worker.run_once)
        runner.start()
        try:
            assert sms.gateway.held.wait(timeout=60)
            [job] = [j for j in send_jobs(city.db, dispatch.id) if j.state == "running"]
            with city.db.writing(Actor.system("auditor")) as session:  # the auditor's requeue
                session.execute(
                    update(Job)
                    .where(Job.id == job.id)
                    .values(state="queued", lease_owner=None, lease_token=None, lease_expires_at=None)
                )
        finally:
            sms.gateway.release.set()
            runner.join(timeout=60)
        assert not runner.is_alive()
        assert sms.gateway.data.sms_batches == 2  # nothing sent after the lost checkpoint
        states = Counter(r.state for r in deliveries(city.db, dispatch.id, channel="sms"))
        assert states == {"sent": BATCH, "queued": total - BATCH}  # the second batch rolled back
        assert worker.processed == 0

        run_jobs(city.db, ["delivery.send"])  # the new owner
    rows = deliveries(city.db, dispatch.id, channel="sms")
    assert {r.state for r in rows} == {"sent"}
    accepted = sms.gateway.per_recipient(dispatch.headline)
    assert sorted(accepted) == sorted({r.address for r in rows if r.address})
    assert set(accepted.values()) == {1}
    assert sms.gateway.data.duplicates == BATCH  # the batch in flight, once

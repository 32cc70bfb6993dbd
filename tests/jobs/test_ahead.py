"""Jobs claimed ahead (issue 17): a worker's pool claims more jobs than it has free runners; they
wait under a lease its heartbeat renews, go back to the queue at once when it stops, and one whose
lease was lost (or is in doubt) is never started. On both databases (``prefetch`` given; SQLite
claims none ahead by default)."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests.jobs import handlers
from tests.jobs.conftest import add, get
from yingji.core import clock
from yingji.core.db import Actor
from yingji.jobs import heartbeat, queue
from yingji.jobs.models import Job
from yingji.jobs.worker import Worker

SYSTEM = Actor.system("tests")
WAIT_S = 60  # the longest any condition below is waited for (never a measure of speed)


def wait_until(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def row(db, job_id: int) -> tuple:
    job = get(db, job_id)
    return (job.state, job.attempts, job.lease_token is None, job.lease_expires_at is None)


@pytest.fixture
def blocked():
    """A ``tests.hook`` job that holds its runner (writing nothing) until ``release`` is set;
    ``started`` is set when it runs, ``ran`` lists every job id the hooks ran."""
    state = {"started": threading.Event(), "release": threading.Event(), "ran": []}

    def block(session, ctx):
        state["started"].set()
        assert state["release"].wait(WAIT_S)

    def note(session, ctx):
        state["ran"].append(ctx.job_id)
        handlers.record(session, ctx)

    handlers.HOOKS.update(block=block, note=note)
    yield state
    state["release"].set()


def start(worker: Worker) -> threading.Thread:
    thread = threading.Thread(target=worker.run_forever)
    thread.start()
    return thread


def stop(worker: Worker, thread: threading.Thread) -> None:
    worker.stop()
    thread.join(timeout=WAIT_S)
    assert not thread.is_alive(), "the worker did not stop"


def test_jobs_claimed_ahead_go_back_to_the_queue_at_once_when_the_worker_stops(db, blocked):
    first = add(db, "tests.hook", {"hook": "block"}, priority=1)
    later = [add(db, "tests.hook", {"hook": "note"}) for _ in range(3)]
    worker = Worker(db, kinds=["tests.hook"], concurrency=1, prefetch=3, idle_sleep_s=0.05)
    thread = start(worker)
    try:
        assert blocked["started"].wait(WAIT_S)
        wait_until(lambda: {row(db, i) for i in later} == {("running", 1, False, False)}, "the claim ahead")
        due = [get(db, i).due_at for i in later]
        worker.stop()
        # Handed back while the first job still runs: nobody waits for the auditor.
        wait_until(lambda: {row(db, i) for i in later} == {("queued", 0, True, True)}, "the hand-back")
        assert get(db, first).state == "running"
        assert [get(db, i).due_at for i in later] == due  # their turn in the queue is kept
    finally:
        blocked["release"].set()
        stop(worker, thread)
    assert blocked["ran"] == []
    assert row(db, first) == ("done", 1, True, False)
    assert worker.processed == 1


def test_the_heartbeat_renews_the_leases_of_jobs_claimed_ahead(db, blocked):
    handlers.HOOKS["short"] = handlers.HOOKS["note"]
    add(db, "tests.hook", {"hook": "block"}, priority=1)
    waiting = add(db, "tests.hook_short_lease", {"hook": "short"})  # lease_s = 1.5
    worker = Worker(
        db, kinds=["tests.hook", "tests.hook_short_lease"], concurrency=1, prefetch=2, idle_sleep_s=0.05
    )
    thread = start(worker)
    try:
        assert blocked["started"].wait(WAIT_S)
        wait_until(lambda: get(db, waiting).state == "running", "the claim ahead")
        claimed_until = get(db, waiting).lease_expires_at
        wait_until(lambda: get(db, waiting).lease_expires_at > claimed_until, "a renewal")
        with db.writing(SYSTEM) as session:
            assert queue.release_expired(session) == {"requeued": 0, "dead": 0}
    finally:
        blocked["release"].set()
        wait_until(lambda: get(db, waiting).state == "done", "the waiting job to run")
        stop(worker, thread)
    assert blocked["ran"] == [waiting]
    assert row(db, waiting) == ("done", 1, True, False)


def test_a_job_claimed_ahead_whose_lease_was_lost_is_never_started(db, blocked):
    handlers.HOOKS["short"] = handlers.HOOKS["note"]
    first = add(db, "tests.hook", {"hook": "block"}, priority=1)
    waiting = add(db, "tests.hook_short_lease", {"hook": "short"})
    kinds = ["tests.hook", "tests.hook_short_lease"]
    # No audit of this worker's own meanwhile: it would requeue the job whose lease ran out (the
    # other worker "holding" it here is a pretence) and run it itself.
    worker = Worker(db, kinds=kinds, concurrency=1, prefetch=2, idle_sleep_s=0.05, audit_every_s=600)
    thread = start(worker)
    try:
        assert blocked["started"].wait(WAIT_S)
        held = lambda: [j for j in list(worker.ahead._waiting) if j.id == waiting]  # noqa: E731
        wait_until(held, "the claim ahead")
        [job] = held()
        with db.writing(SYSTEM) as session:  # the auditor gave it to another worker meanwhile
            session.execute(update(Job).where(Job.id == waiting).values(lease_token="another worker"))
        wait_until(lambda: not worker.ahead.is_waiting(job), "the heartbeat to find the lease lost")
        blocked["release"].set()
        wait_until(lambda: get(db, first).state == "done", "the first job to end")
    finally:
        blocked["release"].set()
        stop(worker, thread)
    assert blocked["ran"] == []
    with db.reading() as session:
        token = session.scalar(select(Job.lease_token).where(Job.id == waiting))
    assert (get(db, waiting).state, get(db, waiting).attempts, token) == ("running", 1, "another worker")


def test_a_job_claimed_ahead_whose_lease_is_in_doubt_goes_back_instead_of_running(db, blocked, monkeypatch):
    """Every beat skipped (a locked or unreachable database): a waiting job whose lease may have
    run out is handed back, not started; claimed again with a fresh lease, it runs once."""
    monkeypatch.setattr(heartbeat.Heartbeats, "_renew", lambda self, job, lease, exact: None)
    handed = []
    hand_back = queue.hand_back

    def spy(session, jobs):
        handed.extend(j.id for j in jobs)
        return hand_back(session, jobs)

    monkeypatch.setattr(queue, "hand_back", spy)
    handlers.HOOKS["short"] = handlers.HOOKS["note"]
    first = add(db, "tests.hook", {"hook": "block"}, priority=1)
    waiting = add(db, "tests.hook_short_lease", {"hook": "short"})  # lease_s = 1.5
    kinds = ["tests.hook", "tests.hook_short_lease"]
    # No audit meanwhile: the job's lease in the database runs out too, and the auditor must not
    # be the one to requeue it here.
    worker = Worker(db, kinds=kinds, concurrency=1, prefetch=2, idle_sleep_s=0.05, audit_every_s=600)
    thread = start(worker)
    try:
        assert blocked["started"].wait(WAIT_S)
        wait_until(lambda: get(db, waiting).state == "running", "the claim ahead")
        claimed = time.monotonic()
        wait_until(lambda: time.monotonic() > claimed + 1.5, "two thirds of its lease to pass")
        blocked["release"].set()
        wait_until(lambda: get(db, waiting).state == "done", "the job to run after all")
    finally:
        blocked["release"].set()
        stop(worker, thread)
    assert handed == [waiting]
    assert blocked["ran"] == [waiting]
    assert row(db, waiting) == ("done", 1, True, False)
    assert row(db, first) == ("done", 1, True, False)


def test_a_dead_workers_job_claimed_ahead_on_its_last_attempt_is_queued_again_not_dead(
    db, blocked, monkeypatch
):
    """A claim counts an attempt; one on the last attempt that the worker never started must not
    cost the job its life: the auditor gives the attempt back and another worker runs it."""
    first = add(db, "tests.hook", {"hook": "block"}, priority=1)
    last = add(db, "tests.hook", {"hook": "note"}, max_attempts=1)
    worker = Worker(db, kinds=["tests.hook"], concurrency=1, prefetch=2, idle_sleep_s=0.05, audit_every_s=600)
    # It dies holding the job: no hand-back at its end, no heartbeat meanwhile.
    monkeypatch.setattr(worker, "_hand_back", lambda jobs: None)
    thread = start(worker)
    try:
        assert blocked["started"].wait(WAIT_S)
        wait_until(lambda: any(j.id == last for j in list(worker.ahead._waiting)), "the claim ahead")
        worker.heartbeats.close()
        assert row(db, last) == ("running", 1, False, False)
        assert get(db, last).lease_owner is None  # not started
        assert get(db, first).lease_owner == worker.name
        worker.stop()
        wait_until(lambda: worker.ahead.closed, "the worker to stop taking jobs")
    finally:
        blocked["release"].set()
        stop(worker, thread)
    assert blocked["ran"] == []
    assert get(db, last).state == "running"  # nobody knows yet
    with db.writing(SYSTEM) as session:  # its lease runs out
        session.execute(
            update(Job).where(Job.id == last).values(lease_expires_at=clock.now() - timedelta(seconds=1))
        )
        assert queue.release_expired(session) == {"requeued": 1, "dead": 0}
    assert row(db, last) == ("queued", 0, True, True)
    assert Worker(db, kinds=["tests.hook"]).run_until_idle() == 1
    assert blocked["ran"] == [last]
    assert row(db, last) == ("done", 1, True, False)


def test_a_job_on_its_last_attempt_that_started_dies_with_its_worker(db, blocked):
    """Its start is recorded before it runs: a job that kills its worker still ends dead."""
    job_id = add(db, "tests.hook", {"hook": "block"}, max_attempts=1)
    worker = Worker(db, kinds=["tests.hook"], concurrency=1, prefetch=2, idle_sleep_s=0.05, audit_every_s=600)
    thread = start(worker)
    try:
        assert blocked["started"].wait(WAIT_S)
        assert get(db, job_id).lease_owner == worker.name
        with db.writing(SYSTEM) as session:  # as if its worker died: its lease runs out
            past = clock.now() - timedelta(seconds=1)
            session.execute(update(Job).where(Job.id == job_id).values(lease_expires_at=past))
            assert queue.release_expired(session) == {"requeued": 0, "dead": 1}
    finally:
        blocked["release"].set()
        stop(worker, thread)
    assert (get(db, job_id).state, get(db, job_id).attempts) == ("dead", 1)
    assert worker.processed == 0

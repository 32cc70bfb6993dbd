"""worker.py in-process: running handlers, retries with backoff, transactions, leases, the
auditor pass, stopping, and several worker threads on one queue."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import PG_URL
from tests.jobs import handlers
from tests.jobs.conftest import T0, add, effects, get
from yingji.core.db import Actor
from yingji.jobs import queue, registry
from yingji.jobs.models import Job
from yingji.jobs.worker import Worker

SYSTEM = Actor.system("tests")


def hook(db, name: str, fn, **kw) -> int:
    handlers.HOOKS[name] = fn
    return add(db, "tests.hook", {"hook": name}, **kw)


def test_worker_runs_due_jobs_and_commits_their_writes(db, frozen):
    ids = [add(db, "tests.record", {"note": f"n{i}"}) for i in range(5)]
    later = add(db, "tests.record", delay=timedelta(minutes=1))
    worker = Worker(db, kinds=["tests.record"], batch=2)
    assert worker.run_until_idle() == 5
    assert worker.processed == 5
    assert [(job_id, attempt, note) for job_id, attempt, _, note in effects(db)] == [
        (job_id, 1, f"n{i}") for i, job_id in enumerate(ids)
    ]
    assert {get(db, i).state for i in ids} == {"done"}
    assert get(db, later).state == "queued"
    assert worker.run_until_idle() == 0

    frozen.advance(timedelta(minutes=1))
    assert worker.run_until_idle() == 1
    assert get(db, later).state == "done"


def test_worker_only_runs_its_kinds(db, frozen):
    other = add(db, "tests.fail")
    mine = add(db, "tests.record")
    assert Worker(db, kinds=["tests.record"]).run_until_idle() == 1
    assert (get(db, mine).state, get(db, other).state) == ("done", "queued")
    assert get(db, other).attempts == 0


def test_worker_runs_a_claimed_batch_in_priority_order(db, frozen):
    ran = []
    handlers.HOOKS["order"] = lambda session, ctx: ran.append(ctx.payload["p"])
    for p in (0, 5, 1, 9, 5, -1):
        add(db, "tests.hook", {"hook": "order", "p": p}, priority=p)
    assert Worker(db, kinds=["tests.hook"], batch=10).run_once() == 6
    assert ran == [9, 5, 5, 1, 0, -1]


# -- retries -----------------------------------------------------------------------------------
def test_a_failing_handler_backs_off_exponentially_then_dies(db, frozen):
    job_id = add(db, "tests.fail")  # max_attempts=4, backoff_base_s=10
    worker = Worker(db, kinds=["tests.fail"])
    for attempt, backoff_s in [(1, 10), (2, 20), (3, 40)]:
        failed_at = frozen.now()
        assert worker.run_until_idle() == 1
        row = get(db, job_id)
        assert (row.state, row.attempts) == ("queued", attempt)
        assert row.due_at == failed_at + timedelta(seconds=backoff_s)
        assert f"RuntimeError: boom on attempt {attempt}" in row.last_error
        assert row.lease_token is None
        # Not a moment early ...
        frozen.advance(timedelta(seconds=backoff_s) - timedelta(milliseconds=1))
        assert worker.run_until_idle() == 0
        frozen.advance(timedelta(milliseconds=1))  # ... and due exactly on time.

    assert worker.run_until_idle() == 1
    row = get(db, job_id)
    assert (row.state, row.attempts, row.finished_at) == ("dead", 4, frozen.now())
    assert row.last_error.startswith("Traceback")
    assert "RuntimeError: boom on attempt 4" in row.last_error
    frozen.advance(timedelta(days=1))
    assert worker.run_until_idle() == 0
    assert get(db, job_id).state == "dead"
    assert worker.processed == 0
    # Every attempt wrote a row and then failed: nothing of it committed.
    assert effects(db) == []


def test_backoff_doubles_and_is_capped():
    spec = registry.HandlerSpec("x", lambda s, c: None, backoff_base_s=10, backoff_max_s=50)
    assert [registry.backoff_seconds(spec, a) for a in range(1, 6)] == [10, 20, 40, 50, 50]
    assert registry.backoff_seconds(spec, 0) == 10


def test_a_job_without_a_handler_waits_an_hour(db, frozen):
    job_id = add(db, "tests.nobody.handles.this")
    assert Worker(db).run_until_idle() == 1
    row = get(db, job_id)
    assert (row.state, row.attempts, row.due_at) == ("queued", 1, T0 + timedelta(hours=1))
    assert row.last_error == "no handler for kind 'tests.nobody.handles.this'"


# -- the handler's writes commit with the job, or not at all ----------------------------------
def test_handler_writes_commit_only_together_with_the_job(db, frozen):
    def flaky(session, ctx):
        handlers.record(session, ctx, "one")
        handlers.record(session, ctx, "two")
        if ctx.attempt == 1:
            raise ValueError("half-way")

    job_id = hook(db, "flaky", flaky)
    worker = Worker(db, kinds=["tests.hook"])
    assert worker.run_once() == 1
    assert effects(db) == []
    assert get(db, job_id).state == "queued"

    frozen.advance(timedelta(seconds=5))  # the hook kind's backoff_base_s
    assert worker.run_once() == 1
    assert [(j, a, note) for j, a, _, note in effects(db)] == [(job_id, 2, "one"), (job_id, 2, "two")]
    assert get(db, job_id).state == "done"


def test_a_lost_lease_rolls_the_work_back(db, frozen):
    """The auditor gives the job away while its handler runs: the handler's writes and the
    completion are rolled back together; the next claim does the work exactly once."""
    attempts = []

    def lose_the_lease(session, ctx):
        attempts.append(ctx.attempt)
        if ctx.attempt == 1:
            frozen.advance(timedelta(minutes=5))  # far past the 30 s lease
            with db.writing(Actor.system("auditor")) as other:
                assert queue.release_expired(other) == {"requeued": 1, "dead": 0}
        handlers.record(session, ctx, "work")

    job_id = hook(db, "lose", lose_the_lease)
    worker = Worker(db, kinds=["tests.hook"])
    assert worker.run_once() == 1
    assert effects(db) == []
    row = get(db, job_id)
    assert (row.state, row.attempts, row.lease_token) == ("queued", 1, None)
    assert worker.processed == 0

    assert worker.run_once() == 1
    assert attempts == [1, 2]
    assert [(j, a) for j, a, _, _ in effects(db)] == [(job_id, 2)]
    assert get(db, job_id).state == "done"
    assert worker.processed == 1


def test_a_job_whose_lease_ran_out_in_the_batch_is_not_run(db, frozen):
    ran = []

    def slow_first(session, ctx):
        ran.append((ctx.job_id, ctx.attempt))
        if len(ran) == 1:  # the batch's lease (the longest of any kind) runs out while the first job runs
            frozen.advance(worker._lease() + timedelta(seconds=1))
            with db.writing(Actor.system("auditor")) as other:
                assert queue.release_expired(other) == {"requeued": 2, "dead": 0}

    first = hook(db, "slow_first", slow_first)
    second = hook(db, "slow_first", slow_first)
    worker = Worker(db, kinds=["tests.hook"], batch=10)
    assert worker.run_once() == 2
    assert ran == [(first, 1)]  # the second job was given away before it started: not run
    assert (get(db, first).state, get(db, second).state) == ("queued", "queued")

    assert worker.run_until_idle() == 2
    assert ran == [(first, 1), (first, 2), (second, 2)]
    assert (get(db, first).state, get(db, second).state) == ("done", "done")


def test_a_running_job_holds_its_own_kinds_lease(db, frozen):
    """Claimed batches hold the longest lease of any kind; a job that starts holds its kind's
    lease_s, so a worker that dies in it is noticed after lease_s."""
    seen = {}

    def look(session, ctx):
        with db.reading() as other:
            seen[ctx.kind] = {
                job.id: (job.state, job.lease_expires_at)
                for job in other.scalars(select(Job))
                if job.state == "running"
            }

    handlers.HOOKS["look"] = look
    first = add(db, "tests.hook", {"hook": "look"}, priority=1)  # lease_s=30
    second = add(db, "tests.hook_short_lease", {"hook": "look"})  # lease_s=1.5
    longest = max(spec.lease_s for spec in registry.all_specs())
    assert longest >= 30
    assert Worker(db, kinds=["tests.hook", "tests.hook_short_lease"], batch=10).run_once() == 2
    assert seen == {
        "tests.hook": {
            first: ("running", T0 + timedelta(seconds=30)),
            second: ("running", T0 + timedelta(seconds=longest)),  # still waiting in the batch
        },
        "tests.hook_short_lease": {second: ("running", T0 + timedelta(seconds=1.5))},
    }


def test_a_stopping_worker_gives_back_unrun_jobs_without_using_attempts(db, frozen):
    worker = Worker(db, kinds=["tests.hook"], batch=10)
    ran = []

    def stop(session, ctx):
        ran.append(ctx.job_id)
        worker.stop()
        handlers.record(session, ctx)

    ids = [hook(db, "stop", stop, max_attempts=1) for _ in range(3)]
    assert worker.run_once() == 3
    assert ran == ids[:1]
    assert get(db, ids[0]).state == "done"
    for job_id in ids[1:]:
        row = get(db, job_id)
        assert (row.state, row.attempts, row.due_at, row.last_error) == ("queued", 0, T0, None)
        assert (row.lease_owner, row.lease_token, row.lease_expires_at) == (None, None, None)

    assert Worker(db, kinds=["tests.hook"]).run_until_idle() == 2
    assert [get(db, i).state for i in ids] == ["done"] * 3
    assert [get(db, i).attempts for i in ids] == [1, 1, 1]


# -- the auditor pass -------------------------------------------------------------------------
def test_the_worker_audits_expired_leases_every_audit_every_s(db, frozen):
    job_id = add(db, "tests.record")
    with db.writing(SYSTEM) as session:  # a worker that will vanish
        [ghost] = queue.claim(session, "ghost", lease=timedelta(seconds=60))
    worker = Worker(db, kinds=["tests.record"], audit_every_s=100)
    assert worker.run_once() == 0  # audits at once: the lease is still good
    assert get(db, job_id).state == "running"

    frozen.advance(timedelta(seconds=61))
    assert worker.run_once() == 0  # expired, but the next audit is due at T0+100 s
    assert get(db, job_id).state == "running"

    frozen.advance(timedelta(seconds=39))
    assert worker.run_once() == 1  # audited: requeued, claimed and run in one pass
    row = get(db, job_id)
    assert (row.state, row.attempts) == ("done", 2)
    assert [(j, a) for j, a, _, _ in effects(db)] == [(job_id, 2)]
    with db.writing(SYSTEM) as session:
        assert queue.finish(session, ghost) is False


def test_the_worker_audit_kills_a_lost_job_on_its_last_attempt(db, frozen):
    job_id = add(db, "tests.record", max_attempts=1)
    with db.writing(SYSTEM) as session:
        queue.claim(session, "ghost", lease=timedelta(seconds=60))
    frozen.advance(timedelta(seconds=61))
    assert Worker(db, kinds=["tests.record"]).run_once() == 0
    row = get(db, job_id)
    assert (row.state, row.attempts) == ("dead", 1)
    assert effects(db) == []


# -- several workers ----------------------------------------------------------------------------
def test_worker_threads_run_every_job_exactly_once(db):
    ran = []
    lock = threading.Lock()

    def count(session, ctx):
        with lock:
            ran.append(ctx.job_id)
        handlers.record(session, ctx)

    handlers.HOOKS["count"] = count
    with db.writing(SYSTEM) as session:
        ids = [queue.enqueue(session, "tests.hook", {"hook": "count"}) for _ in range(200)]
    workers = [Worker(db, name=f"thread-{i}", kinds=["tests.hook"], batch=5) for i in range(4)]
    errors = []

    def run(w):
        try:
            w.run_until_idle()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "worker threads hung"
    assert errors == []
    assert sorted(ran) == ids
    assert sorted(j for j, _, _, _ in effects(db)) == ids
    assert sum(w.processed for w in workers) == 200
    with db.reading() as session:
        assert queue.counts(session) == {"done": 200}


@pytest.mark.skipif(not PG_URL, reason="the lease heartbeat runs on PostgreSQL only")
def test_the_heartbeat_keeps_a_long_jobs_lease_alive(db):
    """A job running longer than its lease_s (1.5 s) keeps it: the auditor leaves it alone."""
    audits = []

    def long(session, ctx):
        time.sleep(2.5)
        with db.writing(Actor.system("auditor")) as other:
            audits.append(queue.release_expired(other))
        handlers.record(session, ctx)

    handlers.HOOKS["long"] = long
    job_id = add(db, "tests.hook_short_lease", {"hook": "long"})
    assert Worker(db, kinds=["tests.hook_short_lease"]).run_once() == 1
    assert audits == [{"requeued": 0, "dead": 0}]
    row = get(db, job_id)
    assert (row.state, row.attempts) == ("done", 1)
    assert [(j, a) for j, a, _, _ in effects(db)] == [(job_id, 1)]

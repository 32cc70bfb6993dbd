"""worker.py in-process: running handlers, retries with backoff, transactions, leases, the
auditor pass, stopping, and several worker threads on one queue."""

from __future__ import annotations

import dataclasses
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

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
    """The auditor gives the job away while its handler runs (before the handler has touched the
    database): the handler's writes and the completion are rolled back together; the next claim
    does the work exactly once."""
    attempts = []

    def lose_the_lease(session, ctx):
        attempts.append(ctx.attempt)
        if ctx.attempt == 1:
            frozen.advance(timedelta(minutes=5))  # far past the 15 s lease
            with db.writing(Actor.system("auditor")) as other:
                assert queue.release_expired(other) == {"requeued": 1, "dead": 0}
        handlers.record(session, ctx, "work")

    job_id = hook(db, "lose", lose_the_lease)
    worker = Worker(db, kinds=["tests.hook"], batch=1)
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


def test_jobs_waiting_their_turn_are_neither_claimed_nor_leased(db, frozen):
    """A worker claims a job only when it starts it, leased for that job's kind: while one job
    runs, the others of the pass are still queued, so a worker dying in it holds nothing else."""
    seen = {}

    def look(session, ctx):
        with db.reading() as other:
            seen[ctx.kind] = {
                job.id: (job.state, job.attempts, job.lease_expires_at) for job in other.scalars(select(Job))
            }

    handlers.HOOKS["look"] = look
    first = add(db, "tests.hook", {"hook": "look"}, priority=1)  # lease_s=30, capped at 15
    second = add(db, "tests.hook_short_lease", {"hook": "look"})  # lease_s=1.5
    assert Worker(db, kinds=["tests.hook", "tests.hook_short_lease"], batch=10).run_once() == 2
    assert seen == {
        "tests.hook": {
            first: ("running", 1, T0 + timedelta(seconds=15)),
            second: ("queued", 0, None),  # waits its turn unleased: any worker may take it
        },
        "tests.hook_short_lease": {
            first: ("done", 1, T0 + timedelta(seconds=15)),
            second: ("running", 1, T0 + timedelta(seconds=1.5)),
        },
    }


def test_the_longest_lease_is_a_setting(db, frozen):
    leases = []
    handlers.HOOKS["lease"] = lambda session, ctx: leases.append(get(db, ctx.job_id).lease_expires_at)
    hook(db, "lease", handlers.HOOKS["lease"])
    assert Worker(db, kinds=["tests.hook"], lease_s=4).run_once() == 1
    configured = db.settings.with_(extra={"job_lease_s": "2.5", "job_audit_s": "0.5"})
    other = dataclasses.replace(db, settings=configured)
    worker = Worker(other, kinds=["tests.hook"])
    assert (worker.lease_s, worker.audit_every_s) == (2.5, 0.5)
    hook(db, "lease", handlers.HOOKS["lease"])
    assert worker.run_once() == 1
    assert leases == [T0 + timedelta(seconds=4), T0 + timedelta(seconds=2.5)]
    default = Worker(db)
    assert (default.lease_s, default.audit_every_s) == (registry.DEFAULT_LEASE_S, registry.DEFAULT_AUDIT_S)
    # A dead worker's jobs run again within lease + audit interval (+ an idle pause): ≤ 30 s.
    assert default.lease_s + default.audit_every_s + default.idle_sleep_s <= 30
    with pytest.raises(ValueError):
        Worker(db, lease_s=-1)


def test_a_stopping_worker_claims_nothing_more(db, frozen):
    worker = Worker(db, kinds=["tests.hook"], batch=10)
    ran = []

    def stop(session, ctx):
        ran.append(ctx.job_id)
        worker.stop()
        handlers.record(session, ctx)

    ids = [hook(db, "stop", stop, max_attempts=1) for _ in range(3)]
    assert worker.run_once() == 1
    assert ran == ids[:1]
    assert get(db, ids[0]).state == "done"
    for job_id in ids[1:]:
        row = get(db, job_id)
        assert (row.state, row.attempts, row.due_at, row.last_error) == ("queued", 0, T0, None)
        assert (row.lease_owner, row.lease_token, row.lease_expires_at) == (None, None, None)

    assert Worker(db, kinds=["tests.hook"]).run_until_idle() == 2
    assert [get(db, i).state for i in ids] == ["done"] * 3
    assert [get(db, i).attempts for i in ids] == [1, 1, 1]


# -- checkpoints ---------------------------------------------------------------------------------
def test_a_checkpoint_commits_the_work_so_far_with_a_renewed_lease(db, frozen):
    """Steps before a checkpoint stay committed when a later step fails; the retry goes on from
    there. Each checkpoint renews the lease in the same transaction."""
    leases = []

    def steps(session, ctx):
        done = {note for _, _, _, note in effects(db)}
        for step in ("one", "two", "three"):
            if step in done:
                continue
            handlers.record(session, ctx, step)
            if step == "three" and ctx.attempt == 1:
                raise RuntimeError("the third step fails once")
            frozen.advance(timedelta(seconds=10))
            ctx.checkpoint()
            leases.append(get(db, ctx.job_id).lease_expires_at)  # committed: another session sees it

    job_id = hook(db, "steps", steps)
    worker = Worker(db, kinds=["tests.hook"], batch=1)
    assert worker.run_once() == 1
    assert [(a, note) for _, a, _, note in effects(db)] == [(1, "one"), (1, "two")]
    assert leases == [T0 + timedelta(seconds=25), T0 + timedelta(seconds=35)]  # now + 15 s each time
    row = get(db, job_id)
    assert (row.state, row.attempts) == ("queued", 1)
    assert "the third step fails once" in row.last_error

    frozen.advance(timedelta(seconds=5))  # the hook kind's backoff
    assert worker.run_once() == 1
    assert [(a, note) for _, a, _, note in effects(db)] == [(1, "one"), (1, "two"), (2, "three")]
    assert get(db, job_id).state == "done"


def test_a_checkpoint_without_the_lease_stops_the_job_and_commits_nothing_of_the_step(db, frozen):
    """The job's connection was lost mid-step (its transaction rolled back) and the auditor gave
    the job to another worker: the next checkpoint raises LeaseLost; the step is not committed,
    the job's state is left to its new owner, and the handler does not go on."""
    went_on = []

    def cut_off(session, ctx):
        handlers.record(session, ctx, "step one")
        ctx.checkpoint()
        handlers.record(session, ctx, "step two")
        session.rollback()  # what a lost connection does to the step
        frozen.advance(timedelta(seconds=16))
        with db.writing(Actor.system("auditor")) as other:
            assert queue.release_expired(other) == {"requeued": 1, "dead": 0}
            queue.claim(other, "new-owner")
        handlers.record(session, ctx, "step two again")
        ctx.checkpoint()
        went_on.append(True)

    job_id = hook(db, "cut", cut_off)
    worker = Worker(db, kinds=["tests.hook"], batch=1)
    assert worker.run_once() == 1
    assert went_on == [] and worker.processed == 0
    assert [note for _, _, _, note in effects(db)] == ["step one"]
    row = get(db, job_id)
    assert (row.state, row.lease_owner, row.attempts, row.last_error) == (
        "running",
        "new-owner",
        2,
        "lease expired (worker lost); requeued",
    )


# -- the auditor pass -------------------------------------------------------------------------
def test_the_worker_audits_expired_leases_every_audit_every_s(db, frozen):
    job_id = add(db, "tests.record")
    with db.writing(SYSTEM) as session:  # a worker that will vanish
        ghost = queue.claim(session, "ghost")  # 15 s
    worker = Worker(db, kinds=["tests.record"], audit_every_s=100)
    assert worker.run_once() == 0  # audits at once: the lease is still good
    assert get(db, job_id).state == "running"

    frozen.advance(timedelta(seconds=16))
    assert worker.run_once() == 0  # expired, but the next audit is due at T0+100 s
    assert get(db, job_id).state == "running"

    frozen.advance(timedelta(seconds=84))
    assert worker.run_once() == 1  # audited: requeued, claimed and run in one pass
    row = get(db, job_id)
    assert (row.state, row.attempts) == ("done", 2)
    assert [(j, a) for j, a, _, _ in effects(db)] == [(job_id, 2)]
    with db.writing(SYSTEM) as session:
        assert queue.finish(session, ghost) is False


def test_the_worker_audit_kills_a_lost_job_on_its_last_attempt(db, frozen):
    job_id = add(db, "tests.record", max_attempts=1)
    with db.writing(SYSTEM) as session:
        queue.claim(session, "ghost")
    frozen.advance(timedelta(seconds=16))
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


def test_a_job_holding_the_write_lock_outlives_its_lease(db):
    """On SQLite the job's transaction holds the write lock from its first write: the heartbeat
    cannot renew (it skips the beat instead of waiting) and no other worker can take the job
    either; on PostgreSQL the heartbeat renews from its own connection. Either way the job ends
    done, once, and nothing waits for a lock."""

    def long_write(session, ctx):
        handlers.record(session, ctx, "written first")
        session.flush()
        time.sleep(2.5)

    handlers.HOOKS["long_write"] = long_write
    job_id = add(db, "tests.hook_short_lease", {"hook": "long_write"})
    worker = Worker(db, kinds=["tests.hook_short_lease"])
    assert worker.run_once() == 1
    assert worker.processed == 1
    assert (get(db, job_id).state, get(db, job_id).attempts) == ("done", 1)
    assert [(j, note) for j, _, _, note in effects(db)] == [(job_id, "written first")]

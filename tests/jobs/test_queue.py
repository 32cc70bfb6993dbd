"""queue.py: enqueue, claim (one job, leased for its kind), finish, fail, extend_lease,
release_expired (the auditor), cancel."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import PG_URL
from tests.jobs.conftest import T0, add, get
from yingji.core.db import Actor
from yingji.jobs import queue
from yingji.jobs.models import Job

SYSTEM = Actor.system("tests")
LEASE = timedelta(seconds=60)


def claim(db, worker="w1", **kw) -> queue.Claimed | None:
    with db.writing(SYSTEM) as session:
        return queue.claim(session, worker, **kw)


def claim_ids(db, n: int, **kw) -> list[int]:
    """Claim up to n jobs one by one (as a worker does), in claim order."""
    out = []
    for _ in range(n):
        job = claim(db, **kw)
        if job is None:
            break
        out.append(job.id)
    return out


def finish(db, job) -> bool:
    with db.writing(SYSTEM) as session:
        return queue.finish(session, job)


def audit(db) -> dict[str, int]:
    with db.writing(SYSTEM) as session:
        return queue.release_expired(session)


def states(db) -> dict[int, str]:
    with db.reading() as session:
        return {job_id: state for job_id, state in session.execute(select(Job.id, Job.state))}


# -- enqueue / claim / finish ------------------------------------------------------------------
def test_enqueue_claim_finish(db, frozen):
    job_id = add(db, "tests.record", {"note": "hello"})
    queued = get(db, job_id)
    assert (queued.state, queued.attempts, queued.due_at, queued.priority) == ("queued", 0, T0, 0)
    assert queued.max_attempts == 3  # from the handler's spec
    assert queued.payload == {"note": "hello"}

    job = claim(db, "worker-a", max_lease_s=60)
    assert (job.id, job.kind, job.payload, job.attempts, job.max_attempts, job.lease_s) == (
        job_id,
        "tests.record",
        {"note": "hello"},
        1,
        3,
        15.0,  # the kind's (default) lease, below the longest allowed
    )
    running = get(db, job_id)
    assert running.state == "running"
    assert running.lease_owner == "worker-a"
    assert running.lease_token == job.lease_token
    assert running.lease_expires_at == T0 + timedelta(seconds=15)
    assert claim(db, "worker-b") is None  # a running job is nobody else's

    frozen.advance(timedelta(seconds=5))
    assert finish(db, job) is True
    done = get(db, job_id)
    assert done.state == "done"
    assert done.finished_at == T0 + timedelta(seconds=5)
    assert done.lease_token is None
    assert done.attempts == 1
    assert finish(db, job) is False  # only once
    assert claim(db) is None


def test_a_claim_takes_one_job_leased_for_its_kind(db, frozen):
    """Leases are per job and sized per kind (capped by the configured longest lease); the
    other due jobs stay queued, free for any worker, until a worker starts them."""
    short = add(db, "tests.hook_short_lease", {"hook": "x"}, priority=2)  # lease_s=1.5
    block = add(db, "tests.block", {}, priority=1)  # lease_s=2
    plain = add(db, "tests.record")  # the default lease_s
    job = claim(db, max_lease_s=20)
    assert (job.id, job.lease_s) == (short, 1.5)
    assert get(db, short).lease_expires_at == T0 + timedelta(seconds=1.5)
    assert (get(db, block).state, get(db, plain).state) == ("queued", "queued")
    assert (get(db, block).lease_expires_at, get(db, block).attempts) == (None, 0)

    job = claim(db, max_lease_s=20)
    assert (job.id, job.lease_s) == (block, 2.0)
    job = claim(db, max_lease_s=1)  # the configured longest lease caps every kind's
    assert (job.id, job.lease_s) == (plain, 1.0)
    assert get(db, plain).lease_expires_at == T0 + timedelta(seconds=1)
    assert claim(db, max_lease_s=20) is None


def test_enqueue_belongs_to_the_callers_transaction(db):
    with pytest.raises(RuntimeError), db.writing(SYSTEM) as session:
        queue.enqueue(session, "tests.record", {})
        raise RuntimeError("the caller's change failed")
    assert states(db) == {}


def test_enqueue_explicit_max_attempts_and_unknown_kinds(db):
    a = add(db, "tests.record", max_attempts=7)
    b = add(db, "no.such.kind")
    assert get(db, a).max_attempts == 7
    assert get(db, b).max_attempts == 5  # the default for kinds without a handler


def test_dedupe_key_makes_a_second_enqueue_a_no_op(db, frozen):
    first = add(db, "tests.record", {"n": 1}, dedupe_key="report:42")
    assert first is not None
    assert add(db, "tests.record", {"n": 2}, dedupe_key="report:42") is None
    with db.writing(SYSTEM) as session:  # also within one transaction
        assert queue.enqueue(session, "tests.record", {"n": 3}, dedupe_key="report:42") is None
        other = queue.enqueue(session, "tests.record", {"n": 4}, dedupe_key="report:43")
    assert other is not None
    assert set(states(db)) == {first, other}
    assert get(db, first).payload == {"n": 1}  # the first one wins, untouched

    job = claim(db)
    assert finish(db, job)
    # The key stays taken after the job has finished.
    assert add(db, "tests.record", {"n": 5}, dedupe_key="report:42") is None
    # Jobs without a key never collide.
    assert add(db, "tests.record") is not None
    assert add(db, "tests.record") is not None
    assert len(states(db)) == 4


def test_a_job_due_in_the_future_waits_for_the_clock(db, frozen):
    later = add(db, "tests.record", delay=timedelta(minutes=5))
    at = add(db, "tests.record", due_at=T0 + timedelta(hours=1))
    assert get(db, later).due_at == T0 + timedelta(minutes=5)
    assert claim(db) is None

    frozen.advance(timedelta(minutes=5) - timedelta(seconds=1))
    assert claim(db) is None
    frozen.advance(timedelta(seconds=1))  # due_at <= now: exactly on time
    assert claim_ids(db, 10) == [later]

    frozen.advance(timedelta(minutes=54, seconds=59))
    assert claim(db) is None
    frozen.advance(timedelta(seconds=1))
    assert claim_ids(db, 10) == [at]


def test_claim_order_priority_then_due_time_then_id(db, frozen):
    low = add(db, "tests.record", priority=0)
    high = add(db, "tests.record", priority=10)
    mid_late = add(db, "tests.record", priority=5, due_at=T0 - timedelta(seconds=1))
    mid_early = add(db, "tests.record", priority=5, due_at=T0 - timedelta(seconds=2))
    low2 = add(db, "tests.record", priority=0)
    negative = add(db, "tests.record", priority=-3, due_at=T0 - timedelta(days=1))
    order = claim_ids(db, 10)
    assert order == [high, mid_early, mid_late, low, low2, negative]


def test_every_claim_has_its_own_token(db, frozen):
    for _ in range(3):
        add(db, "tests.record")
    jobs = [claim(db) for _ in range(3)]
    assert len({j.lease_token for j in jobs}) == 3


def test_claim_kinds(db, frozen):
    records = [add(db, "tests.record") for _ in range(5)]
    hooks = [add(db, "tests.hook", {"hook": "x"}) for _ in range(2)]
    assert claim_ids(db, 10, kinds=["tests.hook"]) == hooks
    assert claim(db, kinds=["tests.hook"]) is None
    assert claim_ids(db, 3) == records[:3]
    assert claim_ids(db, 10, kinds=["tests.record", "tests.hook"]) == records[3:]


def test_cancel_only_queued_jobs(db, frozen):
    queued = add(db, "tests.record")
    running = add(db, "tests.record", priority=1)
    job = claim(db)
    assert job.id == running
    with db.writing(SYSTEM) as session:
        assert queue.cancel(session, queued) is True
        assert queue.cancel(session, queued) is False  # already cancelled
        assert queue.cancel(session, running) is False  # a running job cannot be cancelled
        assert queue.cancel(session, 999_999) is False
    cancelled = get(db, queued)
    assert (cancelled.state, cancelled.finished_at) == ("cancelled", T0)
    assert claim(db) is None
    assert finish(db, job)
    with db.writing(SYSTEM) as session:
        assert queue.cancel(session, running) is False  # nor a finished one
        assert queue.counts(session) == {"done": 1, "cancelled": 1}


# -- fail / retries ----------------------------------------------------------------------------
def test_fail_requeues_with_the_delay_then_kills_on_the_last_attempt(db, frozen):
    job_id = add(db, "tests.record", max_attempts=2)
    job = claim(db)
    with db.writing(SYSTEM) as session:
        assert queue.fail(session, job, "first error", timedelta(seconds=30)) == "queued"
    row = get(db, job_id)
    assert (row.state, row.attempts, row.last_error) == ("queued", 1, "first error")
    assert row.due_at == T0 + timedelta(seconds=30)
    assert (row.lease_owner, row.lease_token, row.lease_expires_at, row.finished_at) == (None,) * 4

    frozen.advance(timedelta(seconds=30))
    job = claim(db)
    assert job.attempts == 2
    with db.writing(SYSTEM) as session:
        assert queue.fail(session, job, "x" * 5000 + "second error", timedelta(seconds=30)) == "dead"
    row = get(db, job_id)
    assert (row.state, row.attempts, row.finished_at) == ("dead", 2, T0 + timedelta(seconds=30))
    assert row.last_error.endswith("second error") and len(row.last_error) == 4000
    frozen.advance(timedelta(hours=1))
    assert claim(db) is None


def test_fail_and_extend_lease_need_the_lease(db, frozen):
    job_id = add(db, "tests.record", max_attempts=1)
    job = claim(db)  # 15 s
    frozen.advance(timedelta(seconds=10))
    with db.writing(SYSTEM) as session:
        assert queue.extend_lease(session, job, timedelta(seconds=90)) is True
    assert get(db, job_id).lease_expires_at == T0 + timedelta(seconds=100)

    frozen.advance(timedelta(seconds=91))
    assert audit(db) == {"requeued": 0, "dead": 1}
    with db.writing(SYSTEM) as session:
        assert queue.extend_lease(session, job, LEASE) is False
        # A worker that lost its lease does not get to rewrite the job's fate.
        assert queue.fail(session, job, "too late", timedelta(0)) == "lost"
    row = get(db, job_id)
    assert row.state == "dead"
    assert "lease expired" in row.last_error
    assert finish(db, job) is False


# -- the auditor ---------------------------------------------------------------------------------
def test_auditor_requeues_a_running_job_whose_lease_expired(db, frozen):
    job_id = add(db, "tests.record")
    job = claim(db, "vanished-worker")  # 15 s
    frozen.advance(timedelta(seconds=14))
    assert audit(db) == {"requeued": 0, "dead": 0}
    assert get(db, job_id).state == "running"

    frozen.advance(timedelta(seconds=2))
    assert audit(db) == {"requeued": 1, "dead": 0}
    row = get(db, job_id)
    assert (row.state, row.attempts, row.due_at) == ("queued", 1, T0 + timedelta(seconds=16))
    assert (row.lease_owner, row.lease_token, row.lease_expires_at) == (None, None, None)
    assert "lease expired" in row.last_error
    assert audit(db) == {"requeued": 0, "dead": 0}

    # The vanished worker cannot finish it any more; a new claim can.
    assert finish(db, job) is False
    again = claim(db, "new-worker")
    assert (again.id, again.attempts) == (job_id, 2)
    assert finish(db, again) is True
    assert get(db, job_id).state == "done"


def test_auditor_kills_an_expired_job_on_its_last_attempt(db, frozen):
    last = add(db, "tests.record", max_attempts=1)
    not_last = add(db, "tests.record", max_attempts=2)
    fresh = add(db, "tests.record", max_attempts=1)
    assert claim_ids(db, 2) == [last, not_last]
    frozen.advance(timedelta(seconds=10))
    claim(db)  # `fresh`, whose lease runs 10 s longer
    frozen.advance(timedelta(seconds=6))

    assert audit(db) == {"requeued": 1, "dead": 1}
    assert states(db) == {last: "dead", not_last: "queued", fresh: "running"}
    dead = get(db, last)
    assert dead.finished_at == T0 + timedelta(seconds=16)
    assert dead.lease_token is None
    assert dead.last_error == "lease expired on the last attempt (worker lost)"

    frozen.advance(timedelta(seconds=10))
    assert audit(db) == {"requeued": 0, "dead": 1}
    assert states(db)[fresh] == "dead"


def test_auditor_leaves_other_states_alone(db, frozen):
    done = add(db, "tests.record", priority=2)
    job = claim(db)
    assert finish(db, job)
    cancelled = add(db, "tests.record")
    with db.writing(SYSTEM) as session:
        queue.cancel(session, cancelled)
    queued = add(db, "tests.record")
    frozen.advance(timedelta(days=2))
    assert audit(db) == {"requeued": 0, "dead": 0}
    assert states(db) == {done: "done", cancelled: "cancelled", queued: "queued"}


# -- PostgreSQL: concurrent claims, heartbeats and the auditor skip locked rows ---------------------
@pytest.mark.skipif(not PG_URL, reason="SKIP LOCKED claims: PostgreSQL only (SQLite serialises writers)")
def test_concurrent_claims_skip_each_others_rows(db, frozen):
    ids = [add(db, "tests.record") for _ in range(4)]
    first = db.write_sessions()
    second = db.write_sessions()
    try:
        a = queue.claim(first, "a")  # uncommitted: its row stays locked
        b = queue.claim(second, "b")  # must skip it, not wait and not take it
        c = queue.claim(second, "b")
        first.commit()
        second.commit()
    finally:
        first.close()
        second.close()
    assert [a.id, b.id, c.id] == ids[:3]
    assert states(db) == {ids[0]: "running", ids[1]: "running", ids[2]: "running", ids[3]: "queued"}


@pytest.mark.skipif(not PG_URL, reason="row locks: PostgreSQL only (SQLite serialises writers)")
def test_the_auditor_and_the_heartbeat_skip_a_row_a_live_transaction_holds(db, frozen):
    """A job committing a checkpoint holds its row: the auditor neither waits for it nor takes the
    job; the heartbeat leaves it to the checkpoint; once committed the lease is good again."""
    job_id = add(db, "tests.record")
    job = claim(db)
    frozen.advance(timedelta(seconds=16))  # the 15 s lease ran out, but the worker is alive
    holder = db.write_sessions()
    try:
        assert queue.extend_lease(holder, job, timedelta(seconds=15)) is True  # locks the row
        assert audit(db) == {"requeued": 0, "dead": 0}
        with db.writing(SYSTEM) as session:
            assert queue.extend_lease(session, job, timedelta(seconds=15), skip_locked=True) is False
        holder.commit()
    finally:
        holder.close()
    assert audit(db) == {"requeued": 0, "dead": 0}
    assert get(db, job_id).lease_expires_at == T0 + timedelta(seconds=31)
    with db.writing(SYSTEM) as session:
        assert queue.extend_lease(session, job, timedelta(seconds=15), skip_locked=True) is True

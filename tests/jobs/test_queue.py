"""queue.py: enqueue, claim, finish, fail, extend_lease, release_expired (the auditor), cancel."""

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


def claim(db, worker="w1", **kw) -> list[queue.Claimed]:
    with db.writing(SYSTEM) as session:
        return queue.claim(session, worker, **kw)


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

    [job] = claim(db, "worker-a", lease=LEASE)
    assert (job.id, job.kind, job.payload, job.attempts, job.max_attempts) == (
        job_id,
        "tests.record",
        {"note": "hello"},
        1,
        3,
    )
    running = get(db, job_id)
    assert running.state == "running"
    assert running.lease_owner == "worker-a"
    assert running.lease_token == job.lease_token
    assert running.lease_expires_at == T0 + LEASE
    assert claim(db, "worker-b") == []  # a running job is nobody else's

    frozen.advance(timedelta(seconds=5))
    assert finish(db, job) is True
    done = get(db, job_id)
    assert done.state == "done"
    assert done.finished_at == T0 + timedelta(seconds=5)
    assert done.lease_token is None
    assert done.attempts == 1
    assert finish(db, job) is False  # only once
    assert claim(db) == []


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

    [job] = claim(db, limit=1)
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
    assert claim(db) == []

    frozen.advance(timedelta(minutes=5) - timedelta(seconds=1))
    assert claim(db) == []
    frozen.advance(timedelta(seconds=1))  # due_at <= now: exactly on time
    assert [j.id for j in claim(db)] == [later]

    frozen.advance(timedelta(minutes=54, seconds=59))
    assert claim(db) == []
    frozen.advance(timedelta(seconds=1))
    assert [j.id for j in claim(db)] == [at]


def test_claim_order_priority_then_due_time_then_id(db, frozen):
    low = add(db, "tests.record", priority=0)
    high = add(db, "tests.record", priority=10)
    mid_late = add(db, "tests.record", priority=5, due_at=T0 - timedelta(seconds=1))
    mid_early = add(db, "tests.record", priority=5, due_at=T0 - timedelta(seconds=2))
    low2 = add(db, "tests.record", priority=0)
    negative = add(db, "tests.record", priority=-3, due_at=T0 - timedelta(days=1))
    order = [j.id for _ in range(6) for j in claim(db, limit=1)]
    assert order == [high, mid_early, mid_late, low, low2, negative]


def test_a_claimed_batch_comes_back_in_claim_order(db, frozen):
    ids = [add(db, "tests.record", priority=p) for p in (0, 3, 1, 3, 2)]
    batch = claim(db, limit=4)
    assert [j.id for j in batch] == [ids[1], ids[3], ids[4], ids[2]]
    assert len({j.lease_token for j in batch}) == 1  # one claim, one token
    assert [j.id for j in claim(db, limit=10)] == [ids[0]]


def test_claim_limit_and_kinds(db, frozen):
    records = [add(db, "tests.record") for _ in range(5)]
    hooks = [add(db, "tests.hook", {"hook": "x"}) for _ in range(2)]
    assert [j.id for j in claim(db, limit=2, kinds=["tests.hook"])] == hooks
    assert claim(db, kinds=["tests.hook"]) == []
    assert [j.id for j in claim(db, limit=3)] == records[:3]
    assert [j.id for j in claim(db, limit=10, kinds=["tests.record", "tests.hook"])] == records[3:]


def test_cancel_only_queued_jobs(db, frozen):
    queued = add(db, "tests.record")
    running = add(db, "tests.record", priority=1)
    [job] = claim(db, limit=1)
    assert job.id == running
    with db.writing(SYSTEM) as session:
        assert queue.cancel(session, queued) is True
        assert queue.cancel(session, queued) is False  # already cancelled
        assert queue.cancel(session, running) is False  # a running job cannot be cancelled
        assert queue.cancel(session, 999_999) is False
    cancelled = get(db, queued)
    assert (cancelled.state, cancelled.finished_at) == ("cancelled", T0)
    assert claim(db) == []
    assert finish(db, job)
    with db.writing(SYSTEM) as session:
        assert queue.cancel(session, running) is False  # nor a finished one
        assert queue.counts(session) == {"done": 1, "cancelled": 1}


# -- fail / retries ----------------------------------------------------------------------------
def test_fail_requeues_with_the_delay_then_kills_on_the_last_attempt(db, frozen):
    job_id = add(db, "tests.record", max_attempts=2)
    [job] = claim(db)
    with db.writing(SYSTEM) as session:
        assert queue.fail(session, job, "first error", timedelta(seconds=30)) == "queued"
    row = get(db, job_id)
    assert (row.state, row.attempts, row.last_error) == ("queued", 1, "first error")
    assert row.due_at == T0 + timedelta(seconds=30)
    assert (row.lease_owner, row.lease_token, row.lease_expires_at, row.finished_at) == (None,) * 4

    frozen.advance(timedelta(seconds=30))
    [job] = claim(db)
    assert job.attempts == 2
    with db.writing(SYSTEM) as session:
        assert queue.fail(session, job, "x" * 5000 + "second error", timedelta(seconds=30)) == "dead"
    row = get(db, job_id)
    assert (row.state, row.attempts, row.finished_at) == ("dead", 2, T0 + timedelta(seconds=30))
    assert row.last_error.endswith("second error") and len(row.last_error) == 4000
    frozen.advance(timedelta(hours=1))
    assert claim(db) == []


def test_fail_and_extend_lease_need_the_lease(db, frozen):
    job_id = add(db, "tests.record", max_attempts=1)
    [job] = claim(db, lease=LEASE)
    frozen.advance(timedelta(seconds=20))
    with db.writing(SYSTEM) as session:
        assert queue.extend_lease(session, job, timedelta(seconds=90)) is True
    assert get(db, job_id).lease_expires_at == T0 + timedelta(seconds=110)

    frozen.advance(timedelta(seconds=111))
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
    [job] = claim(db, "vanished-worker", lease=LEASE)
    frozen.advance(timedelta(seconds=59))
    assert audit(db) == {"requeued": 0, "dead": 0}
    assert get(db, job_id).state == "running"

    frozen.advance(timedelta(seconds=2))
    assert audit(db) == {"requeued": 1, "dead": 0}
    row = get(db, job_id)
    assert (row.state, row.attempts, row.due_at) == ("queued", 1, T0 + timedelta(seconds=61))
    assert (row.lease_owner, row.lease_token, row.lease_expires_at) == (None, None, None)
    assert "lease expired" in row.last_error
    assert audit(db) == {"requeued": 0, "dead": 0}

    # The vanished worker cannot finish it any more; a new claim can.
    assert finish(db, job) is False
    [again] = claim(db, "new-worker")
    assert (again.id, again.attempts) == (job_id, 2)
    assert finish(db, again) is True
    assert get(db, job_id).state == "done"


def test_auditor_kills_an_expired_job_on_its_last_attempt(db, frozen):
    last = add(db, "tests.record", max_attempts=1)
    not_last = add(db, "tests.record", max_attempts=2)
    fresh = add(db, "tests.record", max_attempts=1)
    claim(db, limit=2, lease=LEASE)
    frozen.advance(timedelta(seconds=30))
    claim(db, lease=LEASE)  # `fresh`, whose lease runs 30 s longer
    frozen.advance(timedelta(seconds=31))

    assert audit(db) == {"requeued": 1, "dead": 1}
    assert states(db) == {last: "dead", not_last: "queued", fresh: "running"}
    dead = get(db, last)
    assert dead.finished_at == T0 + timedelta(seconds=61)
    assert dead.lease_token is None
    assert dead.last_error == "lease expired on the last attempt (worker lost)"

    frozen.advance(timedelta(seconds=30))
    assert audit(db) == {"requeued": 0, "dead": 1}
    assert states(db)[fresh] == "dead"


def test_auditor_leaves_other_states_alone(db, frozen):
    done = add(db, "tests.record", priority=2)
    [job] = claim(db)
    assert finish(db, job)
    cancelled = add(db, "tests.record")
    with db.writing(SYSTEM) as session:
        queue.cancel(session, cancelled)
    queued = add(db, "tests.record")
    frozen.advance(timedelta(days=2))
    assert audit(db) == {"requeued": 0, "dead": 0}
    assert states(db) == {done: "done", cancelled: "cancelled", queued: "queued"}


# -- PostgreSQL: concurrent claims ---------------------------------------------------------------
@pytest.mark.skipif(not PG_URL, reason="SKIP LOCKED claims: PostgreSQL only (SQLite serialises writers)")
def test_concurrent_claims_skip_each_others_rows(db, frozen):
    ids = [add(db, "tests.record") for _ in range(10)]
    first = db.write_sessions()
    second = db.write_sessions()
    try:
        a = queue.claim(first, "a", limit=4)  # uncommitted: its rows stay locked
        b = queue.claim(second, "b", limit=4)  # must skip them, not wait and not take them
        c = queue.claim(second, "b", limit=10)
        first.commit()
        second.commit()
    finally:
        first.close()
        second.close()
    assert [j.id for j in a] == ids[:4]
    assert [j.id for j in b] == ids[4:8]
    assert [j.id for j in c] == ids[8:]
    assert set(states(db).values()) == {"running"}

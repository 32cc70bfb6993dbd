"""A queue that keeps up (issue 17): enqueue_many (one statement), claim_many (one statement, each
job leased for its kind), the claim read from the partial index without a sort, and a worker with
several runners fed by one claim loop."""

from __future__ import annotations

import dataclasses
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from tests.conftest import PG_URL
from tests.jobs import handlers
from tests.jobs.conftest import T0, add, get
from yingji.core.db import Actor
from yingji.jobs import explain, queue
from yingji.jobs.models import Job
from yingji.jobs.worker import Worker

SYSTEM = Actor.system("tests")
COLUMNS = (Job.kind, Job.payload, Job.state, Job.priority, Job.due_at, Job.max_attempts, Job.dedupe_key)


def rows(db) -> list[tuple]:
    with db.reading() as session:
        return [tuple(r) for r in session.execute(select(*COLUMNS).order_by(Job.id))]


# -- enqueue_many ------------------------------------------------------------------------------------
def test_enqueue_many_adds_every_job_in_the_callers_transaction(db, frozen):
    with db.writing(SYSTEM) as session:
        ids = queue.enqueue_many(session, "tests.record", [{"n": 1}, None, {"n": "三"}], priority=4)
        later = queue.enqueue_many(session, "no.such.kind", [{}], delay=timedelta(minutes=5), max_attempts=9)
        assert queue.enqueue_many(session, "tests.record", []) == []
    assert len(ids) == 3 and len(later) == 1
    assert rows(db) == [
        ("tests.record", {"n": 1}, "queued", 4, T0, 3, None),  # max_attempts from the handler's spec
        ("tests.record", {}, "queued", 4, T0, 3, None),
        ("tests.record", {"n": "三"}, "queued", 4, T0, 3, None),
        ("no.such.kind", {}, "queued", 0, T0 + timedelta(minutes=5), 9, None),
    ]
    assert sorted(ids + later) == sorted(get(db, i).id for i in ids + later)

    with pytest.raises(RuntimeError), db.writing(SYSTEM) as session:
        queue.enqueue_many(session, "tests.record", [{"n": 4}] * 5)
        raise RuntimeError("the caller's change failed")
    assert len(rows(db)) == 4


def test_enqueue_many_skips_taken_and_repeated_dedupe_keys(db, frozen):
    first = add(db, "tests.record", {"n": 0}, dedupe_key="k1")
    with db.writing(SYSTEM) as session:
        ids = queue.enqueue_many(
            session,
            "tests.record",
            [{"n": 1}, {"n": 2}, {"n": 3}, {"n": 4}, {"n": 5}],
            dedupe_keys=["k1", "k2", "k2", None, None],
        )
    assert len(ids) == 3  # k1 was taken, k2 is added once, and the two without a key
    with db.reading() as session:
        by_key = dict(
            session.execute(select(Job.dedupe_key, Job.payload).where(Job.dedupe_key.is_not(None))).all()
        )
    assert by_key == {"k1": {"n": 0}, "k2": {"n": 2}}  # the first one wins, untouched
    assert first not in ids
    with pytest.raises(ValueError), db.writing(SYSTEM) as session:
        queue.enqueue_many(session, "tests.record", [{}, {}], dedupe_keys=["only one"])


# -- claim_many --------------------------------------------------------------------------------------
def test_claim_many_takes_the_first_due_jobs_each_leased_for_its_kind(db, frozen):
    short = add(db, "tests.hook_short_lease", {"hook": "x"}, priority=2)  # lease_s=1.5
    block = add(db, "tests.block", {}, priority=1)  # lease_s=2
    plain = add(db, "tests.record", due_at=T0 - timedelta(seconds=1))  # the default lease
    waiting = add(db, "tests.record")
    future = add(db, "tests.record", delay=timedelta(seconds=1))
    with db.writing(SYSTEM) as session:
        jobs = queue.claim_many(session, "w", 3, max_lease_s=10)
        assert queue.claim_many(session, "w", 0) == []
    assert [(j.id, j.lease_s, j.attempts) for j in jobs] == [
        (short, 1.5, 1),
        (block, 2.0, 1),
        (plain, 10.0, 1),
    ]
    assert [get(db, i).lease_expires_at for i in (short, block, plain)] == [
        T0 + timedelta(seconds=1.5),
        T0 + timedelta(seconds=2),
        T0 + timedelta(seconds=10),
    ]
    assert {get(db, i).state for i in (short, block, plain)} == {"running"}
    for job_id in (waiting, future):  # beyond the limit, or not due: untouched
        row = get(db, job_id)
        assert (row.state, row.attempts, row.lease_token, row.lease_expires_at) == ("queued", 0, None, None)

    # Each job is finished (or lost) on its own, whatever claim it came in.
    with db.writing(SYSTEM) as session:
        assert queue.finish(session, jobs[1]) is True
    frozen.advance(timedelta(seconds=3))
    with db.writing(SYSTEM) as session:
        assert queue.release_expired(session) == {"requeued": 1, "dead": 0}  # the 1.5 s lease only
        assert queue.finish(session, jobs[0]) is False
        assert queue.finish(session, jobs[2]) is True
        again = queue.claim_many(session, "w", 10, kinds=["tests.hook_short_lease", "tests.record"])
    assert sorted(j.id for j in again) == sorted([short, waiting, future])
    assert next(j for j in again if j.id == short).attempts == 2


@pytest.mark.skipif(not PG_URL, reason="SKIP LOCKED claims: PostgreSQL only (SQLite serialises writers)")
def test_claim_many_claims_exactly_its_limit_and_skips_rows_others_hold(db, frozen):
    with db.writing(SYSTEM) as session:
        ids = sorted(queue.enqueue_many(session, "tests.record", [{}] * 50))
    first, second = db.write_sessions(), db.write_sessions()
    try:
        a = queue.claim_many(first, "a", 7)  # uncommitted: its rows stay locked
        b = queue.claim_many(second, "b", 7)
        first.commit()
        second.commit()
    finally:
        first.close()
        second.close()
    assert [j.id for j in a] == ids[:7]
    assert [j.id for j in b] == ids[7:14]
    with db.reading() as session:
        running = session.scalar(select(func.count()).where(Job.state == "running"))
    assert running == 14


# -- the claim's plan ---------------------------------------------------------------------------------
def test_the_claim_reads_the_partial_index_without_sorting(db, frozen):
    with db.writing(SYSTEM) as session:
        queue.enqueue_many(session, "tests.record", [{}] * 300)
        queue.enqueue_many(session, "tests.record", [{}] * 30, priority=3, delay=timedelta(minutes=1))
    with db.writing(SYSTEM) as session:
        if db.kind == "postgresql":
            # A small table may be cheaper to scan and sort; forbid both, so that the plan shows
            # whether an index can give the claim's order at all (without one, a Sort stays).
            session.execute(text("SET LOCAL enable_seqscan = off"))
            session.execute(text("SET LOCAL enable_sort = off"))
            session.execute(text("SET LOCAL enable_bitmapscan = off"))
        plan = explain.claim_plan(session, 10)
    assert any("ix_jobs_queued" in line for line in plan), plan
    assert not any("Sort" in line or "TEMP B-TREE" in line for line in plan), plan


# -- a worker with several runners -----------------------------------------------------------------------
def test_a_worker_with_runners_runs_every_job_once(db):
    ran, threads, lock = [], set(), threading.Lock()

    def count(session, ctx):
        time.sleep(0.005)
        with lock:
            ran.append(ctx.job_id)
            threads.add(threading.current_thread().name)
        handlers.record(session, ctx)

    handlers.HOOKS["count"] = count
    with db.writing(SYSTEM) as session:
        ids = queue.enqueue_many(session, "tests.hook", [{"hook": "count"}] * 120)
    worker = Worker(db, kinds=["tests.hook"], concurrency=3, idle_sleep_s=0.05)
    thread = threading.Thread(target=worker.run_forever)
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while len(ran) < 120 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        worker.stop()
        thread.join(timeout=30)
    assert not thread.is_alive(), "the worker did not stop"
    assert sorted(ran) == sorted(ids)
    assert len(threads) > 1  # several runners took part
    assert worker.processed == 120
    with db.reading() as session:
        mine = select(Job.state, Job.attempts).where(Job.kind == "tests.hook")
        assert set(session.execute(mine).all()) == {("done", 1)}


# -- completions in a batch ------------------------------------------------------------------------------
def test_finish_and_claim_marks_done_only_the_jobs_still_leased(db, frozen):
    with db.writing(SYSTEM) as session:
        ids = queue.enqueue_many(session, "tests.record", [{}] * 5)
        first = queue.claim_many(session, "w", 2, kinds=["tests.record"])
        other = queue.claim_many(session, "w", 1, kinds=["tests.record"])  # another lease token
    assert [j.id for j in first + other] == ids[:3]
    lost = dataclasses.replace(first[1], lease_token="not-ours")
    with db.writing(SYSTEM) as session:
        finished, claimed = queue.finish_and_claim(
            session, [first[0], lost, other[0]], "w", 5, kinds=["tests.record"]
        )
    assert finished == {ids[0], ids[2]}
    assert sorted(j.id for j in claimed) == ids[3:]
    assert [get(db, i).state for i in ids] == ["done", "running", "done", "running", "running"]
    assert get(db, ids[0]).finished_at == T0 and get(db, ids[0]).lease_token is None
    with db.writing(SYSTEM) as session:  # nothing left to claim: the completions still go in
        assert queue.finish_and_claim(session, claimed, "w", 5, kinds=["tests.record"]) == (set(ids[3:]), [])
        assert queue.finish_many(session, []) == set()
    assert [get(db, i).state for i in ids] == ["done", "running", "done", "done", "done"]


def test_a_worker_marks_jobs_that_wrote_nothing_done_in_batches(db):
    ran, lock = [], threading.Lock()

    def nothing(session, ctx):  # no write: its completion waits for the claim loop's next pass
        with lock:
            ran.append(ctx.job_id)

    handlers.HOOKS["nothing"] = nothing
    with db.writing(SYSTEM) as session:
        ids = queue.enqueue_many(session, "tests.hook", [{"hook": "nothing"}] * 60)
        wrote = queue.enqueue_many(session, "tests.record", [{}] * 5)
    worker = Worker(db, kinds=["tests.hook", "tests.record"], concurrency=3, idle_sleep_s=0.05)
    thread = threading.Thread(target=worker.run_forever)
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while worker.processed < 65 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        worker.stop()
        thread.join(timeout=30)
    assert not thread.is_alive(), "the worker did not stop"
    assert sorted(ran) == sorted(ids)
    assert worker.processed == 65
    with db.reading() as session:
        states = session.execute(
            select(Job.state, Job.attempts, Job.lease_token).where(Job.id.in_(ids + wrote))
        )
        assert set(states.all()) == {("done", 1, None)}

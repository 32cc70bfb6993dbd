"""Periodic handlers (one row per period slot, by dedupe key), the builtin housekeeping jobs,
and the handler registry."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import select

from tests.jobs import handlers
from tests.jobs.conftest import T0, add, effects, get
from yingji.core.db import Actor
from yingji.jobs import queue, registry
from yingji.jobs.models import Job
from yingji.jobs.worker import Worker

SLOT = timedelta(minutes=10)  # tests.tick's period; T0 (08:00:00) starts a slot


def ticks(db) -> list[tuple[str, object, str]]:
    with db.reading() as session:
        rows = session.execute(
            select(Job.state, Job.due_at, Job.dedupe_key).where(Job.kind == "tests.tick").order_by(Job.due_at)
        )
        return [tuple(r) for r in rows]


def key(at) -> str:
    return f"tests.tick@{int(at.timestamp() // SLOT.total_seconds())}"


def test_ensure_periodic_makes_one_row_per_slot_even_when_called_twice(db, frozen):
    frozen.advance(timedelta(minutes=3))
    one, two = Worker(db), Worker(db)
    one.ensure_periodic()
    one.ensure_periodic()
    two.ensure_periodic()  # another worker starting up
    assert ticks(db) == [("queued", T0 + SLOT, key(T0 + SLOT))]
    # Every periodic kind (the builtin ones too) has exactly one queued row.
    periodic = {spec.kind for spec in registry.all_specs() if spec.period is not None}
    assert {"tests.tick", "jobs.prune", "auth.prune_sessions"} <= periodic
    with db.reading() as session:
        kinds = session.scalars(select(Job.kind).where(Job.kind.in_(periodic))).all()
    assert sorted(kinds) == sorted(periodic)


def test_a_periodic_run_schedules_exactly_the_next_slot(db, frozen):
    worker = Worker(db, kinds=["tests.tick"])
    worker.ensure_periodic()
    assert worker.run_until_idle() == 0  # not due before its slot

    frozen.advance(SLOT)
    assert worker.run_until_idle() == 1
    worker.ensure_periodic()  # a restart in the same slot adds nothing
    Worker(db).ensure_periodic()
    assert ticks(db) == [
        ("done", T0 + SLOT, key(T0 + SLOT)),
        ("queued", T0 + 2 * SLOT, key(T0 + 2 * SLOT)),
    ]

    frozen.advance(SLOT + timedelta(minutes=7))  # the worker runs the slot late ...
    assert worker.run_until_idle() == 1
    worker.ensure_periodic()
    assert ticks(db) == [  # ... and the next one is still on the slot grid
        ("done", T0 + SLOT, key(T0 + SLOT)),
        ("done", T0 + 2 * SLOT, key(T0 + 2 * SLOT)),
        ("queued", T0 + 3 * SLOT, key(T0 + 3 * SLOT)),
    ]
    assert len(effects(db)) == 2


def test_rescheduling_the_same_slot_concurrently_makes_one_row(db, frozen):
    spec = registry.get("tests.tick")
    workers = [Worker(db, name=f"w{i}") for i in range(6)]
    errors = []

    def schedule(w):
        try:
            w._schedule_next(spec)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=schedule, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert ticks(db) == [("queued", T0 + SLOT, key(T0 + SLOT))]


def test_a_periodic_job_that_dies_still_schedules_the_next_slot(db, frozen, monkeypatch):
    monkeypatch.setattr(handlers, "TICK_FAILS", True)
    worker = Worker(db, kinds=["tests.tick"])
    worker.ensure_periodic()
    frozen.advance(SLOT)
    assert worker.run_until_idle() == 1  # attempt 1 fails: retried after backoff_base_s
    assert [state for state, _, _ in ticks(db)] == ["queued"]
    frozen.advance(timedelta(seconds=1))
    assert worker.run_until_idle() == 1  # attempt 2 (max_attempts=2): dead
    assert ticks(db) == [
        ("dead", T0 + SLOT + timedelta(seconds=1), key(T0 + SLOT)),  # due_at moved by the retry
        ("queued", T0 + 2 * SLOT, key(T0 + 2 * SLOT)),
    ]

    monkeypatch.setattr(handlers, "TICK_FAILS", False)
    frozen.advance(SLOT)
    assert worker.run_until_idle() == 1
    assert [state for state, _, _ in ticks(db)] == ["dead", "done", "queued"]


# -- builtin housekeeping -------------------------------------------------------------------
def test_prune_deletes_finished_jobs_after_thirty_days(db, frozen):
    with db.writing(Actor.system("tests")) as session:
        session.add_all(
            [
                Job(kind="x", state="done", finished_at=T0 - timedelta(days=31), dedupe_key="old-done"),
                Job(kind="x", state="cancelled", finished_at=T0 - timedelta(days=40), dedupe_key="old-c"),
                Job(kind="x", state="done", finished_at=T0 - timedelta(days=29), dedupe_key="new-done"),
                Job(kind="x", state="dead", finished_at=T0 - timedelta(days=90), dedupe_key="old-dead"),
                Job(kind="x", state="queued", due_at=T0 + timedelta(days=1), dedupe_key="queued"),
            ]
        )
    prune = add(db, "jobs.prune")
    sessions = add(db, "auth.prune_sessions")
    assert Worker(db, kinds=["jobs.prune", "auth.prune_sessions"]).run_until_idle() == 2
    assert (get(db, prune).state, get(db, sessions).state) == ("done", "done")
    with db.reading() as session:
        kept = set(session.scalars(select(Job.dedupe_key).where(Job.kind == "x")))
    assert kept == {"new-done", "old-dead", "queued"}


# -- the registry -----------------------------------------------------------------------------
def test_the_registry_loads_entry_points_and_extra_modules(monkeypatch):
    registry.load_all(["tests.jobs.handlers"])  # idempotent
    assert registry.get("jobs.prune").period == timedelta(hours=6)  # via the entry point
    spec = registry.get("tests.fail")
    assert (spec.max_attempts, spec.backoff_base_s, spec.lease_s) == (4, 10.0, registry.DEFAULT_LEASE_S)
    assert registry.get("tests.block").lease_s == 2.0
    assert registry.get("no.such.kind") is None

    monkeypatch.setattr(registry, "_HANDLERS", dict(registry._HANDLERS))

    @registry.handler("tests.registered.here", max_attempts=2, lease_s=7, period=timedelta(days=1))
    def fn(session, ctx):
        pass

    spec = registry.get("tests.registered.here")
    assert (spec.fn, spec.max_attempts, spec.lease_s, spec.period) == (fn, 2, 7, timedelta(days=1))
    assert spec in registry.all_specs()


def test_enqueue_takes_max_attempts_from_the_handler(db):
    with db.writing(Actor.system("tests")) as session:
        job_id = queue.enqueue(session, "tests.fail")
    assert get(db, job_id).max_attempts == 4

"""An idle worker is woken by an enqueue instead of waiting out its pause: in process after the
commit, and through LISTEN/NOTIFY on PostgreSQL (sent when the enqueuing transaction commits, for a
job due now only).

The waits below are generous deadlines, never timings: the workers pause 60 s when idle, so a
job that ran within the deadline was woken."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy.engine import make_url

from tests.conftest import PG_URL
from tests.jobs.conftest import add, get
from yingji.core.db import Actor
from yingji.jobs import queue, wakeup
from yingji.jobs.worker import Worker

SYSTEM = Actor.system("tests")


def wait_done(db, job_id: int, timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if get(db, job_id).state == "done":
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("concurrency", [1, 3])
def test_an_idle_worker_runs_a_job_enqueued_now_without_waiting_its_pause(db, concurrency):
    worker = Worker(db, kinds=["tests.record"], idle_sleep_s=60, concurrency=concurrency)
    thread = threading.Thread(target=worker.run_forever)
    thread.start()
    try:
        first = add(db, "tests.record")
        assert wait_done(db, first)  # the worker is past its first pass, idle now
        second = add(db, "tests.record")
        assert wait_done(db, second), "the idle worker was not woken by the enqueue"
        with db.writing(SYSTEM) as session:
            third = queue.enqueue_many(session, "tests.record", [{}])[0]
        assert wait_done(db, third)
    finally:
        worker.stop()
        thread.join(timeout=30)
    assert not thread.is_alive()


@pytest.mark.skipif(not PG_URL, reason="LISTEN/NOTIFY: PostgreSQL only")
def test_enqueue_notifies_at_commit_and_only_for_a_job_due_now(db):
    import psycopg

    url = make_url(db.settings.database_url).set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f"LISTEN {wakeup.CHANNEL}")

        def heard(timeout: float) -> int:
            """Notifications: the first within ``timeout``, and any more a moment after it."""
            first = list(conn.notifies(timeout=timeout, stop_after=1))
            return len(first) + len(list(conn.notifies(timeout=0.3))) if first else 0

        with db.writing(SYSTEM) as session:
            queue.enqueue(session, "tests.record")
            queue.enqueue(session, "tests.record")
            assert heard(0.3) == 0  # not before the commit
        assert heard(5) == 1  # one for the transaction

        with db.writing(SYSTEM) as session:
            queue.enqueue(session, "tests.record", delay=timedelta(minutes=5))
            queue.enqueue_many(session, "tests.record", [{}] * 3, delay=timedelta(minutes=5))
        with pytest.raises(RuntimeError), db.writing(SYSTEM) as session:
            queue.enqueue(session, "tests.record")
            raise RuntimeError("rolled back")
        assert add(db, "tests.record", dedupe_key="once") is not None
        assert heard(5) == 1  # the deduplicated one only: nothing for later jobs or a rollback
        assert add(db, "tests.record", dedupe_key="once") is None
        with db.writing(SYSTEM) as session:
            queue.enqueue_many(session, "tests.record", [{}] * 3)
        assert heard(5) == 1

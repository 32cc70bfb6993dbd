"""Shared page figures across processes on PostgreSQL: a commit that writes a cached table tells the
other processes (``pg_notify``, only when it commits), and each process's follower drops the same
entries it would have dropped for its own write; a notice it cannot read drops everything."""

from __future__ import annotations

import json
import time

import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.conftest import PG_URL
from yingji.core import pagecache
from yingji.core.db import Actor
from yingji.core.pagecache import ScopedCache
from yingji.org.models import Jurisdiction, Unit

pytestmark = pytest.mark.skipif(not PG_URL, reason="notices between processes: PostgreSQL only")

# One cache on the jurisdictions table for this module (caches register for the process's life).
CACHE = ScopedCache("test.processes", {"jurisdictions", "units"}, 600)


def _dsn(db) -> str:
    url = make_url(db.settings.database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _until(check, seconds: float = 10.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.02)
    return check()


def _notices(conn: psycopg.Connection) -> list[dict]:
    return [json.loads(n.payload) for n in conn.notifies(timeout=0.5, stop_after=10)]


def test_a_commit_tells_other_processes_what_it_wrote_and_a_rollback_tells_nothing(databases):
    db = databases.make("pagecache-notify")
    with psycopg.connect(_dsn(db), autocommit=True) as listener:
        listener.execute(f"LISTEN {pagecache.CHANNEL}")
        with db.writing(Actor.system("tests")) as session:
            session.add(Jurisdiction(code="52", name="贵州省", level="province", parent_code=None))
        # a jurisdiction row has no jurisdiction_code of its own: it may change any scope
        assert _notices(listener) == [{"p": pagecache.PROCESS, "t": {"jurisdictions": None}}]
        with db.writing(Actor.system("tests")) as session:
            session.add(Unit(code="u-52", name="省应急厅", kind="bureau", jurisdiction_code="52"))
        assert _notices(listener) == [{"p": pagecache.PROCESS, "t": {"units": ["52"]}}]

        with pytest.raises(RuntimeError), db.writing(Actor.system("tests")) as session:
            session.add(Unit(code="u-52b", name="省减灾办", kind="bureau", jurisdiction_code="52"))
            session.flush()
            raise RuntimeError("rolled back")
        assert _notices(listener) == []


def test_the_follower_drops_what_another_process_made_stale(databases):
    db = databases.make("pagecache-follow")
    follower = pagecache.follow(db.settings.database_url)
    try:
        assert follower is not None and follower.listening.wait(10)
        CACHE.put("5206", None, "city")
        CACHE.put("5301", None, "elsewhere")
        other = json.dumps({"p": "another-process", "t": {"jurisdictions": ["520602001"]}})
        own = json.dumps({"p": pagecache.PROCESS, "t": {"jurisdictions": ["5301"]}})
        with psycopg.connect(_dsn(db), autocommit=True) as conn:
            conn.execute("SELECT pg_notify(%s, %s)", (pagecache.CHANNEL, own))  # dropped at its commit
            conn.execute("SELECT pg_notify(%s, %s)", (pagecache.CHANNEL, other))
        assert _until(lambda: CACHE.get("5206") is None)
        assert CACHE.get("5301") == "elsewhere"  # another subtree, and its own process's notice

        with psycopg.connect(_dsn(db), autocommit=True) as conn:
            conn.execute("SELECT pg_notify(%s, %s)", (pagecache.CHANNEL, "not json"))
        assert _until(lambda: CACHE.get("5301") is None)  # unreadable: everything goes
    finally:
        pagecache.unfollow(db.settings.database_url)
    assert not follower.thread.is_alive()

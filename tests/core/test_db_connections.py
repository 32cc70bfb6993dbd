"""PostgreSQL connections in the pool (core/db.py): pinged when taken only after a while unused; a
connection the server dropped while unused is replaced without the request seeing it, and one dropped
while in use fails that request with a 503 (not a 500) and the next request gets a new connection."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from tests.conftest import PG_URL
from yingji.core import db as db_module
from yingji.core.overload import is_saturation

pytestmark = pytest.mark.skipif(not PG_URL, reason="the pool's ping: PostgreSQL only")


def _kill(db, pid: int) -> None:
    url = make_url(db.settings.database_url).set(drivername="postgresql")
    dsn = url.render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))


def _pid(db) -> int:
    with db.engine.connect() as conn:
        return conn.execute(text("SELECT pg_backend_pid()")).scalar_one()


def test_a_connection_lost_while_idle_is_replaced_and_one_lost_in_use_is_a_503(databases, monkeypatch):
    db = databases.make("pool_ping", migrated=False)
    db.engine.dispose()
    pid = _pid(db)

    monkeypatch.setattr(db_module, "PING_IDLE_S", 0.0)  # every checkout counts as after a while
    _kill(db, pid)
    assert _pid(db) != pid  # the ping found it dead; the pool opened another

    monkeypatch.setattr(db_module, "PING_IDLE_S", 3600.0)  # no ping: a hot connection is trusted
    pid = _pid(db)
    _kill(db, pid)
    with pytest.raises(OperationalError) as lost, db.engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    assert lost.value.connection_invalidated and is_saturation(lost.value)  # → 503 with Retry-After
    assert _pid(db) != pid

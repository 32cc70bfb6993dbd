"""Engines and sessions.

SQLite runs in WAL mode with foreign keys on. Write sessions start with ``BEGIN IMMEDIATE`` so
that two writers never fail on a lock upgrade; within a process they queue on a Python lock (the
write gate, ``core.overload``) with a bounded wait, across processes on SQLite's busy timeout.
Read sessions use a deferred ``BEGIN`` and never block writers. The pool, the request gate and
every wait are bounded (``Settings.db_*``): past them a request is shed with a 503.

PostgreSQL connections are pinged when taken from the pool only after PING_IDLE_S unused (a server
restarted overnight): a ping before every request was one round trip in four of a page. A connection
lost while in use fails its request with a 503 (``overload.is_saturation``), and the pool drops it and
every connection opened before it.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from yingji.config import Settings
from yingji.core.overload import GatedConnection, RequestGate, WriteGate

SQLITE_BUSY_TIMEOUT_S = 30
PING_IDLE_S = 10.0


def _echo(settings: Settings) -> None:
    """YINGJI_SQL_ECHO: statements (and rows under ``yingji -v``) go through Yingji's log handlers,
    where secrets are masked; ``echo=True`` would add an unfiltered handler of SQLAlchemy's own."""
    if settings.sql_echo:
        verbose = logging.getLogger().getEffectiveLevel() <= logging.DEBUG
        logging.getLogger("sqlalchemy.engine").setLevel(logging.DEBUG if verbose else logging.INFO)


def _driver_begin(dbapi_conn, mode: str) -> None:
    """``BEGIN <mode>`` straight on the driver connection: every write transaction starts here, and
    SQLAlchemy's statement machinery cost more than the statement (inside the write gate, at that).
    A driver error comes out as SQLAlchemy's, as it did through ``exec_driver_sql``."""
    statement = f"BEGIN {mode}"
    try:
        dbapi_conn.execute(statement)
    except sqlite3.Error as e:
        raise DBAPIError.instance(statement, None, e, sqlite3.Error) from e


def _pool_args(settings: Settings) -> dict:
    return {
        "pool_size": settings.db_pool_size,
        "max_overflow": settings.db_max_overflow,
        "pool_timeout": settings.db_wait_s,
    }


def _make_engine(settings: Settings) -> Engine:
    _echo(settings)
    if settings.is_sqlite:
        gate = WriteGate(background_wait_s=SQLITE_BUSY_TIMEOUT_S, request_wait_s=settings.db_wait_s)
        engine = create_engine(
            settings.database_url,
            connect_args={
                "check_same_thread": False,
                "timeout": SQLITE_BUSY_TIMEOUT_S,
                "factory": GatedConnection,
            },
            **_pool_args(settings),
        )

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_conn, _record):
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, below
            dbapi_conn.write_gate = gate
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
            dbapi_conn = conn.connection.dbapi_connection
            if mode != "IMMEDIATE":
                _driver_begin(dbapi_conn, mode)
                return
            gate.acquire()  # DatabaseBusy past the wait; released by GatedConnection.commit/rollback
            dbapi_conn.holds_gate = True
            try:
                _driver_begin(dbapi_conn, mode)
            except BaseException:
                dbapi_conn.release_gate()
                raise

        return engine
    engine = create_engine(settings.database_url, **_pool_args(settings))

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_conn, record) -> None:
        record.info["idle_from"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_after_idle(dbapi_conn, record, _proxy) -> None:
        idle_from = record.info.get("idle_from")
        if idle_from is None or time.monotonic() - idle_from < PING_IDLE_S:
            return  # new, or used a moment ago
        try:
            engine.dialect.do_ping(dbapi_conn)  # what pool_pre_ping runs (outside a transaction)
        except engine.dialect.loaded_dbapi.Error as e:
            # SQLAlchemy's pessimistic check: the pool drops this connection and hands out another.
            raise DisconnectionError(str(e)) from e

    return engine


@dataclass
class Database:
    """The engine and the two session factories (read, write) of one database."""

    settings: Settings
    engine: Engine
    read_sessions: sessionmaker[Session]
    write_sessions: sessionmaker[Session]
    request_gate: RequestGate

    @property
    def kind(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self.read_sessions() as session:  # close() ends the transaction, keeps loaded values
            yield session

    @contextmanager
    def writing(self, actor: Actor) -> Iterator[Session]:
        """A write transaction, committed on success; ``actor`` is recorded in the audit log."""
        with self.write_sessions() as session:
            session.info["actor"] = actor
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()


@dataclass(frozen=True)
class Actor:
    """Who a write is done by: a user, or the system (CLI, worker, demo builder)."""

    user_id: int | None
    name: str
    ip: str | None = None
    request_id: str | None = None
    display: str | None = None  # the person's name for logs people read (timelines)

    @classmethod
    def system(cls, what: str) -> Actor:
        return cls(user_id=None, name=f"system:{what}")


def open_database(settings: Settings) -> Database:
    engine = _make_engine(settings)
    write_engine = engine.execution_options(sqlite_begin="IMMEDIATE") if settings.is_sqlite else engine
    return Database(
        settings=settings,
        engine=engine,
        read_sessions=sessionmaker(engine, expire_on_commit=False),
        write_sessions=sessionmaker(write_engine, expire_on_commit=False),
        request_gate=RequestGate(settings.db_max_active, settings.db_max_queued, settings.db_wait_s),
    )


def database_url(session: Session, *, with_password: bool = False) -> str:
    """The URL of the database a session talks to, as a key for per-database caches (the password
    masked) or, ``with_password``, to open another engine on it. A worker job's session is bound to a
    connection, so the bind's engine is asked, not the session's own."""
    url = session.get_bind().engine.url
    return url.render_as_string(hide_password=False) if with_password else str(url)

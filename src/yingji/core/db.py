"""Engines and sessions.

SQLite runs in WAL mode with foreign keys on. Write sessions start with ``BEGIN IMMEDIATE`` so
that two writers queue on the busy timeout instead of failing on a lock upgrade; read sessions
use a deferred ``BEGIN`` and never block writers.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from yingji.config import Settings

SQLITE_BUSY_TIMEOUT_S = 30


def _make_engine(settings: Settings) -> Engine:
    if settings.is_sqlite:
        engine = create_engine(
            settings.database_url,
            echo=settings.sql_echo,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S},
            pool_size=10,
            max_overflow=20,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_conn, _record):
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, below
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
            conn.exec_driver_sql(f"BEGIN {mode}")

        return engine
    return create_engine(
        settings.database_url,
        echo=settings.sql_echo,
        pool_size=10,
        max_overflow=20,
        pool_pre_ping=True,
    )


@dataclass
class Database:
    """The engine and the two session factories (read, write) of one database."""

    settings: Settings
    engine: Engine
    read_sessions: sessionmaker[Session]
    write_sessions: sessionmaker[Session]

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
    )

"""Helpers shared by the benchmarks: fresh databases, timing, the result table and JSON line."""

from __future__ import annotations

import json
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from yingji.config import Settings
from yingji.core import migrate
from yingji.core.db import open_database


@contextmanager
def fresh_database(base_url: str | None, name: str):
    """A new, migrated database: a temp SQLite file, or a new database on the PostgreSQL server."""
    if not base_url:
        with tempfile.TemporaryDirectory() as tmp:
            db = open_database(
                Settings(
                    database_url=f"sqlite:///{Path(tmp) / 'bench.db'}",
                    secret_key="b",
                    var_dir=Path(tmp),
                    inprocess_worker=False,
                )
            )
            migrate.upgrade(db.engine)
            try:
                yield db
            finally:
                db.dispose()
        return
    dbname = f"yingji_bench_{name}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{dbname}"'))
    url = make_url(base_url).set(database=dbname).render_as_string(hide_password=False)
    db = open_database(
        Settings(
            database_url=url, secret_key="b", var_dir=Path(tempfile.gettempdir()), inprocess_worker=False
        )
    )
    migrate.upgrade(db.engine)
    try:
        yield db
    finally:
        db.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)'))
        admin.dispose()


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def median(values: list[float]) -> float:
    return statistics.median(values)


def report(name: str, rows: list[tuple[str, str]], result: dict) -> None:
    """Print a readable table, then (last line) one JSON object with the headline figure."""
    width = max(len(k) for k, _ in rows)
    print(f"\n{name}")
    print("-" * (width + 30))
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    print("-" * (width + 30))
    print(json.dumps({"name": name, **result}, ensure_ascii=False))

"""Bulk insert of demo rows through the bare driver: SQLite ``executemany`` on tuples, PostgreSQL
``COPY``. The demo writes a quarter of a million rows; SQLAlchemy's per-value bind processing was
most of its time. Values are converted here exactly as the column types would store them (naive
UTC timestamps in SQLAlchemy's SQLite text format, JSON as text)."""

from __future__ import annotations

import json
import operator
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Table
from sqlalchemy.orm import Session

from yingji.core.types import UTCDateTime


def _utc_naive(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def _sqlite_time(value: datetime | None) -> str | None:
    """SQLAlchemy's SQLite text form, "YYYY-MM-DD HH:MM:SS.ffffff" in UTC."""
    if value is None:
        return None
    if value.tzinfo is not None and value.utcoffset():
        value = value.astimezone(UTC)
    return value.isoformat(" ", "microseconds")[:26]


def _sqlite_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _converter(column, dialect: str) -> Callable[[Any], Any] | None:
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return _sqlite_time if dialect == "sqlite" else _utc_naive
    if isinstance(kind, JSON) or isinstance(getattr(kind, "impl", None), JSON):
        return _json
    if dialect == "sqlite" and isinstance(kind, Date):
        return _sqlite_date
    if dialect == "sqlite" and isinstance(kind, Boolean):
        return lambda v: None if v is None else int(v)
    return None


def insert(session: Session, table: Table, rows: list[dict]) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``table`` in the session's transaction."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    columns = [c for c in table.columns if c.name in rows[0]]
    names = [c.name for c in columns]
    getter = operator.itemgetter(*names)
    converters = [(i, f) for i, c in enumerate(columns) if (f := _converter(c, dialect)) is not None]
    values = []
    for r in rows:
        row = list(getter(r))
        for i, f in converters:
            row[i] = f(row[i])
        values.append(tuple(row))
    connection = session.connection()
    if dialect == "postgresql":
        cursor = connection.connection.driver_connection.cursor()
        with cursor, cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
            for row in values:
                copy.write_row(row)
        return
    marks = ", ".join("?" * len(names))
    connection.exec_driver_sql(f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({marks})", values)

"""Database side of the ingest: sensors by code, per-sensor state under row locks, the bulk insert of
readings (SQLite ``executemany`` / PostgreSQL binary ``COPY``, see store_pg) into month partitions,
and rejection counters.

Times travel as epoch microseconds (int64) and are written as naive UTC text
``YYYY-MM-DD HH:MM:SS.ffffff`` — exactly the form SQLAlchemy's ``UTCDateTime`` stores on SQLite, so
raw inserts and ORM reads agree, and a form PostgreSQL parses for ``timestamp`` (the binary ``COPY``
sends microseconds since 2000-01-01 instead).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import NamedTuple

import numpy as np
from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from yingji.core import clock
from yingji.core.db import database_url
from yingji.core.text import clean, trimmed
from yingji.monitoring import store_pg
from yingji.monitoring.models import PARTITION_SCHEMA, Reading, Rejection, SensorState
from yingji.monitoring.windows import State, rings_from

CHUNK = 5000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class SensorRow(NamedTuple):  # a tuple: thousands are made a batch, a frozen dataclass costs 5×
    id: int
    code: str
    kind: str
    jurisdiction_code: str
    valid_min: float | None
    valid_max: float | None
    active: bool
    hazard_point_id: int | None


def us_of(value: datetime) -> int:
    """Epoch microseconds of an aware (or naive UTC) datetime."""
    value = clock.to_utc(value)
    return (value - EPOCH) // _ONE_US


_ONE_US = datetime(1970, 1, 1, 0, 0, 0, 1, tzinfo=UTC) - EPOCH


def dt_of(us: int) -> datetime:
    """The aware UTC datetime of epoch microseconds."""
    return EPOCH + int(us) * _ONE_US


def db_text(t_us: np.ndarray) -> list[str]:
    """Naive UTC text with microseconds for each epoch-µs value (vectorised)."""
    if t_us.size == 0:
        return []
    unique, inverse = np.unique(t_us, return_inverse=True)  # readings share their times
    s = np.datetime_as_string(unique.astype("datetime64[us]"), unit="us")
    codes = s.view(np.uint32).reshape(s.size, -1).copy()
    codes[:, 10] = ord(" ")
    return codes.view(f"<U{codes.shape[1]}").ravel()[inverse].tolist()


def dialect(session: Session) -> str:
    """The session's database kind."""
    return session.get_bind().dialect.name


def sensors_by_code(session: Session, codes: list[str]) -> dict[str, SensorRow]:
    """The sensors a batch names (by the bare driver: thousands of codes a batch)."""
    out: dict[str, SensorRow] = {}
    raw = session.connection().connection.dbapi_connection
    postgres = dialect(session) == "postgresql"
    for i in range(0, len(codes), CHUNK):
        part = codes[i : i + CHUNK]
        cur = raw.cursor()
        try:
            query = (
                "SELECT id, code, kind, jurisdiction_code, valid_min, valid_max, active, hazard_point_id "
                "FROM sensors WHERE code "
            )
            if postgres:  # not prepared: a generic plan tests each row against the array one by one
                cur.execute(query + "= ANY(%s::text[])", [store_pg.array_of(part, quote=True)], prepare=False)
            else:
                cur.execute(query + "IN (" + ", ".join(["?"] * len(part)) + ")", part)
            rows = cur.fetchall()
        finally:
            cur.close()
        for row in rows:
            out[row[1]] = SensorRow._make(row) if postgres else SensorRow(*row[:6], bool(row[6]), row[7])
    return out


def load_states(session: Session, ids: list[int]) -> dict[int, State]:
    """The states of ``ids`` (created if missing), locked until the transaction ends (PostgreSQL;
    SQLite write transactions are serialised already). Locked in id order: no deadlocks."""
    ids = sorted(ids)
    found = _select_states(session, ids)
    missing = [i for i in ids if i not in found]
    if missing:
        ins = (pg_insert if dialect(session) == "postgresql" else sqlite_insert)(SensorState)
        session.execute(
            ins.on_conflict_do_nothing(index_elements=["sensor_id"]),
            [{"sensor_id": i, "readings_total": 0} for i in missing],
        )
        found.update(_select_states(session, missing))
    return found


def _us_column(values: list) -> list[int | None]:
    """Epoch µs of stored times (SQLite gives text, PostgreSQL naive datetimes), None kept."""
    if not values:
        return []
    arr = np.array([v if v is not None else "NaT" for v in values], dtype="datetime64[us]")
    out = arr.astype(np.int64).tolist()
    return [None if v is None else x for v, x in zip(values, out, strict=True)]


def _select_states(session: Session, ids: list[int]) -> dict[int, State]:
    """States by the bare driver (thousands of rows a batch: no ORM or type processing)."""
    out: dict[int, State] = {}
    raw = session.connection().connection.dbapi_connection
    postgres = dialect(session) == "postgresql"
    for i in range(0, len(ids), CHUNK):
        part = ids[i : i + CHUNK]
        if postgres:
            rows = store_pg.select_states(raw, part)
        else:
            cur = raw.cursor()
            try:
                marks = ", ".join(["?"] * len(part))
                cur.execute(
                    "SELECT sensor_id, last_at, last_value, head_bucket, ring, rolled_until "
                    f"FROM sensor_state WHERE sensor_id IN ({marks}) ORDER BY sensor_id",
                    part,
                )
                rows = cur.fetchall()
            finally:
                cur.close()
        if postgres:  # already epoch µs
            last, rolled = [r[1] for r in rows], [r[5] for r in rows]
        else:
            last, rolled = _us_column([r[1] for r in rows]), _us_column([r[5] for r in rows])
        rings = rings_from([r[4] for r in rows])
        for row, at_us, rolled_us, ring in zip(rows, last, rolled, rings, strict=True):
            out[row[0]] = State(
                last_at=at_us, last_value=row[2], head=row[3], ring=ring, rolled_until=rolled_us
            )
    return out


def _times(values: list[int | None]) -> list:
    """µs → the naive UTC text a UTCDateTime column stores on SQLite (and PostgreSQL parses)."""
    known = [v for v in values if v is not None]
    text_of = dict(zip(known, db_text(np.asarray(known, dtype=np.int64)), strict=True))
    return [None if v is None else text_of[v] for v in values]


def save_states(session: Session, states: dict[int, State]) -> None:
    """Write the states back (one statement on PostgreSQL, one executemany on SQLite)."""
    if not states:
        return
    items = list(states.items())
    now_us = us_of(clock.now())
    last = _times([s.last_at for _sid, s in items])
    rolled = _times([s.rolled_until for _sid, s in items])
    raw = session.connection().connection.dbapi_connection
    if dialect(session) == "postgresql":
        [now] = db_text(np.asarray([now_us], dtype=np.int64))
        store_pg.update_states(
            raw,
            [int(sid) for sid, _s in items],
            last,
            [None if s.last_value is None else float(s.last_value) for _sid, s in items],
            [None if s.head is None else int(s.head) for _sid, s in items],
            [s.ring for _sid, s in items],
            [int(s.added) for _sid, s in items],
            rolled,
            now,
        )
        return
    [now] = _times([now_us])
    rows = [
        (at, s.last_value, s.head, s.ring_bytes(), s.added, mark, now, sid)
        for (sid, s), at, mark in zip(items, last, rolled, strict=True)
    ]
    cur = raw.cursor()
    try:
        cur.executemany(
            "UPDATE sensor_state SET last_at = ?, last_value = ?, head_bucket = ?, ring = ?, "
            "readings_total = readings_total + ?, rolled_until = ?, updated_at = ? WHERE sensor_id = ?",
            rows,
        )
    finally:
        cur.close()


def existing(session: Session, sid: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Which (sensor, time) pairs are already stored (a boolean mask); used for late readings only."""
    found = np.zeros(sid.size, dtype=bool)
    if sid.size == 0:
        return found
    ids = sorted(set(sid.tolist()))
    lo, hi = dt_of(int(t.min())), dt_of(int(t.max()))
    rows = session.execute(
        select(Reading.sensor_id, Reading.at).where(
            Reading.sensor_id.in_(ids), Reading.at >= lo, Reading.at <= hi
        )
    ).all()
    if not rows:
        return found
    have = {(int(s), us_of(a)) for s, a in rows}
    return np.array([(int(a), int(b)) in have for a, b in zip(sid.tolist(), t.tolist(), strict=True)])


def insert_readings(session: Session, sid: np.ndarray, t: np.ndarray, v: np.ndarray) -> None:
    """Bulk insert (no per-row checks: the caller has removed repeats and stored pairs)."""
    if sid.size == 0:
        return
    raw = session.connection().connection.dbapi_connection
    if dialect(session) == "postgresql":
        ensure_partitions(session, t)
        store_pg.copy_readings(raw, sid, t, v)
        return
    rows = zip(sid.tolist(), db_text(t), v.tolist(), strict=True)
    cur = raw.cursor()
    try:
        cur.executemany("INSERT OR IGNORE INTO sensor_readings (sensor_id, at, value) VALUES (?, ?, ?)", rows)
    finally:
        cur.close()


# -- PostgreSQL month partitions -----------------------------------------------------------------
_KNOWN_MONTHS: set[tuple[str, int]] = set()


def month_index(t_us: np.ndarray) -> np.ndarray:
    """Months since 1970-01 of each epoch-µs value."""
    return t_us.astype("datetime64[us]").astype("datetime64[M]").astype(np.int64)


def _month_start(index: int) -> datetime:
    return datetime(1970 + index // 12, index % 12 + 1, 1)


def partition_name(index: int) -> str:
    """The name of a month's partition (months since 1970-01)."""
    return f"sensor_readings_{_month_start(index):%Y_%m}"


def existing_partitions(session: Session) -> set[str]:
    """Names of the partitions of sensor_readings."""
    rows = session.execute(
        text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'sensor_readings'"
        )
    ).scalars()
    return set(rows)


def ensure_partitions(session: Session, t_us: np.ndarray | list[int]) -> list[str]:
    """Create the month partitions the times fall in, if missing (PostgreSQL only); returns those made."""
    if dialect(session) != "postgresql" or len(t_us) == 0:
        return []
    db_key = database_url(session)
    months = {int(m) for m in np.unique(month_index(np.asarray(t_us, dtype=np.int64)))}
    wanted = [m for m in sorted(months) if (db_key, m) not in _KNOWN_MONTHS]
    if not wanted:
        return []
    have = existing_partitions(session)
    made = []
    for m in wanted:
        name = partition_name(m)
        if name in have:
            _KNOWN_MONTHS.add((db_key, m))  # only what is committed: a made one may yet roll back
            continue
        start, end = _month_start(m), _month_start(m + 1)
        session.execute(text(f"CREATE SCHEMA IF NOT EXISTS {PARTITION_SCHEMA}"))
        session.execute(
            text(
                f"CREATE TABLE IF NOT EXISTS {PARTITION_SCHEMA}.{name} PARTITION OF sensor_readings "
                f"FOR VALUES FROM ('{start:%Y-%m-%d}') TO ('{end:%Y-%m-%d}')"
            )
        )
        made.append(name)
    return made


def forget_partitions() -> None:
    """Drop the cache of known partitions (after partitions were dropped)."""
    _KNOWN_MONTHS.clear()


# -- rejection counters -------------------------------------------------------------------------
def count_rejections(session: Session, counts: dict[tuple[str, str], dict]) -> None:
    """Add to the per (sensor code, reason) counters: ``{(code, reason): {count, sensor_id,
    jurisdiction_code, sample, source}}``."""
    if not counts:
        return
    now = clock.now()
    ins = (pg_insert if dialect(session) == "postgresql" else sqlite_insert)(Rejection)
    stmt = ins.on_conflict_do_update(
        index_elements=["sensor_code", "reason"],
        set_={
            "count": Rejection.count + ins.excluded.count,
            "last_at": ins.excluded.last_at,
            "last_sample": ins.excluded.last_sample,
            "last_source": ins.excluded.last_source,
        },
    )
    # The code and the sample are whatever a sensor or a client sent (a NUL, which PostgreSQL refuses
    # in text, or a lone surrogate, which no encoder takes, would fail the whole batch): cleaned here,
    # where every rejection of HTTP and MQTT batches is stored.
    rows = [
        {
            "sensor_code": clean(code)[:64],
            "reason": reason,
            "sensor_id": info.get("sensor_id"),
            "jurisdiction_code": info.get("jurisdiction_code"),
            "count": info["count"],
            "first_at": now,
            "last_at": now,
            "last_sample": trimmed(info.get("sample"), 300),
            "last_source": trimmed(info.get("source"), 100),
        }
        for (code, reason), info in sorted(counts.items())
    ]
    for row in rows:
        session.execute(stmt, row)

"""Rollups and retention of readings (run by periodic jobs).

Hourly rollups (UTC hours) are computed per sensor up to the last complete hour; ``sensor_state.
rolled_until`` says how far each sensor is done, and a late reading moves it back so its hour is
rolled again. Daily rollups (Asia/Shanghai days, a fixed +8 h) are summed from the hourly ones. Raw
readings older than the raw window are removed once rolled up: on PostgreSQL by dropping whole month
partitions (so up to a month more is kept), on SQLite by a range delete per sensor. Partitions for the
coming months are created ahead.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import and_, bindparam, func, or_, select, text, update
from sqlalchemy.orm import Session

from yingji.core import clock
from yingji.monitoring import catalog, store
from yingji.monitoring.models import PARTITION_SCHEMA, Reading, SensorState

CHUNK = 500
LOCAL_OFFSET_H = 8  # Asia/Shanghai has no daylight saving time


def hour_floor(at: datetime) -> datetime:
    """The start of the hour of ``at``."""
    return at.replace(minute=0, second=0, microsecond=0)


def _hour_expr(kind: str) -> str:
    if kind == "postgresql":
        return "date_trunc('hour', at)"
    return "strftime('%Y-%m-%d %H:00:00.000000', at)"


def _day_expr(kind: str) -> str:
    h = LOCAL_OFFSET_H
    if kind == "postgresql":
        return f"date_trunc('day', bucket_at + interval '{h} hours') - interval '{h} hours'"
    return f"strftime('%Y-%m-%d %H:%M:%S.000000', date(bucket_at, '+{h} hours'), '-{h} hours')"


UPSERT = (
    "ON CONFLICT (sensor_id, period, bucket_at) DO UPDATE SET "
    "n = excluded.n, min = excluded.min, max = excluded.max, sum = excluded.sum"
)


def roll_hours(session: Session, sensor_ids: list[int], start: datetime, end: datetime) -> int:
    """(Re)compute the hourly rollups of ``sensor_ids`` for [start, end)."""
    kind = store.dialect(session)
    stmt = text(
        f"INSERT INTO reading_rollups (sensor_id, period, bucket_at, n, min, max, sum) "
        f"SELECT sensor_id, 'hour', {_hour_expr(kind)}, count(*), min(value), max(value), sum(value) "
        f"FROM sensor_readings WHERE sensor_id IN :ids AND at >= :start AND at < :end "
        f"GROUP BY sensor_id, {_hour_expr(kind)} {UPSERT}"
    ).bindparams(bindparam("ids", expanding=True))
    return session.execute(stmt, {"ids": sensor_ids, "start": _naive(start), "end": _naive(end)}).rowcount


def roll_days(session: Session, sensor_ids: list[int], start: datetime, end: datetime) -> int:
    """(Re)compute the daily rollups of the local days overlapping [start, end) from the hourly ones."""
    kind = store.dialect(session)
    day_start = _local_day_start(start)
    day_end = _local_day_start(end) + timedelta(days=1)
    stmt = text(
        f"INSERT INTO reading_rollups (sensor_id, period, bucket_at, n, min, max, sum) "
        f"SELECT sensor_id, 'day', {_day_expr(kind)}, sum(n), min(min), max(max), sum(sum) "
        f"FROM reading_rollups WHERE period = 'hour' AND sensor_id IN :ids "
        f"AND bucket_at >= :start AND bucket_at < :end "
        f"GROUP BY sensor_id, {_day_expr(kind)} {UPSERT}"
    ).bindparams(bindparam("ids", expanding=True))
    return session.execute(
        stmt, {"ids": sensor_ids, "start": _naive(day_start), "end": _naive(day_end)}
    ).rowcount


def _local_day_start(at: datetime) -> datetime:
    shifted = at + timedelta(hours=LOCAL_OFFSET_H)
    return shifted.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(hours=LOCAL_OFFSET_H)


def _naive(at: datetime) -> str:
    """Bound as the text UTCDateTime stores on SQLite; PostgreSQL parses it as a timestamp."""
    return clock.to_utc(at).strftime("%Y-%m-%d %H:%M:%S.%f")


def run_rollups(session: Session, now: datetime | None = None, limit: int = 20_000) -> dict[str, int]:
    """Roll every sensor with readings up to the last complete hour (at most ``limit`` sensors a run),
    from its mark, or from its first reading when it was never rolled up."""
    now = now or clock.now()
    end = hour_floor(now)
    rows = session.execute(
        select(SensorState.sensor_id, SensorState.rolled_until)
        .where(
            SensorState.last_at.is_not(None),
            or_(SensorState.rolled_until.is_(None), SensorState.rolled_until < end),
        )
        .order_by(SensorState.sensor_id)
        .limit(limit)
    ).all()
    groups: dict[datetime, list[int]] = defaultdict(list)
    for sid, rolled in rows:
        start = rolled if rolled is not None else _first_reading(session, sid)
        if start is not None:
            groups[hour_floor(start)].append(sid)
    hours = days = 0
    for start, ids in sorted(groups.items()):
        for i in range(0, len(ids), CHUNK):
            part = ids[i : i + CHUNK]
            hours += roll_hours(session, part, start, end)
            days += roll_days(session, part, start, end)
            session.execute(
                update(SensorState)
                .where(
                    SensorState.sensor_id.in_(part),
                    or_(SensorState.rolled_until.is_(None), SensorState.rolled_until < end),
                )
                .values(rolled_until=end)
                .execution_options(synchronize_session=False)
            )
    return {"sensors": len(rows), "hour_rows": hours, "day_rows": days}


def _first_reading(session: Session, sensor_id: int) -> datetime | None:
    """The oldest raw reading of a sensor never rolled up (one index probe)."""
    return session.scalar(select(func.min(Reading.at)).where(Reading.sensor_id == sensor_id))


def run_retention(session: Session, now: datetime | None = None) -> dict[str, int]:
    """Remove raw readings older than the raw window that are rolled up; create partitions ahead."""
    now = now or clock.now()
    cutoff = now - catalog.ingest_settings().raw_retention
    made = store.ensure_partitions(session, _month_starts_us(now, ahead=2))
    if store.dialect(session) == "postgresql":
        dropped = _drop_partitions(session, cutoff)
        return {"partitions_made": len(made), "partitions_dropped": dropped, "rows_deleted": 0}
    rows = session.execute(
        select(SensorState.sensor_id, SensorState.rolled_until).where(SensorState.rolled_until.is_not(None))
    ).all()
    deleted = 0
    for sid, rolled in rows:
        upto = min(cutoff, rolled)
        deleted += session.execute(
            text("DELETE FROM sensor_readings WHERE sensor_id = :sid AND at < :upto"),
            {"sid": sid, "upto": _naive(upto)},
        ).rowcount
    return {"partitions_made": 0, "partitions_dropped": 0, "rows_deleted": deleted}


def _month_starts_us(now: datetime, ahead: int) -> list[int]:
    first = np.datetime64(now.strftime("%Y-%m"), "M")
    months = first + np.arange(ahead + 1)
    return months.astype("datetime64[us]").astype(np.int64).tolist()


def _drop_partitions(session: Session, cutoff: datetime) -> int:
    """Drop month partitions that end before the cutoff and before every sensor's rollup mark."""
    pending = session.scalar(
        select(func.min(SensorState.rolled_until)).where(
            and_(SensorState.last_at.is_not(None), SensorState.rolled_until.is_not(None))
        )
    )
    unrolled = session.scalar(
        select(func.count()).where(SensorState.last_at.is_not(None), SensorState.rolled_until.is_(None))
    )
    limit = cutoff if pending is None else min(cutoff, pending)
    if unrolled:
        return 0
    dropped = 0
    for name in sorted(store.existing_partitions(session)):
        year, month = int(name[-7:-3]), int(name[-2:])
        end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=limit.tzinfo)
        if end <= limit:
            session.execute(text(f"DROP TABLE IF EXISTS {PARTITION_SCHEMA}.{name}"))
            dropped += 1
    if dropped:
        store.forget_partitions()
    return dropped

"""The ingest path shared by the HTTP batch endpoint, the MQTT subscriber, the demo and the bench:
validate → store → update sensor states → evaluate the alarm rules, for a whole batch at once.

Every reading is accepted or rejected with a reason, and rejections are counted per sensor and reason
(``reading_rejections``): unknown_sensor, inactive, out_of_scope, malformed, not_a_number,
out_of_range, future (beyond the clock tolerance), too_old (beyond the raw window), duplicate.
The batch runs in the caller's transaction: readings, states, alarms and their jobs commit together.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, require
from yingji.core import clock
from yingji.monitoring import alarm_rules, alarms, catalog, store, windows
from yingji.monitoring.evaluate import decide
from yingji.monitoring.parse import Parsed
from yingji.monitoring.store import SensorRow, us_of

REASONS = (
    "unknown_sensor",
    "inactive",
    "out_of_scope",
    "malformed",
    "not_a_number",
    "out_of_range",
    "future",
    "too_old",
    "duplicate",
)


@dataclass
class IngestResult:
    accepted: int = 0
    rejected: Counter = field(default_factory=Counter)
    alarms_raised: list[int] = field(default_factory=list)
    alarms_cleared: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        """The answer of the HTTP endpoint and the CLI."""
        return {
            "accepted": self.accepted,
            "rejected": sum(self.rejected.values()),
            "rejected_by_reason": dict(sorted(self.rejected.items())),
            "alarms_raised": len(self.alarms_raised),
            "alarms_cleared": len(self.alarms_cleared),
        }

    def add(self, other: IngestResult) -> None:
        """Sum another batch's result into this one."""
        self.accepted += other.accepted
        self.rejected.update(other.rejected)
        self.alarms_raised += other.alarms_raised
        self.alarms_cleared += other.alarms_cleared


class _Rejections:
    """Per (code, reason) counts with a sample, for the counters table and the result."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.rows: dict[tuple[str, str], dict] = {}

    def add(self, code: str, reason: str, sample: str, sensor: SensorRow | None, principal: Principal, n=1):
        """Count one (or ``n``) rejected reading, keeping the latest sample."""
        row = self.rows.get((code, reason))
        if row is None:
            jur = sensor.jurisdiction_code if sensor else (principal.jurisdiction_code or None)
            row = self.rows[(code, reason)] = {
                "count": 0,
                "sensor_id": sensor.id if sensor else None,
                "jurisdiction_code": jur,
                "source": self.source,
            }
        row["count"] += n
        row["sample"] = sample

    def counter(self) -> Counter:
        """Rejections per reason."""
        out: Counter = Counter()
        for (_code, reason), row in self.rows.items():
            out[reason] += row["count"]
        return out


def _numbers(values: list) -> np.ndarray:
    """Values as float64; anything but an int or a float (a string, a boolean, null) becomes NaN."""
    if set(map(type, values)) <= {int, float}:
        return np.asarray(values, dtype=np.float64)
    return np.fromiter((_number(x) for x in values), dtype=np.float64, count=len(values))


def _number(value) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return math.nan
    return float(value)


def ingest(session: Session, principal: Principal, parsed: Parsed, *, source: str = "api") -> IngestResult:
    """Validate, store and evaluate a batch of parsed readings (one transaction: the caller's)."""
    require(principal, Perm.MONITORING_MANAGE)
    rejects = _Rejections(source)
    for code, reason, sample in parsed.bad:
        rejects.add(code, reason, sample, None, principal)
    result = IngestResult()
    if len(parsed):
        sensors = store.sensors_by_code(session, sorted(set(parsed.codes)))
        batch_rows = _validate(parsed, sensors, principal, rejects)
        if batch_rows is not None:
            _store_and_evaluate(session, batch_rows, sensors, rejects, result, source)
    store.count_rejections(session, rejects.rows)
    result.rejected = rejects.counter()
    return result


def _validate(parsed: Parsed, sensors: dict[str, SensorRow], principal: Principal, rejects: _Rejections):
    n = len(parsed)
    settings = catalog.ingest_settings()
    now_us = us_of(clock.now())
    known = list(sensors.values())
    position = {s.code: i for i, s in enumerate(known)}
    idx = np.fromiter((position.get(c, -1) for c in parsed.codes), dtype=np.int64, count=n)
    t = np.asarray(parsed.t_us, dtype=np.int64)
    v = _numbers(parsed.values)
    # per known sensor, then spread over the readings (index -1 takes the extra last entry)
    ids = np.array([s.id for s in known] + [-1], dtype=np.int64)
    lo_s = np.array([_limit(s, 0) for s in known] + [-math.inf])
    hi_s = np.array([_limit(s, 1) for s in known] + [math.inf])
    off = np.array([not s.active for s in known] + [False])
    outside = np.array([not principal.covers(s.jurisdiction_code) for s in known] + [False])
    sid, lo, hi = ids[idx], lo_s[idx], hi_s[idx]
    reason = np.zeros(n, dtype=np.int8)  # 0 = accepted, else 1 + index in REASONS

    def mark(mask: np.ndarray, name: str) -> None:
        reason[(reason == 0) & mask] = REASONS.index(name) + 1

    mark(idx < 0, "unknown_sensor")
    mark(off[idx], "inactive")
    mark(outside[idx], "out_of_scope")
    mark(~np.isfinite(v), "not_a_number")
    with np.errstate(invalid="ignore"):
        mark((v < lo) | (v > hi), "out_of_range")
    mark(t > now_us + int(settings.future_tolerance.total_seconds() * 1_000_000), "future")
    mark(t < now_us - int(settings.raw_retention.total_seconds() * 1_000_000), "too_old")
    for i in np.flatnonzero(reason).tolist():
        code = parsed.codes[i]
        sample = f'{{"t": {int(t[i])}, "v": {parsed.values[i]!r}}}'[:300]
        row = known[idx[i]] if idx[i] >= 0 else None
        rejects.add(code, REASONS[reason[i] - 1], sample, row, principal)
    ok = reason == 0
    if not ok.any():
        return None
    return sid[ok], t[ok], v[ok]


def _limit(row: SensorRow, side: int) -> float:
    """The plausible range of a sensor: its own limits, else its kind's."""
    own = row.valid_min if side == 0 else row.valid_max
    if own is not None:
        return own
    kind = catalog.sensor_kind(row.kind)
    return float(kind["valid"][side]) if kind else (-math.inf if side == 0 else math.inf)


def _store_and_evaluate(session, batch_rows, sensors, rejects, result: IngestResult, source: str) -> None:
    by_id = {s.id: s for s in sensors.values()}
    sid, t, v = batch_rows
    batch, repeats = windows.sort_unique(sid, t, v)
    for i in repeats.tolist():
        s = by_id[int(sid[i])]
        rejects.add(s.code, "duplicate", f'{{"t": {int(t[i])}}}', s, Principal.system())
    states = store.load_states(session, batch.sensors.tolist())
    ordered = [states[int(s)] for s in batch.sensors.tolist()]
    owner = np.repeat(np.arange(batch.sensors.size), np.diff(np.r_[batch.starts, batch.sid.size]))
    last_at = np.array([s.last_at if s.last_at is not None else -1 for s in ordered], dtype=np.int64)
    late = batch.t <= last_at[owner]
    if late.any():
        stored = np.zeros(batch.sid.size, dtype=bool)
        stored[late] = store.existing(session, batch.sid[late], batch.t[late])
        for i in np.flatnonzero(stored).tolist():
            s = by_id[int(batch.sid[i])]
            rejects.add(s.code, "duplicate", f'{{"t": {int(batch.t[i])}}}', s, Principal.system())
        if stored.any():
            keep = ~stored
            batch = windows.Batch(batch.sid[keep], batch.t[keep], batch.v[keep])
            windows.group(batch)
            ordered = [states[int(s)] for s in batch.sensors.tolist()]
    if batch.sid.size == 0:
        return
    store.insert_readings(session, batch.sid, batch.t, batch.v)
    result.accepted = int(batch.sid.size)
    evaluate_batch(session, batch, ordered, [by_id[int(s)] for s in batch.sensors.tolist()], result, source)
    store.save_states(session, {int(s): st for s, st in zip(batch.sensors.tolist(), ordered, strict=True)})


def evaluate_batch(
    session, batch: windows.Batch, states, sensor_rows: list[SensorRow], result, source
) -> None:
    """Metrics of the batch → rule decisions → alarms (states are updated in place)."""
    value, rate = windows.value_and_rate(batch, states)
    rain = np.array(
        [(catalog.sensor_kind(s.kind) or {}).get("accumulates", False) for s in sensor_rows], bool
    )
    metrics = {"value": value, "rate_h": rate}
    if rain.any():
        metrics |= windows.sums(batch, states, rain)
    book = alarm_rules.book(session)
    sensor_rules = [book.for_sensor(s.kind, s.hazard_point_id, s.jurisdiction_code) for s in sensor_rows]
    if not any(sensor_rules):
        return
    open_now = alarms.open_for(session, [s.id for s, r in zip(sensor_rows, sensor_rules, strict=True) if r])
    decisions = decide(book, sensor_rules, metrics, open_now, batch.sensors)
    applied = alarms.apply(session, book, decisions, sensor_rows, source)
    result.alarms_raised += applied.raised
    result.alarms_cleared += applied.cleared

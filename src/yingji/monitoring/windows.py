"""The metrics alarm rules watch, computed per batch with numpy (no I/O): the value, the rate of change
per hour between consecutive readings, and the rain sums over sliding 1 h / 3 h / 24 h windows.

State per sensor: the latest reading (time, value) and, for accumulating kinds, a ring of 288 five-minute
sums ending at ``head`` (bucket number = epoch seconds // 300). A batch updates the states and yields,
per sensor and metric, the extreme reached during the batch (``hi``/``lo`` with their times: what raises
an alarm) and the current value (what clears it). Windows are evaluated at 5-minute resolution.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from yingji.monitoring.catalog import BUCKET_S, RING, WINDOWS

US = 1_000_000
BUCKET_US = BUCKET_S * US
HOUR_US = 3600 * US
DECIMALS = 3  # window sums in mm: rain gauges resolve 0.1 mm; float sums are rounded to 0.001 mm


@dataclass
class State:
    """One sensor's state between batches (times in epoch microseconds)."""

    last_at: int | None = None
    last_value: float | None = None
    head: int | None = None
    ring: np.ndarray | None = None
    added: int = 0
    rolled_until: int | None = None  # hourly rollups are complete before this
    oldest_new: int | None = None  # the oldest reading added by this batch

    def note_added(self, oldest: int) -> None:
        """A reading older than the rollups' mark moves the mark back to its hour (re-rolled)."""
        self.oldest_new = oldest if self.oldest_new is None else min(self.oldest_new, oldest)
        if self.rolled_until is not None and oldest < self.rolled_until:
            self.rolled_until = oldest - oldest % HOUR_US

    def ring_bytes(self) -> bytes | None:
        """Stored as float32 (1,152 bytes): rain sums need no more than 0.001 mm."""
        return None if self.ring is None else self.ring.astype("<f4").tobytes()

    @staticmethod
    def ring_from(data: bytes | None) -> np.ndarray | None:
        """The stored ring as float64, or None (none stored, or of another size)."""
        if not data:
            return None
        ring = np.frombuffer(bytes(data), dtype="<f4").astype(np.float64)
        return ring if ring.size == RING else None


def rings_from(blobs: list) -> list[np.ndarray | None]:
    """``State.ring_from`` of many stored rings, decoded in one go (thousands a batch)."""
    width = RING * 4
    good = [i for i, b in enumerate(blobs) if b is not None and len(b) == width]
    out: list[np.ndarray | None] = [None] * len(blobs)
    if good:
        block = np.frombuffer(b"".join(bytes(blobs[i]) for i in good), dtype="<f4").astype(np.float64)
        for row, i in zip(block.reshape(len(good), RING), good, strict=True):
            out[i] = row
    return out


@dataclass
class Metric:
    """Per sensor (aligned with ``Batch.sensors``): extremes during the batch and the current value."""

    hi: np.ndarray
    hi_at: np.ndarray
    lo: np.ndarray
    lo_at: np.ndarray
    current: np.ndarray
    valid: np.ndarray  # the metric exists for this sensor in this batch


@dataclass
class Batch:
    """Accepted readings sorted by (sensor, time), one per (sensor, time)."""

    sid: np.ndarray
    t: np.ndarray
    v: np.ndarray
    sensors: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    starts: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))


def sort_unique(sid: np.ndarray, t: np.ndarray, v: np.ndarray) -> tuple[Batch, np.ndarray]:
    """Sort by (sensor, time) and keep the first of repeated (sensor, time); returns the batch and
    the indexes (into the input) of the repeats."""
    order = np.lexsort((np.arange(sid.size), t, sid))
    sid, t, v = sid[order], t[order], v[order]
    repeat = np.zeros(sid.size, dtype=bool)
    if sid.size > 1:
        repeat[1:] = (sid[1:] == sid[:-1]) & (t[1:] == t[:-1])
    keep = ~repeat
    batch = Batch(sid[keep], t[keep], v[keep])
    group(batch)
    return batch, order[repeat]


def group(batch: Batch) -> None:
    """Fill ``sensors`` (distinct, sorted) and ``starts`` (index of each sensor's first reading)."""
    if batch.sid.size == 0:
        batch.sensors, batch.starts = np.empty(0, np.int64), np.empty(0, np.int64)
        return
    starts = np.flatnonzero(np.r_[True, batch.sid[1:] != batch.sid[:-1]])
    batch.sensors, batch.starts = batch.sid[starts], starts


def _empty(n: int) -> Metric:
    nan = np.full(n, np.nan)
    zero = np.zeros(n, dtype=np.int64)
    return Metric(nan.copy(), zero.copy(), nan.copy(), zero.copy(), nan.copy(), np.zeros(n, dtype=bool))


def _segments(owner: np.ndarray) -> np.ndarray:
    """Start index of each run of equal owners (owners sorted)."""
    return np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])


def _first_where(hit: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Per segment, the first index where ``hit`` is true (the segment's extreme: always one)."""
    index = np.where(hit, np.arange(hit.size), hit.size)
    return np.minimum.reduceat(index, starts)


def _reduce_extremes(m: Metric, owner: np.ndarray, values: np.ndarray, times: np.ndarray) -> None:
    """Per-owner max and min of ``values`` with the time of the first reading reaching each, in one
    pass over owners sorted and contiguous (as a batch is)."""
    if values.size == 0:
        return
    starts = _segments(owner)
    lengths = np.diff(np.r_[starts, owner.size])
    who = owner[starts]
    hi = np.maximum.reduceat(values, starts)
    lo = np.minimum.reduceat(values, starts)
    at_hi = times[_first_where(values == np.repeat(hi, lengths), starts)]
    at_lo = times[_first_where(values == np.repeat(lo, lengths), starts)]
    m.hi[who], m.hi_at[who], m.lo[who], m.lo_at[who] = hi, at_hi, lo, at_lo
    m.valid[who] = True


def value_and_rate(batch: Batch, states: list[State]) -> tuple[Metric, Metric]:
    """The value metric and the rate per hour; readings not newer than the state's last one (late
    arrivals) count for the value extremes but not for the rate. Updates each state's last reading."""
    n = batch.sensors.size
    owner = np.repeat(np.arange(n), np.diff(np.r_[batch.starts, batch.sid.size]))
    value, rate = _empty(n), _empty(n)
    _reduce_extremes(value, owner, batch.v, batch.t)
    last_at = np.array([s.last_at if s.last_at is not None else -1 for s in states], dtype=np.int64)
    last_v = np.array([s.last_value if s.last_value is not None else np.nan for s in states])
    newer = batch.t > last_at[owner]
    o, t, v = owner[newer], batch.t[newer], batch.v[newer]
    if o.size:
        # predecessor of each newer reading: the sensor's previous newer reading, else its state
        first = np.r_[True, o[1:] != o[:-1]]
        prev_t = np.where(first, last_at[o], np.r_[-1, t[:-1]])
        prev_v = np.where(first, last_v[o], np.r_[np.nan, v[:-1]])
        ok = (prev_t >= 0) & ~np.isnan(prev_v) & (t > prev_t)
        rates = np.round((v[ok] - prev_v[ok]) / ((t[ok] - prev_t[ok]) / HOUR_US), 9)
        _reduce_extremes(rate, o[ok], rates, t[ok])
        if ok.any():
            last_rate = np.flatnonzero(np.r_[o[ok][1:] != o[ok][:-1], True])
            rate.current[o[ok][last_rate]] = rates[last_rate]
        last_idx = np.flatnonzero(np.r_[o[1:] != o[:-1], True])
        value.current[o[last_idx]] = v[last_idx]
        for i, at, val in zip(o[last_idx].tolist(), t[last_idx].tolist(), v[last_idx].tolist(), strict=True):
            states[i].last_at, states[i].last_value = at, val
    stale = np.isnan(value.current)  # only late readings in this batch: the state's value stands
    value.current[stale] = last_v[stale]
    counts = np.bincount(owner, minlength=n).tolist()
    for s, count, oldest in zip(states, counts, batch.t[batch.starts].tolist(), strict=True):
        s.added += count
        s.note_added(oldest)
    return value, rate


def advance(state: State, head: int) -> None:
    """Move a ring forward to end at bucket ``head`` (new buckets are empty)."""
    if state.ring is None or state.head is None:
        state.ring, state.head = np.zeros(RING), head
        return
    shift = head - state.head
    if shift <= 0:
        return
    if shift >= RING:
        state.ring = np.zeros(RING)
    else:
        state.ring = np.r_[state.ring[shift:], np.zeros(shift)]
    state.head = head


def sums(batch: Batch, states: list[State], rain: np.ndarray) -> dict[str, Metric]:
    """Sliding-window sums for the sensors flagged in ``rain`` (aligned with batch.sensors): adds the
    readings into their rings and evaluates every window end from the oldest bucket the batch touched,
    all sensors at once as an (m × 288) array."""
    n = batch.sensors.size
    out = {name: _empty(n) for name in WINDOWS}
    rows = np.flatnonzero(rain)
    if rows.size == 0:
        return out
    m = rows.size
    owner = np.repeat(np.arange(n), np.diff(np.r_[batch.starts, batch.sid.size]))
    sel = rain[owner]
    row_of = np.full(n, -1, dtype=np.int64)
    row_of[rows] = np.arange(m)
    k, b, v, t = row_of[owner[sel]], batch.t[sel] // BUCKET_US, batch.v[sel], batch.t[sel]
    starts = _segments(k)
    old_head = np.array(
        [states[i].head if states[i].ring is not None and states[i].head is not None else -1 for i in rows],
        dtype=np.int64,
    )
    head = np.maximum(old_head, np.maximum.reduceat(b, starts))
    ring = np.zeros((m, RING))
    shift = np.where(old_head >= 0, head - old_head, RING)
    for step in np.unique(shift).tolist():  # usually one shift for all: the batch's time step
        if step >= RING:
            continue
        group = np.flatnonzero(shift == step)
        old = np.concatenate([states[i].ring for i in rows[group].tolist()]).reshape(group.size, RING)
        if group.size == m:
            ring[:, : RING - step] = old[:, step:]
        else:
            ring[group, : RING - step] = old[:, step:]
    pos = RING - 1 - (head[k] - b)
    inside = pos >= 0
    np.add.at(ring.reshape(-1), k[inside] * RING + pos[inside], v[inside])
    first = np.minimum.reduceat(np.where(inside, pos, RING - 1), starts)
    newest = np.maximum.reduceat(t, starts)
    cs = np.empty((m, RING + 1))
    cs[:, 0] = 0.0
    np.cumsum(ring, axis=1, out=cs[:, 1:])
    ends = np.arange(int(first.min()), RING)  # only window ends some sensor's batch touched
    touched = ends[None, :] >= first[:, None]
    every = np.arange(m)
    for name, w in WINDOWS.items():
        totals = np.round(cs[:, ends + 1] - cs[:, np.maximum(ends + 1 - w, 0)], DECIMALS)
        k_hi = np.argmax(np.where(touched, totals, -np.inf), axis=1)
        k_lo = np.argmin(np.where(touched, totals, np.inf), axis=1)
        j_hi, j_lo = ends[k_hi], ends[k_lo]
        metric = out[name]
        metric.hi[rows], metric.lo[rows] = totals[every, k_hi], totals[every, k_lo]
        metric.hi_at[rows] = np.minimum((head - (RING - 1 - j_hi) + 1) * BUCKET_US - 1, newest)
        metric.lo_at[rows] = np.minimum((head - (RING - 1 - j_lo) + 1) * BUCKET_US - 1, newest)
        metric.current[rows] = np.round(cs[:, RING] - cs[:, RING - w], DECIMALS)
        metric.valid[rows] = True
    for state, row, h in zip([states[i] for i in rows.tolist()], ring, head.tolist(), strict=True):
        state.ring, state.head = row, h
    return out


def current_sums(state: State, now_us: int) -> dict[str, float]:
    """The window sums ending now (the ring advanced to now's bucket): what the sweep clears by."""
    if state.ring is None:
        return {}
    advance(state, max(now_us // BUCKET_US, state.head or 0))
    return {name: round(float(state.ring[RING - w :].sum()), DECIMALS) for name, w in WINDOWS.items()}

"""PostgreSQL side of the ingest's bulk statements, built so that a batch of 10,000 readings costs a few
round trips and little Python per row (issue 17: ≥ 100,000 readings/s through the service).

- readings go in by ``COPY … (FORMAT BINARY)``: the rows are laid out by numpy in one buffer, and the
  server parses no text (timestamps in text are the dearest part of a text ``COPY``);
- sensor states are written back by one ``UPDATE … FROM unnest(…)`` instead of one ``UPDATE`` per
  sensor; the arrays travel as array literals (psycopg adapts a list element by element in Python)
  and the rings as one ``bytea`` sliced on the server (a ``bytea[]`` of 2,000 rings costs ~50 ms);
- states are read in binary (the rings arrive as bytes, not hex; times as epoch µs, no datetimes).
"""

from __future__ import annotations

import numpy as np
from psycopg.adapt import Loader
from psycopg.pq import Format

PG_EPOCH_US = 946_684_800_000_000  # 2000-01-01, the origin of PostgreSQL's binary timestamps
COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
COPY_TRAILER = (-1).to_bytes(2, "big", signed=True)
_ROW = np.dtype(
    [
        ("fields", ">i2"),
        ("len_sid", ">i4"),
        ("sid", ">i8"),
        ("len_at", ">i4"),
        ("at", ">i8"),
        ("len_value", ">i4"),
        ("value", ">f8"),
    ]
)


def copy_body(sid: np.ndarray, t_us: np.ndarray, v: np.ndarray) -> bytes:
    """The binary COPY stream of (sensor_id bigint, at timestamp, value float8) rows."""
    rows = np.empty(sid.size, dtype=_ROW)
    rows["fields"] = 3
    rows["len_sid"] = rows["len_at"] = rows["len_value"] = 8
    rows["sid"] = sid
    rows["at"] = t_us - PG_EPOCH_US
    rows["value"] = v
    return COPY_HEADER + rows.tobytes() + COPY_TRAILER


def copy_readings(raw, sid: np.ndarray, t_us: np.ndarray, v: np.ndarray) -> None:
    """Bulk insert readings (the caller made their partitions and removed stored pairs)."""
    with (
        raw.cursor() as cur,
        cur.copy("COPY sensor_readings (sensor_id, at, value) FROM STDIN (FORMAT BINARY)") as copy,
    ):
        copy.write(copy_body(sid, t_us, v))


def array_of(values: list, quote: bool = False) -> str:
    """A PostgreSQL array literal (None → NULL). ``quote`` for text elements: double-quoted with
    backslash escapes, so any code a client sent stays one element."""
    if quote:
        items = ('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values)
    elif None in values:
        items = ("NULL" if v is None else repr(v) for v in values)
    else:
        items = map(repr, values)
    return "{" + ",".join(items) + "}"


SELECT_STATES = (
    "SELECT sensor_id, last_at, last_value, head_bucket, ring, rolled_until FROM sensor_state "
    "WHERE sensor_id = ANY(%s::bigint[]) ORDER BY sensor_id FOR UPDATE"
)


class _MicrosLoader(Loader):
    """A binary ``timestamp`` as epoch microseconds (no datetime made, none converted back)."""

    format = Format.BINARY

    def load(self, data) -> int:
        return int.from_bytes(data, "big", signed=True) + PG_EPOCH_US


def select_states(raw, ids: list[int]) -> list[tuple]:
    """State rows of ``ids`` locked in id order (binary: the rings arrive as bytes, undecoded; the
    times as epoch microseconds)."""
    with raw.cursor(binary=True) as cur:
        cur.adapters.register_loader("timestamp", _MicrosLoader)
        cur.execute(SELECT_STATES, [array_of(ids)])
        return cur.fetchall()


UPDATE_STATES = (
    "UPDATE sensor_state AS s SET last_at = v.last_at, last_value = v.last_value, "
    "head_bucket = v.head, ring = substring(%(rings)b::bytea FROM v.ring_at + 1 FOR v.ring_len), "
    "readings_total = s.readings_total + v.added, rolled_until = v.rolled, updated_at = %(now)s "
    "FROM unnest(%(sid)s::bigint[], %(last_at)s::timestamp[], %(last_value)s::float8[], "
    "%(head)s::bigint[], %(ring_at)s::int[], %(ring_len)s::int[], %(added)s::bigint[], "
    "%(rolled)s::timestamp[]) AS v(sensor_id, last_at, last_value, head, ring_at, ring_len, added, rolled) "
    "WHERE s.sensor_id = v.sensor_id"
)


def update_states(
    raw,
    sids: list[int],
    last_at: list,
    last_value: list,
    heads: list,
    rings: list,
    added: list[int],
    rolled: list,
    now: str,
) -> None:
    """Write the states back in one statement. Times are the naive UTC text ``store.db_text`` makes
    (or None); a ring is a float array (stored as float32, ``State.ring_bytes``) or None."""
    present = [r for r in rings if r is not None]
    lengths = [None if r is None else r.size * 4 for r in rings]
    at, pos = [], 0
    for n in lengths:  # where each ring starts in the one bytea of them all
        at.append(None if n is None else pos)
        pos += n or 0
    params = {
        "sid": array_of(sids),
        "last_at": _times(last_at),
        "last_value": array_of(last_value),
        "head": array_of(heads),
        "ring_at": array_of(at),
        "ring_len": array_of(lengths),
        "added": array_of(added),
        "rolled": _times(rolled),
        "rings": np.concatenate(present).astype("<f4").tobytes() if present else b"",
        "now": now,
    }
    with raw.cursor() as cur:
        cur.execute(UPDATE_STATES, params)


def _times(values: list) -> str:
    """An array literal of timestamps given as text, None → NULL."""
    return "{" + ",".join("NULL" if v is None else f'"{v}"' for v in values) + "}"

"""The pieces of the PostgreSQL bulk statements that need no server: array literals, the binary COPY
stream and the rings decoded at once."""

from __future__ import annotations

import struct

import numpy as np

from yingji.monitoring import store_pg, windows
from yingji.monitoring.catalog import RING
from yingji.monitoring.store import us_of
from yingji.monitoring.windows import State


def test_array_literals_keep_each_text_element_whole_and_numbers_exact():
    assert store_pg.array_of(['a"b', "c\\d", "e,f}"], quote=True) == '{"a\\"b","c\\\\d","e,f}"}'
    assert store_pg.array_of([1, None, 0.1]) == "{1,NULL,0.1}"


def test_the_binary_copy_stream_holds_each_row_as_postgresql_reads_it():
    from datetime import UTC, datetime

    at = us_of(datetime(2026, 7, 1, 8, 30, 0, 123456, tzinfo=UTC))
    body = store_pg.copy_body(np.array([7, 8]), np.array([at, at + 1]), np.array([1.5, -2.0]))
    assert body.startswith(b"PGCOPY\n\xff\r\n\x00") and body.endswith(b"\xff\xff")
    first = body[19 : 19 + 38]
    fields, l1, sid, l2, t, l3, v = struct.unpack(">hiqiqid", first)
    assert (fields, l1, l2, l3, sid, v) == (3, 8, 8, 8, 7, 1.5)
    pg_epoch = datetime(2000, 1, 1, tzinfo=UTC)
    assert t == (datetime(2026, 7, 1, 8, 30, 0, 123456, tzinfo=UTC) - pg_epoch).total_seconds() * 1e6
    assert len(body) == 19 + 2 * 38 + 2


def test_rings_decoded_at_once_match_one_by_one():
    a = State(ring=np.arange(RING, dtype=np.float64)).ring_bytes()
    blobs = [a, None, b"", a[:-4], a]
    got = windows.rings_from(blobs)
    want = [State.ring_from(b) for b in blobs]
    assert [g is None for g in got] == [w is None for w in want]
    assert all(np.array_equal(g, w) for g, w in zip(got, want, strict=True) if w is not None)

"""The app's garbage-collector settings let cyclic garbage go: the old tuning (gen-0 threshold 50,000,
thresholds 20 and 100 above it) ran a full collection only every ~100 million allocations, so a
workbook that had lived through a long export (promoted to the oldest generation) stayed in memory
after it was dropped: 560 MB per whole-city export, never freed. Memory itself is measured in
bench/resilience_exports.py; this checks the mechanism, without timing."""

from __future__ import annotations

import gc
import weakref

from fastapi.testclient import TestClient

from yingji.app import create_app


class Node:
    def __init__(self) -> None:
        self.other = self  # a cycle: only the collector frees it


def test_old_cyclic_garbage_is_collected_while_the_app_runs(city):
    with TestClient(create_app(city.db.settings, city.db, start_worker=False)):
        old = Node()
        gone = weakref.ref(old)
        gc.collect(1)  # survive the young generations, as a workbook built over a minute does
        del old
        for _ in range(40):  # more work like it: structures that live a while, then go
            batch = [Node() for _ in range(50_000)]
            del batch
        assert gone() is None
        assert gc.get_freeze_count() > 0  # what existed at start-up stays frozen (page latency)

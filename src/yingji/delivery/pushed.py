"""Warning coverage pushed to the live page: at most one ``warning.coverage`` event per warning and
second and town, the first of a burst at once, the last one never lost.

During a send or a wave of acknowledgements coverage moves hundreds of times a second; a page
only needs to know "it moved". The first change of a second is published in its own transaction;
the others of that second leave one job (deduplicated by dispatch and second, so across processes
too) due at the next second, which publishes the state then. An acknowledgement is pushed at the town
of the person who acknowledged (so a county or town officer watching a city-wide warning's page hears
of their own area's progress), a send batch at the warning's own place."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from yingji.core import clock
from yingji.delivery.models import Dispatch
from yingji.events import publish
from yingji.jobs import queue

JOB = "delivery.coverage_event"
THROTTLE_S = 1.0
TOWN = 9  # significant digits of a town code
_last: dict[tuple[int, str], float] = {}
_lock = threading.Lock()


def coverage_changed(session: Session, dispatch_id: int, place: str | None = None) -> None:
    """Coverage of a dispatch moved (at ``place``: an acknowledging person's jurisdiction)."""
    code = (place or "")[:TOWN]
    now = time.monotonic()
    with _lock:
        first = now - _last.get((dispatch_id, code), -THROTTLE_S) >= THROTTLE_S
        if first:
            _last[(dispatch_id, code)] = now
            if len(_last) > 10_000:  # old warnings: forget them
                _last.clear()
    if first:
        publish_coverage(session, dispatch_id, code)
        return
    second = int(clock.now().timestamp()) + 1
    due = datetime.fromtimestamp(second, UTC)
    key = f"{JOB}:{dispatch_id}:{code}:{second}"
    queue.enqueue(session, JOB, {"dispatch_id": dispatch_id, "place": code}, due_at=due, dedupe_key=key)


def publish_coverage(session: Session, dispatch_id: int, place: str = "") -> None:
    d = session.get(Dispatch, dispatch_id)
    if d is not None:
        ids = {"warning_id": d.warning_id, "root_warning_id": d.root_warning_id, "dispatch_id": d.id}
        code = place if place.startswith(d.jurisdiction_code) else d.jurisdiction_code
        publish(session, "warning.coverage", code, ids, once=f"{d.id}:{code}")

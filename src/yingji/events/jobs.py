"""Job: prune the event log. A browser away longer than the retention reloads its page anyway.

Setting: ``YINGJI_EVENT_KEEP_HOURS`` (default 24): events older than this are deleted, hourly."""

from __future__ import annotations

import os
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from yingji.core import clock
from yingji.events.models import EventLog
from yingji.jobs.registry import JobContext, handler

DEFAULT_KEEP_HOURS = 24


def keep_hours() -> float:
    try:
        return max(float(os.environ.get("YINGJI_EVENT_KEEP_HOURS", DEFAULT_KEEP_HOURS)), 0.0)
    except ValueError:
        return DEFAULT_KEEP_HOURS


def prune(session: Session, keep: timedelta | None = None) -> int:
    cutoff = clock.now() - (keep if keep is not None else timedelta(hours=keep_hours()))
    return session.execute(delete(EventLog).where(EventLog.created_at < cutoff)).rowcount or 0


@handler("events.prune", period=timedelta(hours=1), max_attempts=3)
def prune_job(session: Session, ctx: JobContext) -> None:
    prune(session)

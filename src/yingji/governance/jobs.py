"""Work-task jobs: once a day, the sweep (``supervision.sweep``): reminders for measures at risk,
督办 for overdue ones, escalation of notices left unanswered."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy.orm import Session

from yingji.governance import supervision
from yingji.jobs.registry import JobContext, handler

log = logging.getLogger("yingji.governance")


@handler("governance.sweep", period=timedelta(days=1), max_attempts=3)
def governance_sweep(session: Session, ctx: JobContext) -> None:
    done = supervision.sweep(session)
    if any(done.values()):
        log.info("work tasks: %s", done)

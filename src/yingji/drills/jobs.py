"""Job handlers of drills: the daily reminders (a drill coming up, follow-ups due or overdue)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

import yingji.plans.models  # noqa: F401 (a worker process resolves DrillPlan.plan)
from yingji.config import load_settings
from yingji.core import clock
from yingji.drills import reminders
from yingji.jobs.registry import JobContext, handler


@handler("drills.remind", period=timedelta(hours=6), max_attempts=3)
def remind(session: Session, ctx: JobContext) -> None:
    """Each message lands once per drill or problem and day, so running every six hours is safe."""
    today = clock.to_local(clock.now()).date()
    reminders.run(session, today, reminders.days_of(load_settings()))

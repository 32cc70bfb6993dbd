"""The escalation auditor shared by the frozen escalations (warning delivery, response tasks): a
pending step whose due time passed a grace ago and whose job is gone or ended without running it gets
a new job, at most ``max_repairs`` times; then the caller gives it up (stalled, failed)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.core import clock
from yingji.jobs.models import ALIVE, Job

BATCH = 1000  # the rest waits for the next round


def repair_steps(
    session: Session,
    step_model,
    *,
    grace: timedelta,
    max_repairs: int,
    requeue: Callable[[object, datetime], None],
    give_up: Callable[[object], None],
) -> tuple[int, int]:
    """(repaired, given up). ``step_model`` has ``state``, ``due_at``, ``job_id`` and ``repairs``;
    ``requeue(step, now)`` enqueues its new job, after ``repairs`` was counted up."""
    now = clock.now()
    rows = session.execute(
        select(step_model, Job.state)
        .outerjoin(Job, Job.id == step_model.job_id)
        .where(step_model.state == "pending", step_model.due_at < now - grace)
        .order_by(step_model.due_at)
        .limit(BATCH)
        .with_for_update(of=step_model, skip_locked=True)
    ).all()
    repaired = given_up = 0
    for step, job_state in rows:
        if job_state in ALIVE:
            continue  # alive, only late: the worker is behind
        if step.repairs >= max_repairs:
            give_up(step)
            given_up += 1
            continue
        step.repairs += 1
        requeue(step, now)
        repaired += 1
    return repaired, given_up

"""Housekeeping jobs every installation runs."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from yingji.core import clock
from yingji.jobs.models import Job, JobState
from yingji.jobs.registry import JobContext, handler

KEEP_FINISHED_JOBS = timedelta(days=30)


@handler("jobs.prune", period=timedelta(hours=6), max_attempts=3)
def prune_finished_jobs(session: Session, ctx: JobContext) -> None:
    """Finished jobs are kept a month for inspection, then deleted."""
    cutoff = clock.now() - KEEP_FINISHED_JOBS
    session.execute(
        delete(Job).where(Job.state.in_((JobState.DONE, JobState.CANCELLED)), Job.finished_at < cutoff)
    )


@handler("auth.prune_sessions", period=timedelta(hours=1), max_attempts=3)
def prune_expired_sessions(session: Session, ctx: JobContext) -> None:
    from yingji.auth.models import UserSession

    session.execute(delete(UserSession).where(UserSession.expires_at < clock.now()))

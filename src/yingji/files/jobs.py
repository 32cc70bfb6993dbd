"""Job handlers of file jobs: write a large export, apply a large import, expire old files."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from yingji.files import service, work
from yingji.jobs.registry import JobContext, handler

# Long enough for a whole-city export; an import's time limit is capped below it
# (service.MAX_TIME_LIMIT_S), so the lease never runs out under a job that is still working.
LEASE_S = 600


@handler(service.EXPORT_JOB, max_attempts=3, backoff_base_s=30, lease_s=LEASE_S)
def export(session: Session, ctx: JobContext) -> None:
    work.run_export(session, int(ctx.payload["file_job_id"]))


@handler(service.IMPORT_JOB, max_attempts=3, backoff_base_s=30, lease_s=LEASE_S)
def import_(session: Session, ctx: JobContext) -> None:
    limit = float(ctx.payload.get("time_limit_s", service.DEFAULTS["import_time_limit_s"]))
    work.run_import(session, int(ctx.payload["file_job_id"]), limit)


@handler("files.expire", period=timedelta(hours=1), max_attempts=3)
def expire(session: Session, ctx: JobContext) -> None:
    """Delete the files whose time is up, and files no job refers to."""
    service.expire(session)

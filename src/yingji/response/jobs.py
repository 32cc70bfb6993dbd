"""Response jobs: escalation steps, the escalation auditor, investigation deadlines and their sweep.
Each re-checks its rows under lock and does nothing when there is nothing left to do."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy.orm import Session

from yingji.jobs.registry import JobContext, handler
from yingji.response import escalation, investigation

log = logging.getLogger("yingji.response")


@handler(escalation.STEP_JOB, max_attempts=5, backoff_base_s=30)
def run_escalation_step(session: Session, ctx: JobContext) -> None:
    """One frozen escalation step of a task (remind, tell the superior, tell the commander)."""
    escalation.run_step(session, int(ctx.payload["step_id"]))


@handler("response.escalation_audit", period=timedelta(minutes=5), max_attempts=3)
def audit_escalations(session: Session, ctx: JobContext) -> None:
    """Repair escalation steps whose job vanished or ended without running them."""
    result = escalation.audit(session)
    if any(result.values()):
        log.warning("escalation auditor: %s", result)


@handler("response.investigation_due", max_attempts=5, backoff_base_s=60)
def investigation_due(session: Session, ctx: JobContext) -> None:
    """Remind before, and flag at, the investigation-report deadline of a production-safety accident."""
    p = ctx.payload
    investigation.run_due(session, int(p["investigation_id"]), p["kind"], p["due"])


@handler("response.investigation_sweep", period=timedelta(hours=1), max_attempts=3)
def investigation_sweep(session: Session, ctx: JobContext) -> None:
    """Start the deadline of production-safety accidents that no response action has touched yet."""
    investigation.sweep(session)

"""Deadline timers are rows: each reporting deadline has a job at its due time that re-checks the
deadline under lock and, if it is still open, marks it overdue and tells the receiving level."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.core import clock
from yingji.core.i18n import N_
from yingji.events import publish
from yingji.incidents import notices, timeline
from yingji.incidents.codes import DeadlineState
from yingji.incidents.deadlines import DUE_JOB, level_name, lock_deadline, zh
from yingji.incidents.models import ReportingDeadline
from yingji.incidents.reports import lock
from yingji.jobs.registry import JobContext, handler


@handler(DUE_JOB, max_attempts=8, backoff_base_s=30.0)
def deadline_due(session: Session, ctx: JobContext) -> None:
    """Mark one deadline overdue if nobody met it in time (idempotent: a rerun finds it marked)."""
    deadline_id = int(ctx.payload["deadline_id"])
    incident_id = session.scalar(
        select(ReportingDeadline.incident_id).where(ReportingDeadline.id == deadline_id)
    )
    if incident_id is None:
        return
    incident = lock(session, incident_id)  # the incident first: the same lock order as reports
    deadline = lock_deadline(session, deadline_id)
    now = clock.now()
    if (
        incident is None
        or deadline is None
        or deadline.state != DeadlineState.OPEN
        or deadline.overdue_at is not None
    ):
        return
    if deadline.due_at > now:  # not due yet (the clock moved back in a test): nothing to do now
        return
    deadline.overdue_at = now
    timeline.record(
        session,
        incident,
        "deadline",
        zh(
            N_("Report to the {level} is overdue (due {due})."),
            level=level_name(deadline.to_level),
            due=_local(deadline),
        ),
        {"deadline_id": deadline.id, "state": "overdue"},
    )
    notices.overdue(session, incident, deadline)
    publish(
        session,
        "deadline.overdue",
        incident.jurisdiction_code,
        {
            "incident_id": incident.id,
            "deadline_id": deadline.id,
            "to_level": deadline.to_level,
            "title": incident.title,
        },
    )


def _local(deadline: ReportingDeadline) -> str:
    return clock.to_local(deadline.due_at).strftime("%m-%d %H:%M")

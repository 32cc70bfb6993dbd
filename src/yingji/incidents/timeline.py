"""Writing the incident timeline: every flow that changes an incident records what happened."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from yingji.auth.audit import actor_of
from yingji.core import clock
from yingji.events import publish
from yingji.incidents.models import Incident, TimelineEvent

# Timeline kinds whose flows push an event of their own (report.*, deadline.overdue); tasks are
# pushed as task.changed; every other change of an incident (status, grade, receipt, merge, response
# level …) as one incident.changed per transaction.
OWN_EVENTS = frozenset({"report", "deadline"})


def record(
    session: Session, incident: Incident, kind: str, summary: str, data: dict[str, Any] | None = None
) -> TimelineEvent:
    """Append an event in the caller's transaction; the actor is the session's."""
    actor = actor_of(session)
    event = TimelineEvent(
        incident_id=incident.id,
        at=clock.now(),
        kind=kind,
        summary=summary,
        data=data,
        actor=actor.display or actor.name,
        actor_id=actor.user_id,
        jurisdiction_code=incident.jurisdiction_code,
    )
    session.add(event)
    if kind == "task":  # response tasks are written through here: assigned, moved, escalated
        task = {
            "incident_id": incident.id,
            "task_id": (data or {}).get("task_id"),
            "state": (data or {}).get("state"),
        }
        publish(session, "task.changed", incident.jurisdiction_code, task)
    elif kind not in OWN_EVENTS:
        publish(
            session,
            "incident.changed",
            incident.jurisdiction_code,
            {"incident_id": incident.id},
            once=str(incident.id),
        )
    return event

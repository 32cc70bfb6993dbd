"""Writing the incident timeline: every flow that changes an incident records what happened."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from yingji.auth.audit import actor_of
from yingji.core import clock
from yingji.incidents.models import Incident, TimelineEvent


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
    return event

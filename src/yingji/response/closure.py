"""Closing an incident (stabilised → closed, through the transition table) with its aftermath (善后:
relocation, compensation, recovery — 突发事件应对法 第八十八条); the investigation and evaluation
goes on after closure (``investigation``)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal
from yingji.core import clock
from yingji.core.errors import Conflict
from yingji.core.i18n import N_
from yingji.response import investigation
from yingji.response.common import (
    actor_name,
    incident_for_read,
    incident_for_write,
    move_status,
    record,
    require_open,
    zh,
)
from yingji.response.models import IncidentClosure, ResponseTask
from yingji.response.schemas import ClosureIn
from yingji.response.tasks import OPEN


def close(session: Session, principal: Principal, incident_id: int, data: ClosureIn) -> IncidentClosure:
    """Close the incident. Every task must be done or cancelled first: nothing is left hanging."""
    incident = incident_for_write(session, principal, incident_id)
    require_open(incident)
    open_tasks = session.scalar(
        select(func.count()).where(ResponseTask.incident_id == incident.id, ResponseTask.state.in_(OPEN))
    )
    if open_tasks:
        raise Conflict("{count} tasks are still open; finish or cancel them first.", count=open_tasks)
    move_status(session, incident, "closed")
    now = clock.now()
    incident.closed_at = now
    row = IncidentClosure(
        incident_id=incident.id,
        closed_at=now,
        closed_by=actor_name(principal),
        summary=data.summary,
        relocation=data.relocation,
        compensation=data.compensation,
        recovery=data.recovery,
        jurisdiction_code=incident.jurisdiction_code,
    )
    session.add(row)
    record(
        session,
        incident,
        "closure",
        zh(N_("Incident closed by {who}: {summary}"), who=row.closed_by, summary=data.summary[:200]),
        {"aftermath": {k: bool(getattr(data, k)) for k in ("relocation", "compensation", "recovery")}},
    )
    investigation.ensure(session, incident)
    session.flush()
    return row


def get(session: Session, principal: Principal, incident_id: int) -> IncidentClosure | None:
    incident_for_read(session, principal, incident_id)
    return session.scalars(select(IncidentClosure).where(IncidentClosure.incident_id == incident_id)).first()

"""Helpers every response service shares: loading an incident in scope (to read, or locked to
change), the timeline in Chinese, and the name of who is acting."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.models import User
from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, visible, writable
from yingji.core.errors import Conflict, NotFound
from yingji.core.i18n import N_, translate
from yingji.incidents import status as incident_status
from yingji.incidents import timeline
from yingji.incidents.models import Incident
from yingji.incidents.status import IncidentStatus

LEVEL_NAMES = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}


def zh(message: str, **params: Any) -> str:
    """The Chinese text of a message id: timeline summaries and notifications are stored ready to show."""
    return translate(message, "zh_CN", **params)


def incident_for_read(session: Session, principal: Principal, incident_id: int) -> Incident:
    """The incident if the principal may see it; 404 otherwise."""
    return visible(principal, session.get(Incident, incident_id))


def incident_for_write(
    session: Session, principal: Principal, incident_id: int, perm: Perm = Perm.RESPONSE_COMMAND
) -> Incident:
    """The incident, locked for update, if the principal may change it (403 outside, 404 unknown)."""
    incident = lock_incident(session, incident_id)
    if incident is None:
        raise NotFound()
    writable(principal, incident.jurisdiction_code, perm)
    return incident


def lock_incident(session: Session, incident_id: int) -> Incident | None:
    """SELECT … FOR UPDATE of the incident row only (its eager joins stay unlocked on PostgreSQL)."""
    return session.scalars(
        select(Incident)
        .where(Incident.id == incident_id)
        .with_for_update(of=Incident)
        .execution_options(populate_existing=True)
    ).first()


def require_open(incident: Incident) -> None:
    """Closed incidents are final: a new development is a new report."""
    if incident.status == IncidentStatus.CLOSED:
        raise Conflict("The incident is closed.")


def move_status(session: Session, incident: Incident, target: str) -> bool:
    """Move the incident through the one transition table; records the change in the timeline.
    Returns False when it already is in ``target``."""
    if incident.status == target:
        return False
    incident_status.check_move(incident.status, target)
    before = incident.status
    incident.status = target
    timeline.record(
        session,
        incident,
        "status",
        zh(N_("Status changed from {before} to {after}."), before=zh(label(before)), after=zh(label(target))),
        {"from": before, "to": target},
    )
    return True


def label(status_code: str) -> str:
    return incident_status.STATUSES.get(status_code, status_code)


def actor_name(principal: Principal) -> str:
    """How the acting user is named in records: display name, or the system actor."""
    return principal.display_name or principal.username


def person_id_of(session: Session, principal: Principal) -> int | None:
    """The person record linked to the principal's user, if any."""
    if principal.user_id is None:
        return None
    return session.scalar(select(User.person_id).where(User.id == principal.user_id))


def record(session: Session, incident: Incident, kind: str, summary: str, data: dict | None = None) -> None:
    """Timeline entry for a response change (kind: response, command_post, consultation, task …)."""
    timeline.record(session, incident, kind, summary, data)

"""首接负责制 for incidents: each receiving level's first receiver (the officer who filed the report
there, or accepted it from the level below) owns the incident at that level until a named hand-over."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal
from yingji.core.i18n import N_
from yingji.incidents import levels
from yingji.incidents.models import Incident
from yingji.incidents.status import IncidentStatus
from yingji.ownership import kinds, taking
from yingji.ownership.codes import TakenHow
from yingji.ownership.models import Owned

KIND = "incident"


def _describe(session: Session, ids: list[int]) -> dict[int, kinds.ItemInfo]:
    rows = session.execute(
        select(
            Incident.id,
            Incident.number,
            Incident.title,
            Incident.status,
            Incident.merged_into_id,
            Incident.jurisdiction_code,
        ).where(Incident.id.in_(ids))
    ).all()
    return {
        r.id: kinds.ItemInfo(
            f"{r.number} {r.title}",
            f"/incidents/{r.id}",
            r.status != IncidentStatus.CLOSED and r.merged_into_id is None,
            r.jurisdiction_code,
        )
        for r in rows
    }


# who may own an incident at a level: its desk (verify, grade, follow the deadlines), not the field
kinds.register(kinds.Kind(KIND, N_("Incident"), Perm.INCIDENT_MANAGE, _describe))


def take(session: Session, principal: Principal, incident: Incident, how: TakenHow) -> Owned | None:
    """The principal takes the incident in at their own level, if it is a receiving level (a town or
    up) over the incident's place: a grid worker's 随手报 is taken by the town's duty desk."""
    level = levels.level_of(principal.jurisdiction_code)
    if level not in levels.RECEIVING or not principal.covers(incident.jurisdiction_code):
        return None
    row, _created = taking.take(
        session,
        principal,
        KIND,
        incident.id,
        jurisdiction_code=incident.jurisdiction_code,
        holder_code=principal.jurisdiction_code,
        how=how,
    )
    return row


def of(session: Session, incident_ids: list[int]) -> dict[int, list[Owned]]:
    return taking.owners_of(session, KIND, incident_ids)

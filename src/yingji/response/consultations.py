"""Consultation meetings (会商): time, participants (people, units), experts (from the registry or free
text for outsiders), video link, minutes and decisions; a decision becomes a task in one step
(``tasks.create_from_decision``)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal
from yingji.core.errors import ValidationFailed
from yingji.core.i18n import N_
from yingji.experts import consulting
from yingji.org.models import Person, Unit
from yingji.response.common import incident_for_read, incident_for_write, record, require_open, zh
from yingji.response.models import Consultation, ConsultationDecision, ConsultationParticipant
from yingji.response.schemas import ConsultationIn


def _named(session: Session, principal: Principal, model, ids: list[int], field: str) -> list:
    """The rows for these ids, all in the principal's scope (else a validation error)."""
    if not ids:
        return []
    rows = {r.id: r for r in session.scalars(select(model).where(model.id.in_(set(ids))))}
    if any(i not in rows or not principal.covers(rows[i].jurisdiction_code) for i in ids):
        raise ValidationFailed(details=[{"field": field, "message": "Unknown person or unit."}])
    return [rows[i] for i in dict.fromkeys(ids)]


def create(session: Session, principal: Principal, incident_id: int, data: ConsultationIn) -> Consultation:
    """Record a consultation with its participants and decisions, numbered per incident."""
    incident = incident_for_write(session, principal, incident_id)
    require_open(incident)
    people = _named(session, principal, Person, data.person_ids, "person_ids")
    units = _named(session, principal, Unit, data.unit_ids, "unit_ids")
    experts = _named(session, principal, Person, data.expert_person_ids, "expert_person_ids")
    registered = consulting.chosen(session, principal, data.expert_ids)
    seq = (
        session.scalar(select(func.max(Consultation.seq)).where(Consultation.incident_id == incident.id)) or 0
    ) + 1
    code = incident.jurisdiction_code
    meeting = Consultation(
        incident_id=incident.id,
        seq=seq,
        held_at=data.held_at,
        topic=data.topic,
        location=data.location,
        video_link=data.video_link,
        host=data.host,
        minutes=data.minutes,
        jurisdiction_code=code,
    )
    meeting.participants = (
        [
            ConsultationParticipant(kind="person", person_id=p.id, name=p.name, jurisdiction_code=code)
            for p in people
        ]
        + [
            ConsultationParticipant(kind="unit", unit_id=u.id, name=u.name, jurisdiction_code=code)
            for u in units
        ]
        + [
            ConsultationParticipant(kind="expert", person_id=p.id, name=p.name, jurisdiction_code=code)
            for p in experts
        ]
        + [
            ConsultationParticipant(kind="expert", expert_id=e.id, name=e.name, jurisdiction_code=code)
            for e in registered
        ]
        + [ConsultationParticipant(kind="expert", name=n[:120], jurisdiction_code=code) for n in data.experts]
    )
    meeting.decisions = [
        ConsultationDecision(seq=i, text=text, jurisdiction_code=code)
        for i, text in enumerate(data.decisions, 1)
    ]
    session.add(meeting)
    session.flush()
    record(
        session,
        incident,
        "consultation",
        zh(
            N_("Consultation {seq} held: {topic}; {people} taking part, {decisions} decisions."),
            seq=seq,
            topic=data.topic,
            people=len(meeting.participants),
            decisions=len(meeting.decisions),
        ),
        {"consultation_id": meeting.id, "decisions": data.decisions},
    )
    return meeting


def for_incident(session: Session, principal: Principal, incident_id: int) -> list[Consultation]:
    incident_for_read(session, principal, incident_id)
    return list(
        session.scalars(
            select(Consultation).where(Consultation.incident_id == incident_id).order_by(Consultation.seq)
        )
    )

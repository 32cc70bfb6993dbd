"""Experts and consultations (会商): the experts to propose for an incident (its event category, the
nearest pools first, those who can come now first), the experts chosen for a consultation (checked:
visible and still in the registry), and an expert's history of consultations."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal, in_scope
from yingji.core.errors import ValidationFailed
from yingji.experts import registry
from yingji.experts.codes import Availability, FieldKind
from yingji.experts.models import Expert
from yingji.incidents.models import Incident
from yingji.response.models import Consultation, ConsultationParticipant

SUGGEST_LIMIT = 30


@dataclass(frozen=True)
class Option:
    id: int
    label: str
    matches: bool  # has the incident's event category among its fields


def for_consultation(session: Session, principal: Principal, incident: Incident) -> list[Option]:
    """The experts to offer in the consultation form: those whose field fits the incident first,
    then the others, each group from the incident's place outwards, available ones first."""
    fitting = registry.search(
        session, principal, near=incident.jurisdiction_code, category=incident.category, size=SUGGEST_LIMIT
    ).items
    seen = {e.id for e in fitting}
    others = [
        e
        for e in registry.search(
            session, principal, near=incident.jurisdiction_code, size=SUGGEST_LIMIT
        ).items
        if e.id not in seen
    ]
    names = registry.place_names(session, [*fitting, *others])
    return [_option(e, names, True) for e in fitting] + [_option(e, names, False) for e in others]


def _option(expert: Expert, names: dict[str, str], matches: bool) -> Option:
    from yingji.experts import codes

    fields = "、".join(
        codes.label(FieldKind.DISCIPLINE, c) for c in expert.codes_of(FieldKind.DISCIPLINE)[:2]
    )
    parts = [p for p in (expert.title, expert.unit_name, fields, names.get(expert.jurisdiction_code)) if p]
    state = (
        ""
        if expert.availability == Availability.AVAILABLE
        else f"［{registry.to_availability_label(expert)}］"
    )
    return Option(expert.id, f"{expert.name}（{'，'.join(parts)}）{state}", matches)


def chosen(session: Session, principal: Principal, ids: list[int]) -> list[Expert]:
    """The registry experts picked for a consultation, in the order given; an unknown, invisible or
    retired one is a 422 naming the field."""
    if not ids:
        return []
    rows = {e.id: e for e in session.scalars(select(Expert).where(Expert.id.in_(set(ids))))}
    bad = [
        i
        for i in ids
        if i not in rows or not rows[i].active or not registry.may_see(principal, rows[i].jurisdiction_code)
    ]
    if bad:
        raise ValidationFailed(details=[{"field": "expert_ids", "message": "Unknown expert."}])
    return [rows[i] for i in dict.fromkeys(ids)]


def history(session: Session, principal: Principal, expert_id: int, limit: int = 200) -> list[dict]:
    """The consultations the expert took part in that the principal may see, latest first."""
    rows = session.execute(
        select(
            Consultation.id,
            Consultation.incident_id,
            Incident.title,
            Consultation.seq,
            Consultation.held_at,
            Consultation.topic,
        )
        .join(ConsultationParticipant, ConsultationParticipant.consultation_id == Consultation.id)
        .join(Incident, Incident.id == Consultation.incident_id)
        .where(
            ConsultationParticipant.expert_id == expert_id,
            in_scope(Consultation.jurisdiction_code, principal),
        )
        .distinct()
        .order_by(Consultation.held_at.desc(), Consultation.id.desc())
        .limit(limit)
    ).all()
    return [
        {
            "consultation_id": r[0],
            "incident_id": r[1],
            "incident_title": r[2],
            "seq": r[3],
            "held_at": r[4],
            "topic": r[5],
        }
        for r in rows
    ]

"""Who took part in a drill: units, rescue teams and people from the registries, and outsiders by
name, each with their role and headcount. Registry entries must belong to the drill's place or to
the places above or below it; the same unit, team or person is listed once."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal
from yingji.core.errors import Conflict, NotFound, ValidationFailed
from yingji.core.i18n import N_, gettext
from yingji.drills import labels, registry
from yingji.drills.models import DrillParticipant
from yingji.forces.models import Team
from yingji.org.models import Person, Unit

REFERENCE = {"unit": ("unit_id", Unit), "team": ("team_id", Team), "person": ("person_id", Person)}


_bad = ValidationFailed.on  # one field refused with its message


def of_drill(session: Session, drill_id: int) -> list[DrillParticipant]:
    return list(
        session.scalars(
            select(DrillParticipant)
            .where(DrillParticipant.drill_id == drill_id)
            .order_by(DrillParticipant.id)
        )
    )


def add(session: Session, principal: Principal, drill_id: int, data) -> DrillParticipant:
    drill = registry.for_update(session, principal, drill_id)
    values = {"unit_id": None, "team_id": None, "person_id": None}
    if data.kind == "other":
        if not data.name:
            raise _bad("name", N_("Give the participant's name."))
        name = data.name
    else:
        field, model = REFERENCE[data.kind]
        ref_id = getattr(data, field)
        if ref_id is None:
            raise _bad(field, N_("Choose the unit, team or person from the registry."))
        row = session.get(model, ref_id)
        if row is None or not registry.related(row.jurisdiction_code, drill.jurisdiction_code):
            raise _bad(
                field,
                N_("Choose a unit, team or person of the drill's place or of the places above or below it."),
            )
        taken = session.scalar(
            select(DrillParticipant.id).where(
                DrillParticipant.drill_id == drill.id, getattr(DrillParticipant, field) == ref_id
            )
        )
        if taken is not None:
            raise Conflict("This participant is already listed.")
        values[field] = ref_id
        name = data.name or row.name
    part = DrillParticipant(
        drill_id=drill.id,
        kind=data.kind,
        name=name,
        role=data.role,
        headcount=data.headcount,
        jurisdiction_code=drill.jurisdiction_code,
        **values,
    )
    session.add(part)
    session.flush()
    return part


def remove(session: Session, principal: Principal, drill_id: int, participant_id: int) -> None:
    drill = registry.for_update(session, principal, drill_id)
    part = session.get(DrillParticipant, participant_id)
    if part is None or part.drill_id != drill.id:
        raise NotFound()
    session.delete(part)
    session.flush()


def to_out(part: DrillParticipant) -> dict:
    return {
        "id": part.id,
        "kind": part.kind,
        "kind_label": gettext(labels.PARTICIPANT_KIND[part.kind]),
        "unit_id": part.unit_id,
        "team_id": part.team_id,
        "person_id": part.person_id,
        "name": part.name,
        "role": part.role,
        "role_label": gettext(labels.PARTICIPANT_ROLE[part.role]),
        "headcount": part.headcount,
    }

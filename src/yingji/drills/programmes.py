"""The yearly drill plan (年度应急演练计划) of a jurisdiction: one per place and year, drafted and
then approved by a signatory. Its drills are the place's drills of that year; once approved, a drill
may still be added (plans change) but the plan keeps who approved it and when."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, visible, writable
from yingji.core.errors import Conflict, NotFound, ValidationFailed
from yingji.core.i18n import N_
from yingji.drills import registry
from yingji.drills.codes import DrillState, ProgrammeState
from yingji.drills.models import Drill, DrillProgramme
from yingji.org.models import Jurisdiction


def find(session: Session, code: str, year: int) -> DrillProgramme | None:
    return session.scalar(
        select(DrillProgramme).where(DrillProgramme.jurisdiction_code == code, DrillProgramme.year == year)
    )


def get(session: Session, principal: Principal, programme_id: int, *, lock: bool = False) -> DrillProgramme:
    options = {"with_for_update": True, "populate_existing": True} if lock else {}
    return visible(principal, session.get(DrillProgramme, programme_id, **options))


def drills_of(session: Session, programme: DrillProgramme) -> list[Drill]:
    return list(
        session.scalars(
            select(Drill)
            .where(Drill.jurisdiction_code == programme.jurisdiction_code, Drill.year == programme.year)
            .order_by(Drill.planned_on.nulls_last(), Drill.id)
        )
    )


def create(session: Session, principal: Principal, data) -> DrillProgramme:
    writable(principal, data.jurisdiction_code, Perm.DRILLS_MANAGE)
    if session.get(Jurisdiction, data.jurisdiction_code) is None:
        raise ValidationFailed(details=[{"field": "jurisdiction_code", "message": "Unknown jurisdiction."}])
    if find(session, data.jurisdiction_code, data.year) is not None:
        raise Conflict("This place already has a drill plan for {year}.", year=data.year)
    programme = DrillProgramme(**data.model_dump(), state=ProgrammeState.DRAFT)
    session.add(programme)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise Conflict("This place already has a drill plan for {year}.", year=data.year) from None
    return programme


def approve(session: Session, principal: Principal, programme_id: int, data) -> DrillProgramme:
    """Approve the drill plan: it needs at least one drill that is not cancelled."""
    programme = get(session, principal, programme_id, lock=True)
    writable(principal, programme.jurisdiction_code, Perm.DRILLS_MANAGE)
    if programme.state == ProgrammeState.APPROVED:
        raise Conflict("This drill plan is already approved.")
    if not [d for d in drills_of(session, programme) if d.state != DrillState.CANCELLED.value]:
        raise ValidationFailed(
            details=[{"field": "drills", "message": N_("Plan at least one drill before approving.")}]
        )
    approved_on = data.approved_on or registry.today()
    if approved_on > registry.today():
        raise ValidationFailed(details=[{"field": "approved_on", "message": "This day lies in the future."}])
    programme.state, programme.approved_on, programme.approved_by = (
        ProgrammeState.APPROVED,
        approved_on,
        data.approved_by,
    )
    session.flush()
    return programme


def for_place(session: Session, principal: Principal, code: str, year: int) -> DrillProgramme:
    programme = find(session, code, year)
    if programme is None:
        raise NotFound()
    return visible(principal, programme)

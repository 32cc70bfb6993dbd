"""Rosters: create and edit a unit's roster, its rotations, overrides and swaps — in scope.

Reads outside the principal's jurisdiction are 404; writes need ``DUTY_MANAGE`` there (403).
Every change lands in the audit log through the session listener (the tables are ``Audited``).
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, visible, writable
from yingji.core.errors import Conflict, NotFound, ValidationFailed
from yingji.duty import oncall
from yingji.duty.common import check_people, who
from yingji.duty.models import Override, Roster, Rotation
from yingji.duty.schemas import OverrideIn, RosterIn, RosterPatch, RotationIn, SwapIn
from yingji.org import places
from yingji.org.models import Unit


def search(session: Session, principal: Principal, *, within: str | None = None) -> list[Roster]:
    """Rosters in scope (optionally under a place), by place then unit order."""
    stmt = (
        select(Roster)
        .join(Unit, Unit.id == Roster.unit_id)
        .options(*oncall.LIGHT)
        .where(in_scope(Roster.jurisdiction_code, principal))
    )
    stmt = places.narrow(session, principal, stmt, Roster.jurisdiction_code, within)
    return list(session.scalars(stmt.order_by(Roster.jurisdiction_code, Unit.sort, Unit.id)).unique())


def get(session: Session, principal: Principal, roster_id: int) -> Roster:
    """One roster, in scope (404 outside)."""
    return visible(principal, session.get(Roster, roster_id))


def _editable(session: Session, principal: Principal, roster_id: int) -> Roster:
    """The roster, row-locked, if the principal may change it (else 403; 404 if there is none)."""
    roster = session.get(Roster, roster_id, with_for_update={"of": Roster})
    if roster is None:
        raise NotFound()
    writable(principal, roster.jurisdiction_code, Perm.DUTY_MANAGE)
    return roster


def create(session: Session, principal: Principal, data: RosterIn) -> Roster:
    """Give a unit a roster (DUTY_MANAGE in the unit's jurisdiction)."""
    unit = session.get(Unit, data.unit_id)
    if unit is None:
        raise NotFound()
    writable(principal, unit.jurisdiction_code, Perm.DUTY_MANAGE)
    if session.scalar(select(Roster.id).where(Roster.unit_id == unit.id)) is not None:
        raise Conflict("This unit already has a roster.")
    roster = Roster(
        unit_id=unit.id,
        jurisdiction_code=unit.jurisdiction_code,
        name=data.name or unit.name,
        shift_start_minute=data.shift_start,
        timezone=data.timezone,
        gap_days=data.gap_days,
        active=True,
        note=data.note,
    )
    session.add(roster)
    session.flush()
    return roster


def update(session: Session, principal: Principal, roster_id: int, patch: RosterPatch) -> Roster:
    """Change a roster's settings."""
    roster = _editable(session, principal, roster_id)
    changes = patch.model_dump(exclude_unset=True)
    if "shift_start" in changes:
        start = changes.pop("shift_start")
        if start is not None:
            roster.shift_start_minute = start
    for key, value in changes.items():
        if value is not None or key == "note":
            setattr(roster, key, value)
    session.flush()
    return roster


def set_rotation(session: Session, principal: Principal, roster_id: int, data: RotationIn) -> Rotation:
    """Start a rotation of a role on a date (replacing one that starts the same day)."""
    roster = _editable(session, principal, roster_id)
    check_people(session, principal, data.members, "members")
    rot = session.scalar(
        select(Rotation).where(
            Rotation.roster_id == roster.id, Rotation.role == data.role, Rotation.starts_on == data.starts_on
        )
    )
    if rot is None:
        rot = Rotation(roster_id=roster.id, role=data.role, starts_on=data.starts_on)
        session.add(rot)
    rot.members = list(data.members)
    rot.days_per_turn = data.days_per_turn
    rot.per_shift = data.per_shift
    rot.jurisdiction_code = roster.jurisdiction_code
    session.flush()
    session.expire(roster, ["rotations"])
    return rot


def delete_rotation(session: Session, principal: Principal, rotation_id: int) -> None:
    """Remove a rotation."""
    rot = session.get(Rotation, rotation_id)
    if rot is None:
        raise NotFound()
    roster = _editable(session, principal, rot.roster_id)
    session.delete(rot)
    session.flush()
    session.expire(roster, ["rotations"])


def _planned(session: Session, roster: Roster, day: date, role: str) -> list[int]:
    overrides = session.scalars(
        select(Override)
        .where(Override.roster_id == roster.id, Override.shift_date == day)
        .order_by(Override.id)
    ).all()
    return oncall.planned(roster, [day], overrides)[day][role]


def add_override(session: Session, principal: Principal, roster_id: int, data: OverrideIn) -> Override:
    """One shift changed: someone stands in for someone, is added, or is taken off."""
    roster = _editable(session, principal, roster_id)
    check_people(session, principal, [data.person_id], "person_id")
    if data.replaces_person_id is not None and data.replaces_person_id not in _planned(
        session, roster, data.shift_date, data.role
    ):
        raise ValidationFailed(
            details=[{"field": "replaces_person_id", "message": "This person is not on that shift."}]
        )
    override = Override(
        roster_id=roster.id,
        shift_date=data.shift_date,
        role=data.role,
        person_id=data.person_id,
        replaces_person_id=data.replaces_person_id,
        kind="override",
        reason=data.reason,
        jurisdiction_code=roster.jurisdiction_code,
        created_by=who(principal),
    )
    session.add(override)
    session.flush()
    return override


def swap(session: Session, principal: Principal, roster_id: int, data: SwapIn) -> list[Override]:
    """Two people trade shifts (调班): two overrides that stand or go together."""
    roster = _editable(session, principal, roster_id)
    check_people(session, principal, [data.first_person_id, data.second_person_id], "person_id")
    pairs = [
        (data.first_date, data.first_person_id, data.second_person_id, "first_person_id"),
        (data.second_date, data.second_person_id, data.first_person_id, "second_person_id"),
    ]
    for day, person, _, field in pairs:
        if person not in _planned(session, roster, day, data.role):
            raise ValidationFailed(details=[{"field": field, "message": "This person is not on that shift."}])
    key = uuid.uuid4().hex
    made = []
    for day, person, other, _ in pairs:
        o = Override(
            roster_id=roster.id,
            shift_date=day,
            role=data.role,
            person_id=other,
            replaces_person_id=person,
            kind="swap",
            swap_key=key,
            reason=data.reason,
            jurisdiction_code=roster.jurisdiction_code,
            created_by=who(principal),
        )
        session.add(o)
        made.append(o)
    session.flush()
    return made


def delete_override(session: Session, principal: Principal, override_id: int) -> int:
    """Undo an override; undoing half of a swap undoes both halves. Returns how many went."""
    override = session.get(Override, override_id)
    if override is None:
        raise NotFound()
    _editable(session, principal, override.roster_id)
    if override.swap_key:
        rows = session.scalars(select(Override).where(Override.swap_key == override.swap_key)).all()
    else:
        rows = [override]
    for row in rows:
        session.delete(row)
    session.flush()
    return len(rows)


def overrides(
    session: Session, principal: Principal, roster: Roster, first: date, last: date
) -> list[Override]:
    """Changes to single shifts of a roster between two dates."""
    visible(principal, roster)
    return list(
        session.scalars(
            select(Override)
            .where(Override.roster_id == roster.id, Override.shift_date >= first, Override.shift_date <= last)
            .order_by(Override.shift_date, Override.id)
        )
    )

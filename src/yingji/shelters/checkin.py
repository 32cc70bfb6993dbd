"""Check-in and check-out (受灾群众安置登记): find the person in the resident registry by ID number,
mobile or household, or register a walk-in; then one guarded UPDATE of the occupancy
(``status.take``) and the stay row in the same transaction, idempotent by the phone's ``client_key``.
When the household belongs to an active (or lifted) evacuation order, the order's household is marked
sheltered in the same transaction, so the accounting and the occupancy agree.

ID numbers are never stored: a check-in by ID number hashes it (``idnumber``) and keeps the last four."""

from __future__ import annotations

import logging

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, mask_phone, require, writable
from yingji.core import clock
from yingji.core.errors import NotFound, ValidationFailed
from yingji.evacuation.codes import MarkOutcome, OrderState
from yingji.org import places
from yingji.residents import idnumber
from yingji.residents.models import Resident
from yingji.shelters import registry, status
from yingji.shelters.codes import StayState
from yingji.shelters.models import ShelterStay
from yingji.shelters.schemas import CheckInIn

log = logging.getLogger(__name__)
MAX_FOUND = 30


# -- finding the person -------------------------------------------------------------------------
def _household_sizes(session: Session, rows: list[Resident]) -> dict[tuple[str, str], tuple[int, int]]:
    keys = {(r.jurisdiction_code, r.household) for r in rows}
    out = {}
    for code, household in keys:
        size, vuln = session.execute(
            select(func.count(), func.count().filter(Resident.vulnerability > 0)).where(
                Resident.jurisdiction_code == code, Resident.household == household, Resident.active
            )
        ).one()
        out[(code, household)] = (int(size), int(vuln))
    return out


def find(
    session: Session,
    principal: Principal,
    *,
    id_number: str | None = None,
    mobile: str | None = None,
    home_code: str | None = None,
    household: str | None = None,
) -> list[dict]:
    """Residents of the principal's area matching an ID number, a mobile, or a household."""
    require(principal, Perm.SHELTER_CHECKIN)
    stmt = select(Resident).where(in_scope(Resident.jurisdiction_code, principal), Resident.active)
    if id_number:
        try:
            digest, _ = idnumber.hash_and_tail(id_number)
        except idnumber.BadIdNumber:
            raise ValidationFailed(
                details=[
                    {"field": "id_number", "message": "Not a valid ID number (18 characters, check digit)."}
                ]
            ) from None
        stmt = stmt.where(Resident.id_hash == digest)
    elif mobile:
        stmt = stmt.where(Resident.mobile == mobile)
    elif home_code and household:
        stmt = stmt.where(Resident.jurisdiction_code == home_code, Resident.household == household)
    else:
        raise ValidationFailed(
            details=[{"field": "q", "message": "Give an ID number, a mobile number or a household."}]
        )
    rows = list(
        session.scalars(
            stmt.order_by(Resident.jurisdiction_code, Resident.household, Resident.id).limit(MAX_FOUND)
        )
    )
    sizes = _household_sizes(session, rows)
    names = places.names(session, {r.jurisdiction_code for r in rows})
    return [
        {
            "resident_id": r.id,
            "name": r.name,
            "id_tail": r.id_tail,
            "mobile": mask_phone(r.mobile, principal),
            "home_code": r.jurisdiction_code,
            "home_name": names.get(r.jurisdiction_code, ""),
            "household": r.household,
            "household_size": sizes[(r.jurisdiction_code, r.household)][0],
            "vulnerable": sizes[(r.jurisdiction_code, r.household)][1],
        }
        for r in rows
    ]


# -- the evacuation seam --------------------------------------------------------------------------
# Outcomes after which the accounting reflects the check-in (or check-out).
_COUNTED = frozenset({MarkOutcome.APPLIED, MarkOutcome.SAME, MarkOutcome.REPEAT})


def evacuation_household(session: Session, home_code: str | None, household: str | None):
    """(household id, order id) of the household in an active or lifted evacuation order, or None."""
    if not home_code or not household:
        return None
    from yingji.evacuation.models import EvacuationHousehold, EvacuationOrder

    row = session.execute(
        select(EvacuationHousehold.id, EvacuationHousehold.order_id)
        .join(EvacuationOrder, EvacuationOrder.id == EvacuationHousehold.order_id)
        .where(
            EvacuationOrder.state.in_([OrderState.ACTIVE, OrderState.LIFTED]),
            EvacuationHousehold.jurisdiction_code == home_code,
            EvacuationHousehold.household == household,
        )
        .order_by(EvacuationOrder.ordered_at.desc(), EvacuationHousehold.id.desc())
        .limit(1)
    ).first()
    return (row.id, row.order_id) if row else None


def mark_sheltered(session, principal, household_id: int, shelter_id: int, *, client_key: str) -> bool:
    """The evacuation service's mark, in this transaction: whether the accounting now has the household
    in this shelter (a closed or cancelled order refuses; the check-in stands either way)."""
    from yingji.evacuation import marks

    result = marks.mark_sheltered(session, principal, household_id, shelter_id, client_key=client_key)
    return result.outcome in _COUNTED


def mark_left_shelter(session, principal, household_id: int, *, client_key: str) -> bool:
    from yingji.evacuation import marks

    result = marks.mark_left_shelter(session, principal, household_id, client_key=client_key)
    return result.outcome in _COUNTED


# -- check-in and check-out -----------------------------------------------------------------------
def _existing(session: Session, client_key: str) -> ShelterStay | None:
    return session.scalar(select(ShelterStay).where(ShelterStay.client_key == client_key))


def _who(session: Session, principal: Principal, data: CheckInIn) -> dict:
    """The stay's person fields: from the registry when found, else the walk-in's own."""
    tail = None
    resident = None
    if data.id_number:
        try:
            digest, tail = idnumber.hash_and_tail(data.id_number)
        except idnumber.BadIdNumber:
            raise ValidationFailed(
                details=[
                    {"field": "id_number", "message": "Not a valid ID number (18 characters, check digit)."}
                ]
            ) from None
        if data.resident_id is None:
            resident = session.scalar(
                select(Resident)
                .where(
                    Resident.id_hash == digest,
                    Resident.active,
                    in_scope(Resident.jurisdiction_code, principal),
                )
                .limit(1)
            )
    if data.resident_id is not None:
        resident = session.get(Resident, data.resident_id)
        if resident is None or not principal.covers(resident.jurisdiction_code):
            raise ValidationFailed(details=[{"field": "resident_id", "message": "Unknown resident."}])
    if resident is None and data.home_code and data.household:
        if not principal.covers(data.home_code):
            raise ValidationFailed(details=[{"field": "home_code", "message": "Unknown resident."}])
        resident = session.scalar(
            select(Resident)
            .where(
                Resident.jurisdiction_code == data.home_code,
                Resident.household == data.household,
                Resident.active,
            )
            .order_by(Resident.id)
            .limit(1)
        )
    if resident is not None:
        return {
            "resident_id": resident.id,
            "home_code": resident.jurisdiction_code,
            "household": resident.household,
            "name": data.name or resident.name,
            "id_tail": tail or resident.id_tail,
            "mobile": data.mobile or resident.mobile,
        }
    if not data.name:
        raise ValidationFailed(details=[{"field": "name", "message": "A walk-in needs a name."}])
    return {
        "resident_id": None,
        "home_code": data.home_code,
        "household": data.household,
        "name": data.name,
        "id_tail": tail,
        "mobile": data.mobile,
    }


def check_in(
    session: Session, principal: Principal, shelter_id: int, data: CheckInIn
) -> tuple[ShelterStay, bool, bool]:
    """Check a household or person in. Returns (stay, created, evacuation marked). The same
    ``client_key`` again returns the first stay and changes nothing."""
    found = _existing(session, data.client_key)
    if found is not None:
        registry.get(session, principal, found.shelter_id)  # 404 for a key of a shelter out of sight
        return found, False, found.household_id is not None
    shelter = registry.get(session, principal, shelter_id)
    writable(principal, shelter.jurisdiction_code, Perm.SHELTER_CHECKIN)
    who = _who(session, principal, data)
    evac = evacuation_household(session, who["home_code"], who["household"])
    try:
        with session.begin_nested():
            status.take(session, principal, shelter, data.people, override=data.override_note)
            stay = ShelterStay(
                shelter_id=shelter.id,
                order_id=evac[1] if evac else None,
                household_id=evac[0] if evac else None,
                people=data.people,
                vulnerable=data.vulnerable,
                needs=data.needs,
                zone=data.zone,
                state=StayState.IN.value,
                checked_in_at=clock.now(),
                checked_in_by=principal.user_id,
                override_note=data.override_note,
                client_key=data.client_key,
                jurisdiction_code=shelter.jurisdiction_code,
                drill_id=shelter.drill_id,
                **who,
            )
            session.add(stay)
            session.flush()
            marked = bool(evac) and mark_sheltered(
                session, principal, evac[0], shelter.id, client_key=data.client_key
            )
    except IntegrityError:
        found = _existing(session, data.client_key)  # the same key won a race: that stay is the answer
        if found is None:
            raise
        return found, False, found.household_id is not None
    return stay, True, marked


def check_out(session: Session, principal: Principal, stay_id: int, *, client_key: str) -> ShelterStay:
    """A stay ends (they went home or on); idempotent: a stay already out is returned as it is."""
    stay = session.get(ShelterStay, stay_id, with_for_update=True, populate_existing=True)
    if stay is None:
        raise NotFound()
    shelter = registry.get(session, principal, stay.shelter_id)
    writable(principal, shelter.jurisdiction_code, Perm.SHELTER_CHECKIN)
    if stay.state == StayState.OUT.value:
        return stay
    status.release(session, principal, shelter, stay.people)
    stay.state = StayState.OUT.value
    stay.checked_out_at = clock.now()
    stay.checked_out_by = principal.user_id
    session.flush()
    if stay.household_id:
        mark_left_shelter(session, principal, stay.household_id, client_key=client_key)
    return stay


def stays(
    session: Session, principal: Principal, shelter_id: int, *, current: bool = True, limit: int = 500
) -> list[ShelterStay]:
    registry.get(session, principal, shelter_id)
    stmt = select(ShelterStay).where(ShelterStay.shelter_id == shelter_id)
    if current:
        stmt = stmt.where(ShelterStay.state == StayState.IN.value)
    return list(
        session.scalars(stmt.order_by(ShelterStay.checked_in_at.desc(), ShelterStay.id.desc()).limit(limit))
    )


def stay_out(stay: ShelterStay, principal: Principal) -> dict:
    return {
        "id": stay.id,
        "shelter_id": stay.shelter_id,
        "name": stay.name,
        "id_tail": stay.id_tail,
        "mobile": mask_phone(stay.mobile, principal),
        "home_code": stay.home_code,
        "household": stay.household,
        "people": stay.people,
        "vulnerable": stay.vulnerable,
        "needs": stay.needs,
        "zone": stay.zone,
        "state": stay.state,
        "checked_in_at": stay.checked_in_at,
        "checked_out_at": stay.checked_out_at,
        "household_id": stay.household_id,
        "order_id": stay.order_id,
        "override_note": stay.override_note,
    }

"""The shelter registry (应急避难场所名录): search by place, level, class and status, read, register,
change. A principal sees and changes the shelters of their own subtree (404 outside, 403 for a
change without ``shelters.manage``). Capacity is computed from the usable area and the area per
person (``standards``) unless the registry states its own figure. Every change is audited."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, mask_phone, visible, writable
from yingji.core.errors import Conflict, NotFound, ValidationFailed
from yingji.core.i18n import gettext
from yingji.core.models import apply_changes
from yingji.core.pagination import Page, paginate
from yingji.org import places
from yingji.org.models import Jurisdiction
from yingji.shelters import labels, standards
from yingji.shelters.codes import ShelterStatus
from yingji.shelters.models import Shelter, ShelterManager
from yingji.shelters.schemas import ManagerIn, ShelterIn, ShelterPatch

ORDER_STATUS = {ShelterStatus.OPEN: 0, ShelterStatus.FULL: 1, ShelterStatus.CLOSED: 2}


def search(
    session: Session,
    principal: Principal,
    *,
    q: str = "",
    within: str | None = None,
    level: str | None = None,
    shelter_class: str | None = None,
    status: str | None = None,
    page: int = 1,
    size: int = 50,
) -> Page[Shelter]:
    """Shelters in the principal's scope, narrowed by place, level, class, status and words."""
    stmt = select(Shelter).where(in_scope(Shelter.jurisdiction_code, principal), Shelter.active)
    stmt = places.narrow(session, principal, stmt, Shelter.jurisdiction_code, within)
    if level:
        stmt = stmt.where(Shelter.level == level)
    if shelter_class:
        stmt = stmt.where(Shelter.shelter_class == shelter_class)
    if status:
        stmt = stmt.where(Shelter.status == status)
    q = (q or "").strip()
    if q:
        stmt = stmt.where(
            Shelter.name.contains(q, autoescape=True)
            | Shelter.address.contains(q, autoescape=True)
            | Shelter.code.startswith(q, autoescape=True)
        )
    return paginate(session, stmt.order_by(Shelter.jurisdiction_code, Shelter.name, Shelter.id), page, size)


def get(session: Session, principal: Principal, shelter_id: int, *, lock: bool = False) -> Shelter:
    """A shelter the principal may see (404 otherwise)."""
    options = {"with_for_update": {"of": Shelter}, "populate_existing": True} if lock else {}
    shelter = session.get(Shelter, shelter_id, **options)
    if shelter is None or not shelter.active:
        raise NotFound()
    return visible(principal, shelter)


def new_code(place: str) -> str:
    return f"BN{place[:6]}-{uuid.uuid4().hex[:8].upper()}"


def _check_place(session: Session, code: str) -> None:
    if session.get(Jurisdiction, code) is None:
        raise ValidationFailed(details=[{"field": "jurisdiction_code", "message": "Unknown jurisdiction."}])


def _unique_code(session: Session, code: str, shelter_id: int | None = None) -> None:
    other = session.scalar(select(Shelter.id).where(Shelter.code == code))
    if other is not None and other != shelter_id:
        raise Conflict("The shelter number {code} is already registered.", code=code)


def recompute(shelter: Shelter, stated: int | None = None) -> None:
    """Capacity from the area (or the stated figure); never below the people already in."""
    if stated is not None:
        shelter.capacity, shelter.capacity_stated = stated, True
    elif not shelter.capacity_stated:
        shelter.capacity = standards.capacity(
            shelter.usable_area_m2, shelter.area_per_person_m2, shelter.shelter_class
        )
    if shelter.capacity < (shelter.occupancy or 0):
        raise ValidationFailed(
            details=[
                {
                    "field": "capacity",
                    "message": "The capacity cannot be below the people in the shelter now.",
                }
            ]
        )
    if shelter.service_radius_m is None:
        shelter.service_radius_m = standards.service_radius_m(shelter.shelter_class)


def set_managers(session: Session, shelter: Shelter, managers: list[ManagerIn]) -> None:
    """Make the shelter's managers exactly ``managers`` (deletes explicit, so the audit log sees them)."""
    for gone in list(shelter.managers):
        session.delete(gone)
    shelter.managers = [
        ShelterManager(**m.model_dump(), jurisdiction_code=shelter.jurisdiction_code) for m in managers
    ]


def create(session: Session, principal: Principal, data: ShelterIn) -> Shelter:
    writable(principal, data.jurisdiction_code, Perm.SHELTERS_MANAGE)
    _check_place(session, data.jurisdiction_code)
    code = data.code or new_code(data.jurisdiction_code)
    _unique_code(session, code)
    values = data.model_dump(exclude={"code", "capacity", "managers"}, mode="json")
    shelter = Shelter(
        **values, code=code, occupancy=0, households_in=0, status=ShelterStatus.CLOSED, active=True
    )
    shelter.capacity_stated = False
    recompute(shelter, data.capacity)
    session.add(shelter)
    shelter.managers = []
    set_managers(session, shelter, data.managers)
    session.flush()
    return shelter


def update(session: Session, principal: Principal, shelter_id: int, patch: ShelterPatch) -> Shelter:
    shelter = get(session, principal, shelter_id, lock=True)
    writable(principal, shelter.jurisdiction_code, Perm.SHELTERS_MANAGE)
    changes = patch.model_dump(exclude_unset=True, mode="json")
    if changes.get("jurisdiction_code"):
        writable(principal, changes["jurisdiction_code"], Perm.SHELTERS_MANAGE)
        _check_place(session, changes["jurisdiction_code"])
    managers = changes.pop("managers", None)
    stated = None
    if "capacity" in changes:
        stated = changes.pop("capacity")
        if stated is None:
            shelter.capacity_stated = False  # computed from the area again
    apply_changes(shelter, changes)
    recompute(shelter, stated)
    if managers is not None:
        set_managers(session, shelter, patch.managers or [])
    for m in shelter.managers:
        m.jurisdiction_code = shelter.jurisdiction_code
    session.flush()
    return shelter


def remove(session: Session, principal: Principal, shelter_id: int) -> None:
    """Take a shelter off the registry (kept for its history); refused while people are in."""
    shelter = get(session, principal, shelter_id, lock=True)
    writable(principal, shelter.jurisdiction_code, Perm.SHELTERS_MANAGE)
    if shelter.occupancy > 0 or shelter.status != ShelterStatus.CLOSED:
        raise Conflict("Close the shelter before removing it.")
    shelter.active = False
    session.flush()


# -- reading out ------------------------------------------------------------------------------
def per_person(shelter: Shelter) -> float:
    return shelter.area_per_person_m2 or standards.area_per_person(shelter.shelter_class)


def to_out(shelter: Shelter, principal: Principal, names: dict[str, str] | None = None) -> dict:
    return {
        "id": shelter.id,
        "code": shelter.code,
        "name": shelter.name,
        "level": shelter.level,
        "level_label": labels.label(labels.LEVEL_LABELS, shelter.level),
        "shelter_class": shelter.shelter_class,
        "class_label": labels.label(labels.CLASS_LABELS, shelter.shelter_class),
        "space_type": shelter.space_type,
        "space_label": labels.label(labels.SPACE_LABELS, shelter.space_type),
        "jurisdiction_code": shelter.jurisdiction_code,
        "jurisdiction_name": (names or {}).get(shelter.jurisdiction_code, ""),
        "address": shelter.address,
        "lon": shelter.lon,
        "lat": shelter.lat,
        "total_area_m2": shelter.total_area_m2,
        "usable_area_m2": shelter.usable_area_m2,
        "area_per_person_m2": per_person(shelter),
        "capacity": shelter.capacity,
        "capacity_stated": shelter.capacity_stated,
        "occupancy": shelter.occupancy,
        "households_in": shelter.households_in,
        "free": max(0, shelter.capacity - shelter.occupancy),
        "status": shelter.status,
        "status_label": labels.label(labels.STATUS_LABELS, shelter.status),
        "service_radius_m": shelter.service_radius_m or standards.service_radius_m(shelter.shelter_class),
        "duration_days": shelter.duration_days,
        "facilities": shelter.facilities or {},
        "entrances": shelter.entrances,
        "signage_ok": shelter.signage_ok,
        "dual_use": shelter.dual_use,
        "managing_unit": shelter.managing_unit,
        "standard": shelter.standard,
        "opened_at": shelter.opened_at,
        "last_inspected_at": shelter.last_inspected_at,
        "note": shelter.note,
        "managers": [
            {
                "id": m.id,
                "name": m.name,
                "mobile": mask_phone(m.mobile, principal),
                "phone": mask_phone(m.phone, principal),
                "duty": m.duty,
                "primary": m.primary,
            }
            for m in sorted(shelter.managers, key=lambda m: (not m.primary, m.id or 0))
        ],
        "warnings": [
            gettext(w)
            for w in standards.warnings_for(
                shelter.shelter_class, shelter.usable_area_m2, shelter.area_per_person_m2
            )
        ],
    }


def outs(session: Session, principal: Principal, shelters: list[Shelter]) -> list[dict]:
    names = places.names(session, {s.jurisdiction_code for s in shelters})
    return [to_out(s, principal, names) for s in shelters]

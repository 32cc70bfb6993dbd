"""The resident registry: search, read (phones masked as for people), create, update — in scope.

Reading needs ``residents.manage`` (personal data, 突发事件应对法 第八十四条: only those who need it);
grid staff see the residents of their own cells through door-to-door tasks.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, mask_phone, require, visible, writable
from yingji.core.errors import NotFound, ValidationFailed
from yingji.core.pagination import Page, paginate
from yingji.org import places
from yingji.org.models import Jurisdiction
from yingji.residents.models import Resident
from yingji.residents.schemas import ResidentIn, ResidentOut, ResidentPatch


def search(
    session: Session,
    principal: Principal,
    *,
    q: str = "",
    within: str | None = None,
    vulnerable: bool = False,
    page: int = 1,
    size: int = 50,
) -> Page[Resident]:
    """Residents in scope, optionally under a place, by name, number or household."""
    require(principal, Perm.RESIDENTS_MANAGE)
    stmt = select(Resident).where(in_scope(Resident.jurisdiction_code, principal), Resident.active)
    stmt = places.narrow(session, principal, stmt, Resident.jurisdiction_code, within)
    if vulnerable:
        stmt = stmt.where(Resident.vulnerability > 0)
    q = (q or "").strip()
    if q:
        if q.isdigit():
            stmt = stmt.where(Resident.mobile.startswith(q))
        else:
            stmt = stmt.where(Resident.name.startswith(q, autoescape=True) | (Resident.household == q))
    return paginate(
        session, stmt.order_by(Resident.jurisdiction_code, Resident.household, Resident.id), page, size
    )


def get(session: Session, principal: Principal, resident_id: int) -> Resident:
    require(principal, Perm.RESIDENTS_MANAGE)
    return visible(principal, session.get(Resident, resident_id))


def to_out(r: Resident, principal: Principal, names: dict[str, str] | None = None) -> ResidentOut:
    return ResidentOut(
        id=r.id,
        name=r.name,
        mobile=mask_phone(r.mobile, principal),
        jurisdiction_code=r.jurisdiction_code,
        jurisdiction_name=(names or {}).get(r.jurisdiction_code, ""),
        village_code=r.village_code,
        household=r.household,
        address=r.address,
        disabled=r.disabled,
        lives_alone=r.lives_alone,
        very_old=r.very_old,
        vulnerability=r.vulnerability,
        subscribed=r.subscribed,
        active=r.active,
        note=r.note,
        updated_at=r.updated_at,
    )


def place_names(session: Session, residents: list[Resident]) -> dict[str, str]:
    codes = {r.jurisdiction_code for r in residents}
    return dict(
        session.execute(
            select(Jurisdiction.code, Jurisdiction.name).where(Jurisdiction.code.in_(codes))
        ).all()
    )


def check_place(session: Session, code: str) -> None:
    place = session.get(Jurisdiction, code)
    if place is None or place.level not in ("village", "group"):
        raise ValidationFailed(
            details=[{"field": "jurisdiction_code", "message": "Unknown village or village group."}]
        )


def create(session: Session, principal: Principal, data: ResidentIn) -> Resident:
    writable(principal, data.jurisdiction_code, Perm.RESIDENTS_MANAGE)
    check_place(session, data.jurisdiction_code)
    resident = Resident(**data.model_dump(), village_code=data.jurisdiction_code[:12], active=True)
    resident.refresh_vulnerability()
    session.add(resident)
    session.flush()
    return resident


def update(session: Session, principal: Principal, resident_id: int, patch: ResidentPatch) -> Resident:
    resident = session.get(Resident, resident_id, with_for_update=True)
    if resident is None or not principal.covers(resident.jurisdiction_code):
        raise NotFound()
    writable(principal, resident.jurisdiction_code, Perm.RESIDENTS_MANAGE)
    changes = patch.model_dump(exclude_unset=True)
    if changes.get("jurisdiction_code"):
        writable(principal, changes["jurisdiction_code"], Perm.RESIDENTS_MANAGE)
        check_place(session, changes["jurisdiction_code"])
        changes["village_code"] = changes["jurisdiction_code"][:12]
    for key, value in changes.items():
        if value is not None or key in ("mobile", "address", "note"):
            setattr(resident, key, value)
    resident.refresh_vulnerability()
    session.flush()
    return resident

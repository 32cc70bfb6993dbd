"""People: search, read (with phone masking), create, update, deactivate — all in scope."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, mask_phone, visible, writable
from yingji.core.errors import Conflict, NotFound, ValidationFailed
from yingji.core.models import apply_changes
from yingji.core.pagination import Page, paginate
from yingji.org import places
from yingji.org.models import GridAssignment, Jurisdiction, Person
from yingji.org.schemas import GridRoleOut, PersonIn, PersonOut, PersonPatch, PositionOut


def search(
    session: Session,
    principal: Principal,
    *,
    q: str = "",
    within: str | None = None,
    grid_role: str | None = None,
    page: int = 1,
    size: int = 50,
) -> Page[Person]:
    """People in scope, optionally under a place, matching a name, number or title."""
    stmt = select(Person).where(in_scope(Person.jurisdiction_code, principal), Person.active)
    stmt = places.narrow(session, principal, stmt, Person.jurisdiction_code, within)
    q = (q or "").strip()
    if q:
        if q.isdigit():
            stmt = stmt.where(or_(Person.mobile.startswith(q), Person.office_phone.contains(q)))
        else:
            stmt = stmt.where(
                or_(Person.name.startswith(q, autoescape=True), Person.title.contains(q, autoescape=True))
            )
    if grid_role:
        stmt = stmt.where(
            Person.id.in_(select(GridAssignment.person_id).where(GridAssignment.role == grid_role))
        )
    return paginate(session, stmt.order_by(Person.jurisdiction_code, Person.id), page, size)


def get(session: Session, principal: Principal, person_id: int) -> Person:
    return visible(principal, session.get(Person, person_id))


def to_out(person: Person, principal: Principal) -> PersonOut:
    return PersonOut(
        id=person.id,
        name=person.name,
        gender=person.gender,
        mobile=mask_phone(person.mobile, principal),
        office_phone=mask_phone(person.office_phone, principal),
        email=person.email if principal.can(Perm.CONTACT_PHONE) else None,
        title=person.title,
        jurisdiction_code=person.jurisdiction_code,
        jurisdiction_name=person.jurisdiction.name if person.jurisdiction else "",
        active=person.active,
        note=person.note,
        positions=[
            PositionOut(id=p.id, unit_id=p.unit_id, unit_name=p.unit.name, title=p.title, role=p.role)
            for p in person.positions
        ],
        grid_roles=[
            GridRoleOut(
                id=a.id,
                grid_cell_id=a.grid_cell_id,
                grid_cell_name=a.cell.name,
                level=a.cell.level,
                role=a.role,
            )
            for a in person.grid_assignments
        ],
        updated_at=person.updated_at,
    )


def _check_place(session: Session, code: str) -> None:
    if session.get(Jurisdiction, code) is None:
        raise ValidationFailed(details=[{"field": "jurisdiction_code", "message": "Unknown jurisdiction."}])


def _check_mobile_free(session: Session, mobile: str | None, person_id: int | None = None) -> None:
    if not mobile:
        return
    other = session.scalar(select(Person.id).where(Person.mobile == mobile))
    if other is not None and other != person_id:
        raise Conflict("The mobile number {mobile} already belongs to someone else.", mobile=mobile)


def create(session: Session, principal: Principal, data: PersonIn) -> Person:
    writable(principal, data.jurisdiction_code, Perm.PEOPLE_WRITE)
    _check_place(session, data.jurisdiction_code)
    _check_mobile_free(session, data.mobile)
    person = Person(**data.model_dump())
    session.add(person)
    session.flush()
    return person


def update(session: Session, principal: Principal, person_id: int, patch: PersonPatch) -> Person:
    person = session.get(Person, person_id, with_for_update={"of": Person})
    if person is None:
        raise NotFound()
    writable(principal, person.jurisdiction_code, Perm.PEOPLE_WRITE)
    changes = patch.model_dump(exclude_unset=True)
    if "jurisdiction_code" in changes:
        writable(principal, changes["jurisdiction_code"], Perm.PEOPLE_WRITE)
        _check_place(session, changes["jurisdiction_code"])
    if "mobile" in changes:
        _check_mobile_free(session, changes["mobile"], person.id)
    apply_changes(person, changes)
    session.flush()
    return person


def deactivate(session: Session, principal: Principal, person_id: int) -> Person:
    """People are never deleted (the audit trail and old reports refer to them)."""
    return update(session, principal, person_id, PersonPatch(active=False))

"""Hazard points (灾险点): search, read, create, change — all in scope — and their patrol schedule."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, visible, writable
from yingji.core import clock
from yingji.core.errors import Conflict, NotFound, ValidationFailed
from yingji.core.models import apply_changes
from yingji.core.pagination import Page, paginate
from yingji.incidents import locate
from yingji.monitoring import catalog
from yingji.monitoring.models import OPEN_STATES, Alarm, HazardPoint, PointStatus, Sensor
from yingji.monitoring.schemas import PointIn, PointPatch
from yingji.org import places
from yingji.org.models import GridAssignment, GridCell, Jurisdiction, Person


def search(
    session: Session,
    principal: Principal,
    *,
    q: str = "",
    kind: str | None = None,
    within: str | None = None,
    overdue: bool = False,
    mine: bool = False,
    alarm: bool = False,
    page: int = 1,
    size: int = 50,
) -> Page[HazardPoint]:
    """Points in scope, by kind and place; ``overdue``: patrol missed; ``mine``: I am the monitor or
    work in the point's grid cell."""
    stmt = select(HazardPoint).where(in_scope(HazardPoint.jurisdiction_code, principal))
    stmt = places.narrow(session, principal, stmt, HazardPoint.jurisdiction_code, within)
    if kind:
        stmt = stmt.where(HazardPoint.kind == kind)
    if overdue:
        stmt = stmt.where(HazardPoint.status == PointStatus.ACTIVE, HazardPoint.patrol_due_at < clock.now())
    if alarm:  # points with an open alarm (the overview's tile links here)
        alarmed = select(Alarm.hazard_point_id).where(
            Alarm.state.in_(OPEN_STATES), in_scope(Alarm.jurisdiction_code, principal)
        )
        stmt = stmt.where(HazardPoint.id.in_(alarmed))
    if mine:
        person_id = _person_of(session, principal)
        cells = select(GridAssignment.grid_cell_id).where(GridAssignment.person_id == person_id)
        stmt = stmt.where(
            or_(HazardPoint.monitor_person_id == person_id, HazardPoint.grid_cell_id.in_(cells))
        )
    q = (q or "").strip()
    if q:
        stmt = stmt.where(
            or_(
                HazardPoint.name.contains(q, autoescape=True), HazardPoint.code.startswith(q, autoescape=True)
            )
        )
    order = (HazardPoint.patrol_due_at, HazardPoint.id) if overdue or mine else (HazardPoint.code,)
    return paginate(session, stmt.order_by(*order), page, size)


def _person_of(session: Session, principal: Principal) -> int:
    from yingji.auth.models import User

    return session.scalar(select(User.person_id).where(User.id == principal.user_id)) or -1


def get(session: Session, principal: Principal, point_id: int) -> HazardPoint:
    """One hazard point in scope (404 outside)."""
    return visible(principal, session.get(HazardPoint, point_id))


def lock(session: Session, principal: Principal, point_id: int, perm: Perm) -> HazardPoint:
    """The point under a row lock for a change by ``principal`` (404 outside scope, 403 without perm)."""
    point = session.get(HazardPoint, point_id, with_for_update={"of": HazardPoint})
    if point is None:
        raise NotFound()
    visible(principal, point)
    writable(principal, point.jurisdiction_code, perm)
    return point


def _place(session: Session, principal: Principal, data: PointIn) -> Jurisdiction:
    """Where the point lies: the deepest division at its coordinates, else the division given."""
    if data.lon is not None and data.lat is not None:
        place = locate.deepest_at(session, data.lon, data.lat)
        if place is None:
            raise ValidationFailed(
                details=[{"field": "lon", "message": "The point lies outside every known division."}]
            )
        if data.jurisdiction_code and not place.code.startswith(data.jurisdiction_code):
            raise ValidationFailed(
                details=[
                    {"field": "jurisdiction_code", "message": "The point is not inside the chosen place."}
                ]
            )
        return place
    if (data.lon is None) != (data.lat is None):
        raise ValidationFailed(details=[{"field": "lon", "message": "Give both longitude and latitude."}])
    code = data.jurisdiction_code or principal.jurisdiction_code
    place = session.get(Jurisdiction, code)
    if place is None:
        raise ValidationFailed(details=[{"field": "jurisdiction_code", "message": "Unknown jurisdiction."}])
    return place


def _check_person(session: Session, principal: Principal, person_id: int | None, field: str) -> None:
    if person_id is None:
        return
    person = session.get(Person, person_id)
    if person is None or not principal.covers(person.jurisdiction_code):
        raise ValidationFailed(details=[{"field": field, "message": "No such person in your area."}])


def _next_code(session: Session, kind: str, county: str) -> str:
    prefix = f"{catalog.hazard_kind(kind)['prefix']}-{county}-"
    last = session.scalar(select(func.max(HazardPoint.code)).where(HazardPoint.code.startswith(prefix)))
    number = int(last.rsplit("-", 1)[1]) + 1 if last and last.rsplit("-", 1)[1].isdigit() else 1
    return f"{prefix}{number:05d}"


def create(session: Session, principal: Principal, data: PointIn) -> HazardPoint:
    """Register a point; its grid cell is the cell of its division (village group, village or town)."""
    place = _place(session, principal, data)
    writable(principal, place.code, Perm.MONITORING_MANAGE)
    _check_person(session, principal, data.monitor_person_id, "monitor_person_id")
    _check_person(session, principal, data.leader_person_id, "leader_person_id")
    code = data.code or _next_code(session, data.kind, place.code[:6])
    if session.scalar(select(HazardPoint.id).where(HazardPoint.code == code)) is not None:
        raise Conflict("The code {code} is already used.", code=code)
    now = clock.now()
    point = HazardPoint(
        **data.model_dump(exclude={"jurisdiction_code", "code"}),
        code=code,
        jurisdiction_code=place.code,
        grid_cell_id=cell_for(session, place.code),
        status=PointStatus.ACTIVE,
        patrol_due_at=catalog.next_patrol_due(data.kind, now, data.patrol_every_days),
    )
    if point.lon is None:
        point.lon, point.lat = place.lon, place.lat
    session.add(point)
    session.flush()
    return point


def cell_for(session: Session, code: str) -> int | None:
    """The grid cell of the nearest division at or above ``code`` that has one."""
    candidates = [code[:n] for n in (15, 12, 9) if len(code) >= n]
    rows = dict(
        session.execute(select(GridCell.code, GridCell.id).where(GridCell.code.in_(candidates))).all()
    )
    return next((rows[c] for c in candidates if c in rows), None)


def update(session: Session, principal: Principal, point_id: int, patch: PointPatch) -> HazardPoint:
    """Change a hazard point (its schedule follows a new patrol interval)."""
    point = lock(session, principal, point_id, Perm.MONITORING_MANAGE)
    changes = patch.model_dump(exclude_unset=True)
    _check_person(session, principal, changes.get("monitor_person_id"), "monitor_person_id")
    _check_person(session, principal, changes.get("leader_person_id"), "leader_person_id")
    apply_changes(point, changes)
    if "patrol_every_days" in changes:
        point.patrol_due_at = catalog.next_patrol_due(
            point.kind, point.last_patrol_at or point.created_at, point.patrol_every_days
        )
    session.flush()
    return point


def sensors_of(session: Session, point: HazardPoint) -> list[Sensor]:
    """The sensors of a point."""
    return list(
        session.scalars(select(Sensor).where(Sensor.hazard_point_id == point.id).order_by(Sensor.code))
    )


def counts_by_kind(session: Session, principal: Principal) -> dict[str, int]:
    """Active points in scope per kind."""
    rows = session.execute(
        select(HazardPoint.kind, func.count())
        .where(in_scope(HazardPoint.jurisdiction_code, principal), HazardPoint.status == PointStatus.ACTIVE)
        .group_by(HazardPoint.kind)
    ).all()
    return dict(rows)


def overdue_count(session: Session, principal: Principal, at: datetime | None = None) -> int:
    """Active points in scope whose patrol is overdue."""
    return (
        session.scalar(
            select(func.count()).where(
                in_scope(HazardPoint.jurisdiction_code, principal),
                HazardPoint.status == PointStatus.ACTIVE,
                HazardPoint.patrol_due_at < (at or clock.now()),
            )
        )
        or 0
    )


def people_of(session: Session, point: HazardPoint) -> dict:
    """Monitor, leader and the grid's people of a point (phones unmasked: the caller masks)."""
    ids = [i for i in (point.monitor_person_id, point.leader_person_id) if i]
    people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(ids)))} if ids else {}
    grid = []
    if point.grid_cell_id:
        grid = list(
            session.scalars(
                select(GridAssignment)
                .where(GridAssignment.grid_cell_id == point.grid_cell_id)
                .order_by(GridAssignment.role)
            )
        )
    return {
        "monitor": people.get(point.monitor_person_id),
        "leader": people.get(point.leader_person_id),
        "grid": grid,
    }

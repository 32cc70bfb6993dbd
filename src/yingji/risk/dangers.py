"""Hidden dangers: reporting (排查) from inspectors, grid workers, enterprises and the public; the
ledger (台账) search; one danger with its plan, photos and log. The loop steps are in ``steps``."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, mask_phone, visible, writable
from yingji.core import clock
from yingji.core.errors import Conflict, ValidationFailed
from yingji.core.i18n import N_
from yingji.core.pagination import Page, paginate
from yingji.org import places
from yingji.org.models import GridCell, Jurisdiction
from yingji.risk import escalation, loop, races, tables
from yingji.risk.danger_models import (
    OPEN_STATUSES,
    Danger,
    DangerEvent,
    DangerPhoto,
    DangerPlan,
    DangerStatus,
)
from yingji.risk.models import Enterprise, Inspection, RiskPoint
from yingji.risk.schemas import DangerIn


def today() -> date:
    """Today in Asia/Shanghai."""
    return clock.to_local(clock.now()).date()


def month_of(at: datetime) -> str:
    """The local month (YYYY-MM) of a time."""
    return f"{clock.to_local(at):%Y-%m}"


def by_client_key(session: Session, key: str | None) -> Danger | None:
    """The danger a field submission with this key made, if any."""
    return None if not key else session.scalar(select(Danger).where(Danger.client_key == key))


def _place(session: Session, principal: Principal, data: DangerIn) -> tuple[str, int | None, int | None]:
    """(jurisdiction, enterprise, grid cell) of a new danger: from its enterprise or risk point when
    named, else the place given, else the reporter's own place."""
    enterprise_id = data.enterprise_id
    if data.risk_point_id is not None:
        point = visible(principal, session.get(RiskPoint, data.risk_point_id))
        enterprise_id = enterprise_id or point.enterprise_id
        code = point.jurisdiction_code
    if enterprise_id is not None:
        enterprise = visible(principal, session.get(Enterprise, enterprise_id))
        return enterprise.jurisdiction_code, enterprise.id, enterprise.grid_cell_id
    if data.risk_point_id is None:
        code = data.jurisdiction_code or principal.jurisdiction_code
        places.get(session, principal, code)
    if len(code) < 9:
        raise ValidationFailed(
            details=[
                {"field": "jurisdiction_code", "message": "Give the town or village of the hidden danger."}
            ]
        )
    cell = session.scalar(select(GridCell.id).where(GridCell.code == code))
    return code, None, cell


def create(
    session: Session,
    principal: Principal,
    data: DangerIn,
    *,
    inspection: Inspection | None = None,
    public_ref: str | None = None,
    actor: str | None = None,
) -> Danger:
    """Record a found hidden danger (排查) in the principal's scope; repeating a client key returns
    the first record. With ``register`` a manager also registers it (the next step, logged)."""
    known = by_client_key(session, data.client_key)
    if known is not None:
        return visible(principal, known)
    code, enterprise_id, cell = _place(session, principal, data)
    writable(principal, code, Perm.DANGER_REPORT)
    if data.category not in tables.categories():
        raise ValidationFailed(details=[{"field": "category", "message": "Unknown hidden-danger category."}])
    now = clock.now()
    danger = Danger(
        jurisdiction_code=code,
        grid_cell_id=cell,
        enterprise_id=enterprise_id,
        risk_point_id=data.risk_point_id,
        inspection_id=inspection.id if inspection else None,
        source="inspection" if inspection else data.source,
        category=data.category,
        title=data.title,
        description=data.description,
        location=data.location,
        lon=data.lon,
        lat=data.lat,
        status=DangerStatus.FOUND,
        found_month=month_of(now),
        found_at=now,
        reported_by_user_id=principal.user_id,
        reporter_name=data.reporter_name,
        reporter_phone=data.reporter_phone,
        public_ref=public_ref,
        client_key=data.client_key,
        escalation=0,
        listed=False,
    )
    winner = races.insert_once(session, danger, lambda: _same_key(session, principal, data.client_key))
    if winner is not danger:
        return winner  # a concurrent request with the same client key was first
    log(session, danger, "report", None, DangerStatus.FOUND, principal, actor=actor)
    if data.register_now and principal.can(Perm.DANGER_MANAGE):
        from yingji.risk import steps

        steps.apply(session, principal, danger, "register", None)
    elif danger.source != "inspection":
        escalation.tell(
            session,
            danger.jurisdiction_code[:9],
            Perm.DANGER_MANAGE,
            N_("New hidden danger to register: {title}"),
            danger,
            key=f"risk.new:{danger.id}",
        )
    return danger


def _same_key(session: Session, principal: Principal, key: str | None) -> Danger:
    """The danger a concurrent request with the same client key made first."""
    known = by_client_key(session, key)
    if known is None:
        raise Conflict("This was changed at the same time by someone else. Please try again.")
    return visible(principal, known)


def log(
    session: Session,
    danger: Danger,
    action: str,
    from_status: str | None,
    to_status: str | None,
    principal: Principal | None,
    *,
    note: str | None = None,
    data: dict | None = None,
    client_key: str | None = None,
    actor: str | None = None,
) -> DangerEvent:
    """Append an entry to the danger's log."""
    event = DangerEvent(
        danger_id=danger.id,
        jurisdiction_code=danger.jurisdiction_code,
        at=clock.now(),
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor_user_id=principal.user_id if principal else None,
        actor=actor or (principal.display_name if principal else "system"),
        note=note,
        data=data,
        client_key=client_key,
    )
    session.add(event)
    return event


def get(session: Session, principal: Principal, danger_id: int) -> Danger:
    """A danger the principal can see (404 otherwise)."""
    return visible(principal, session.get(Danger, danger_id))


def ledger_query(
    session: Session,
    principal: Principal,
    *,
    q: str = "",
    within: str | None = None,
    status: str | None = None,
    grade: str | None = None,
    source: str | None = None,
    month: str | None = None,
    enterprise_id: int | None = None,
    overdue: bool = False,
    open_only: bool = False,
    listed: bool = False,
) -> Select:
    """The ledger (台账): dangers in scope, newest first, with the filters of the page."""
    stmt = select(Danger).where(in_scope(Danger.jurisdiction_code, principal))
    stmt = places.narrow(session, principal, stmt, Danger.jurisdiction_code, within)
    if status:
        stmt = stmt.where(Danger.status == status)
    if open_only:
        stmt = stmt.where(Danger.status.in_(OPEN_STATUSES))
    if grade:
        stmt = stmt.where(Danger.grade == grade)
    if source:
        stmt = stmt.where(Danger.source == source)
    if month:
        stmt = stmt.where(Danger.found_month == month)
    if enterprise_id is not None:
        stmt = stmt.where(Danger.enterprise_id == enterprise_id)
    if overdue:
        stmt = stmt.where(Danger.status == DangerStatus.RECTIFYING, Danger.deadline < today())
    if listed:
        stmt = stmt.where(Danger.listed)
    q = (q or "").strip()
    if q:
        number = q.upper()
        if number.startswith("YH") and number[2:].isdigit() and 6 < len(number) <= 18:
            stmt = stmt.where(Danger.id == int(number[6:]))
        else:
            stmt = stmt.where(
                or_(Danger.title.contains(q, autoescape=True), Danger.location.contains(q, autoescape=True))
            )
    return stmt.order_by(Danger.found_at.desc(), Danger.id.desc())


def search(
    session: Session, principal: Principal, *, page: int = 1, size: int = 50, **filters
) -> Page[Danger]:
    """One page of the ledger."""
    return paginate(session, ledger_query(session, principal, **filters), page, size)


def events(session: Session, danger: Danger) -> list[DangerEvent]:
    """The danger's log, oldest first."""
    return list(
        session.scalars(
            select(DangerEvent).where(DangerEvent.danger_id == danger.id).order_by(DangerEvent.id)
        )
    )


def plan_of(session: Session, danger: Danger) -> DangerPlan | None:
    """The 重大 danger's rectification plan, if any."""
    return session.scalar(select(DangerPlan).where(DangerPlan.danger_id == danger.id))


def photos_of(session: Session, danger: Danger) -> list[DangerPhoto]:
    """The danger's photos, oldest first."""
    return list(
        session.scalars(
            select(DangerPhoto).where(DangerPhoto.danger_id == danger.id).order_by(DangerPhoto.id)
        )
    )


def is_overdue(danger: Danger) -> bool:
    """Still being rectified after its deadline (a danger reported done in time is not overdue)."""
    return (
        danger.status == DangerStatus.RECTIFYING and danger.deadline is not None and danger.deadline < today()
    )


def place_name(session: Session, code: str) -> str:
    """The name of a division (its code when unknown)."""
    place = session.get(Jurisdiction, code)
    return place.name if place else code


def to_out(session: Session, danger: Danger, principal: Principal, *, full: bool = False) -> dict:
    """The API shape; who reported it only for those who manage dangers (numbers masked by role)."""
    out = {
        "id": danger.id,
        "number": danger.number,
        "jurisdiction_code": danger.jurisdiction_code,
        "enterprise_id": danger.enterprise_id,
        "risk_point_id": danger.risk_point_id,
        "inspection_id": danger.inspection_id,
        "source": danger.source,
        "category": danger.category,
        "title": danger.title,
        "description": danger.description,
        "location": danger.location,
        "lon": danger.lon,
        "lat": danger.lat,
        "status": danger.status,
        "grade": danger.grade,
        "checklist": danger.checklist,
        "responsible_party": danger.responsible_party,
        "responsible_person": danger.responsible_person,
        "responsible_phone": mask_phone(danger.responsible_phone, principal),
        "measures": danger.measures,
        "funds_cny": danger.funds_cny,
        "deadline": danger.deadline,
        "overdue": is_overdue(danger),
        "completion_note": danger.completion_note,
        "review_note": danger.review_note,
        "supervised_by": danger.supervised_by,
        "listed": danger.listed,
        "escalation": danger.escalation,
        "found_at": danger.found_at,
        "registered_at": danger.registered_at,
        "graded_at": danger.graded_at,
        "rectifying_at": danger.rectifying_at,
        "reviewing_at": danger.reviewing_at,
        "accepted_at": danger.accepted_at,
        "closed_at": danger.closed_at,
        "next_steps": [s.action for s in loop.next_steps(danger.status)],
    }
    if principal.can(Perm.DANGER_MANAGE):
        out["reporter_name"] = danger.reporter_name
        out["reporter_phone"] = mask_phone(danger.reporter_phone, principal)
    if full:
        plan = plan_of(session, danger)
        out["plan"] = None if plan is None else {k: getattr(plan, k) for k in tables.plan_fields()}
        out["photos"] = [
            {
                "id": p.id,
                "stage": p.stage,
                "url": f"/risk/dangers/{danger.id}/photos/{p.id}",
                "width": p.width,
            }
            for p in photos_of(session, danger)
        ]
        out["events"] = [
            {
                "at": e.at,
                "action": e.action,
                "from": e.from_status,
                "to": e.to_status,
                "actor": e.actor,
                "note": e.note,
            }
            for e in events(session, danger)
        ]
    return out

"""Inspection and enforcement records (检查/执法记录): who, when, findings, the hidden dangers found
on the visit (entered into the loop at once), orders and penalties. A visit counts toward the
enterprise's item in that year's enforcement plan."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, visible, writable
from yingji.core import clock
from yingji.core.errors import Conflict, ValidationFailed
from yingji.core.pagination import Page, paginate
from yingji.risk import dangers, enforcement, races
from yingji.risk.labels import ORDERS
from yingji.risk.models import Danger, Enterprise, EnterpriseStatus, Inspection
from yingji.risk.schemas import DangerIn, InspectionIn


def record(session: Session, principal: Principal, data: InspectionIn) -> Inspection:
    """Record a visit; repeating its client key returns the first record."""
    if data.client_key:
        known = session.scalar(select(Inspection).where(Inspection.client_key == data.client_key))
        if known is not None:
            return visible(principal, known)
    enterprise = session.get(Enterprise, data.enterprise_id, with_for_update=True)
    visible(principal, enterprise)
    writable(principal, enterprise.jurisdiction_code, Perm.INSPECT)
    unknown = [o for o in data.orders if o not in ORDERS]
    if unknown:
        raise ValidationFailed(details=[{"field": "orders", "message": "Unknown order."}])
    now = clock.now()
    at = clock.to_utc(data.inspected_at) if data.inspected_at else now
    if at > now + timedelta(minutes=10):
        raise ValidationFailed(
            details=[{"field": "inspected_at", "message": "The time cannot be in the future."}]
        )
    inspection = Inspection(
        enterprise_id=enterprise.id,
        jurisdiction_code=enterprise.jurisdiction_code,
        kind=data.kind,
        inspected_at=at,
        inspectors=data.inspectors,
        inspector_user_id=principal.user_id,
        findings=data.findings,
        orders=sorted(set(data.orders)) or None,
        penalty_cny=data.penalty_cny,
        document_no=data.document_no,
        client_key=data.client_key,
        dangers_found=0,
    )
    winner = races.insert_once(session, inspection, lambda: _same_key(session, principal, data.client_key))
    if winner is not inspection:
        return winner
    enforcement.link_inspection(session, enterprise, inspection.id, clock.to_local(at).year)
    for i, found in enumerate(data.dangers):
        dangers.create(
            session,
            principal,
            DangerIn(
                title=found.title,
                description=found.description,
                category=found.category,
                source="inspection",
                enterprise_id=enterprise.id,
                register_now=True,
                client_key=f"{data.client_key}:{i}" if data.client_key else None,
            ),
            inspection=inspection,
        )
    inspection.dangers_found = len(data.dangers)
    if "suspend" in data.orders and enterprise.status == EnterpriseStatus.ACTIVE:
        enterprise.status = EnterpriseStatus.SUSPENDED
    session.flush()
    return inspection


def _same_key(session: Session, principal: Principal, key: str | None) -> Inspection:
    known = session.scalar(select(Inspection).where(Inspection.client_key == key)) if key else None
    if known is None:
        raise Conflict("This was changed at the same time by someone else. Please try again.")
    return visible(principal, known)


def get(session: Session, principal: Principal, inspection_id: int) -> Inspection:
    """An inspection the principal can see (404 otherwise)."""
    return visible(principal, session.get(Inspection, inspection_id))


def search(
    session: Session, principal: Principal, *, enterprise_id: int | None = None, page: int = 1, size: int = 50
) -> Page[Inspection]:
    """Inspections in scope, newest first."""
    stmt = select(Inspection).where(in_scope(Inspection.jurisdiction_code, principal))
    if enterprise_id is not None:
        stmt = stmt.where(Inspection.enterprise_id == enterprise_id)
    return paginate(session, stmt.order_by(Inspection.inspected_at.desc(), Inspection.id.desc()), page, size)


def found_on(session: Session, inspection: Inspection) -> list[Danger]:
    """The hidden dangers found on a visit."""
    return list(
        session.scalars(select(Danger).where(Danger.inspection_id == inspection.id).order_by(Danger.id))
    )


def to_out(inspection: Inspection) -> dict:
    """An inspection as the API's JSON shape."""
    return {
        "id": inspection.id,
        "enterprise_id": inspection.enterprise_id,
        "jurisdiction_code": inspection.jurisdiction_code,
        "kind": inspection.kind,
        "inspected_at": inspection.inspected_at,
        "inspectors": inspection.inspectors,
        "findings": inspection.findings,
        "dangers_found": inspection.dangers_found,
        "orders": inspection.orders or [],
        "penalty_cny": inspection.penalty_cny,
        "document_no": inspection.document_no,
    }

"""Leader leave reporting (领导外出请假报备): report, approve or reject, cancel.

A leave is approved by a superior: someone holding ``DUTY_MANAGE`` at a level above the leave's
unit, or the chief (主要负责人) of the unit or of its parent unit — never the leader themself.
While approved, rosters show the deputy named in the leave in the leader's place.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from yingji.auth.models import User
from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, visible, writable
from yingji.core import clock
from yingji.core.errors import Conflict, Forbidden, NotFound
from yingji.core.pagination import Page, paginate
from yingji.duty import rotation
from yingji.duty.codes import LEAVE_MOVES, LeaveStatus
from yingji.duty.common import check_people, insert_once, who
from yingji.duty.models import Leave
from yingji.duty.schemas import LeaveDecision, LeaveIn
from yingji.org import places
from yingji.org.models import Position, Unit

# A leave with its leader, deputy and unit, without what those drag in (posts, grid roles …).
LIGHT = (
    joinedload(Leave.person).lazyload("*"),
    joinedload(Leave.deputy).lazyload("*"),
    joinedload(Leave.unit).lazyload("*"),
)


def search(
    session: Session,
    principal: Principal,
    *,
    status: str | None = None,
    within: str | None = None,
    page: int = 1,
    size: int = 50,
) -> Page[Leave]:
    """Leaves in scope, newest start first."""
    stmt = select(Leave).options(*LIGHT).where(in_scope(Leave.jurisdiction_code, principal))
    if status:
        stmt = stmt.where(Leave.status == status)
    stmt = places.narrow(session, principal, stmt, Leave.jurisdiction_code, within)
    return paginate(session, stmt.order_by(Leave.starts_at.desc(), Leave.id.desc()), page, size)


def away_on(session: Session, principal: Principal, at: datetime | None = None) -> list[Leave]:
    """Approved leaves in scope that overlap the local day of ``at`` (default today)."""
    at = at or clock.now()
    day = rotation.local_today(at, clock.LOCAL_TZ)
    start = rotation.local_instant(day, 0, clock.LOCAL_TZ)
    end = start + timedelta(days=1)
    return list(
        session.scalars(
            select(Leave)
            .options(*LIGHT)
            .where(
                in_scope(Leave.jurisdiction_code, principal),
                Leave.status == LeaveStatus.APPROVED,
                Leave.starts_at < end,
                Leave.ends_at > start,
            )
            .order_by(Leave.jurisdiction_code, Leave.starts_at)
        )
    )


def get(session: Session, principal: Principal, leave_id: int) -> Leave:
    """One leave, in scope."""
    return visible(principal, session.get(Leave, leave_id))


def report(session: Session, principal: Principal, data: LeaveIn) -> tuple[Leave, bool]:
    """File a leave (the leader or their office); a retry with the same client key returns
    the first. Returns (leave, created)."""
    unit = session.get(Unit, data.unit_id)
    if unit is None:
        raise NotFound()
    writable(principal, unit.jurisdiction_code, Perm.DUTY_REPORT)
    check_people(session, principal, [data.person_id], "person_id")
    check_people(session, principal, [data.deputy_person_id], "deputy_person_id")
    leave = Leave(
        person_id=data.person_id,
        unit_id=unit.id,
        jurisdiction_code=unit.jurisdiction_code,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        destination=data.destination,
        reason=data.reason,
        deputy_person_id=data.deputy_person_id,
        status=LeaveStatus.PENDING,
        requested_by=who(principal),
        client_key=data.client_key,
    )
    return insert_once(session, principal, leave, Conflict())


def _person_of(session: Session, principal: Principal) -> int | None:
    if principal.user_id is None:
        return None
    return session.scalar(select(User.person_id).where(User.id == principal.user_id))


def is_superior(session: Session, principal: Principal, leave: Leave) -> bool:
    """May ``principal`` approve ``leave``? (see the module note)"""
    if not principal.can(Perm.DUTY_MANAGE) or not principal.covers(leave.jurisdiction_code):
        return False
    me = _person_of(session, principal)
    if me is not None and me == leave.person_id:
        return False
    if len(principal.jurisdiction_code) < len(leave.jurisdiction_code):
        return True
    if me is None:
        return False
    units = [leave.unit_id] + ([leave.unit.parent_id] if leave.unit and leave.unit.parent_id else [])
    chief = session.scalar(
        select(Position.id).where(
            Position.person_id == me, Position.unit_id.in_(units), Position.role == "chief"
        )
    )
    return chief is not None


def _locked(session: Session, principal: Principal, leave_id: int) -> Leave:
    leave = session.get(Leave, leave_id, with_for_update={"of": Leave})
    if leave is None:
        raise NotFound()
    return leave


def decide(session: Session, principal: Principal, leave_id: int, decision: LeaveDecision) -> Leave:
    """Approve or reject a pending leave (row-locked: two superiors cannot both decide)."""
    leave = _locked(session, principal, leave_id)
    if not is_superior(session, principal, leave):
        raise Forbidden("Only a superior can approve or reject this leave.")
    target = LeaveStatus.APPROVED if decision.approve else LeaveStatus.REJECTED
    if target not in LEAVE_MOVES[LeaveStatus(leave.status)]:
        raise Conflict("This leave has already been decided.")
    leave.status = target
    leave.decided_by_user_id = principal.user_id
    leave.decided_by = who(principal)
    leave.decided_at = clock.now()
    leave.decision_note = decision.note
    session.flush()
    return leave


def cancel(session: Session, principal: Principal, leave_id: int) -> Leave:
    """Withdraw a pending or approved leave (the leader is back or did not go)."""
    leave = _locked(session, principal, leave_id)
    writable(principal, leave.jurisdiction_code, Perm.DUTY_REPORT)
    if LeaveStatus.CANCELLED not in LEAVE_MOVES[LeaveStatus(leave.status)]:
        raise Conflict("This leave can no longer be cancelled.")
    leave.status = LeaveStatus.CANCELLED
    session.flush()
    return leave

"""Door-to-door tasks household by household: the households of a task's cell (vulnerable first),
the ticks from the phones (idempotent by client key) and each household's state (its last tick)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, writable
from yingji.core import clock
from yingji.core.errors import Conflict, NotFound, ValidationFailed
from yingji.delivery import field as delivery_field
from yingji.delivery.codes import TaskState
from yingji.delivery.models import DoorTask
from yingji.field.models import DoorVisit
from yingji.field.schemas import VisitIn
from yingji.field.workers import me


@dataclass
class Household:
    household: str
    vulnerable: bool = False
    reached: bool = False
    people: list = field(default_factory=list)  # Resident rows, vulnerable first


def households(session: Session, task: DoorTask) -> list[Household]:
    """The task's households, those with a vulnerable person first, each with its last tick."""
    out: dict[str, Household] = {}
    for r in delivery_field.task_residents(session, task):
        h = out.setdefault(r.household, Household(r.household))
        h.people.append(r)
        h.vulnerable = h.vulnerable or bool(r.vulnerability)
    for household, reached in last_ticks(session, task.id).items():
        if household in out:
            out[household].reached = reached
    return sorted(out.values(), key=lambda h: (not h.vulnerable, h.household))


def last_ticks(session: Session, task_id: int) -> dict[str, bool]:
    """Each household's last tick of a task (one grouped query)."""
    last = (
        select(func.max(DoorVisit.id))
        .where(DoorVisit.task_id == task_id)
        .group_by(DoorVisit.household)
        .scalar_subquery()
    )
    rows = session.execute(select(DoorVisit.household, DoorVisit.reached).where(DoorVisit.id.in_(last)))
    return {h: bool(reached) for h, reached in rows}


def reached_count(session: Session, task_id: int) -> int:
    return sum(1 for v in last_ticks(session, task_id).values() if v)


def record(session: Session, principal: Principal, data: VisitIn) -> tuple[DoorVisit, bool]:
    """Record one tick; the same client key again returns the first one (created False)."""
    known = session.scalar(select(DoorVisit).where(DoorVisit.client_key == data.client_key))
    if known is not None:
        if not principal.covers(known.jurisdiction_code):
            raise NotFound()
        return known, False
    task = session.get(DoorTask, data.task_id)
    if task is None or not principal.covers(task.jurisdiction_code):
        raise NotFound()
    writable(principal, task.jurisdiction_code, Perm.WARNING_ACK)
    if task.state == TaskState.CANCELLED:
        raise Conflict("This door-to-door task was cancelled: the warning was lifted.")
    now = clock.now()
    at = data.visited_at or now
    if at.tzinfo is None or at > now + timedelta(minutes=5):
        raise ValidationFailed(details=[{"field": "visited_at", "message": "The time is in the future."}])
    worker = me(session, principal)
    visit = DoorVisit(
        task_id=task.id,
        jurisdiction_code=task.jurisdiction_code,
        household=data.household.strip(),
        reached=data.reached,
        visited_at=at,
        recorded_at=now,
        user_id=principal.user_id,
        visitor_name=(data.visitor_name or "").strip()[:60] or worker.name,
        visitor_phone=(data.visitor_phone or "").strip()[:20] or worker.phone,
        client_key=data.client_key,
    )
    try:
        with session.begin_nested():  # the unique key decides a race, not the read above
            session.add(visit)
            session.flush()
    except IntegrityError:
        known = session.scalar(select(DoorVisit).where(DoorVisit.client_key == data.client_key))
        if known is None:
            raise
        return known, False
    return visit, True

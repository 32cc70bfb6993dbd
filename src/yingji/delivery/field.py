"""The grid worker's side: the warnings waiting for their confirmation, their door-to-door tasks,
the residents of a task's cell (vulnerable first), and closing a task with the households reached
(idempotent by the client's key: a phone that sends twice on a weak signal closes it once)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.models import User
from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, require, visible, writable
from yingji.core import clock
from yingji.core.errors import Conflict, NotFound, ValidationFailed
from yingji.delivery.codes import DispatchState, TaskState
from yingji.delivery.models import Acknowledgement, Delivery, Dispatch, DoorTask
from yingji.org.models import GridCell
from yingji.residents.models import Resident


@dataclass
class FieldWarning:
    dispatch: Dispatch
    acknowledged: bool


def person_id_of(session: Session, principal: Principal) -> int | None:
    user = session.get(User, principal.user_id) if principal.user_id else None
    return user.person_id if user else None


def my_warnings(session: Session, principal: Principal, limit: int = 20) -> list[FieldWarning]:
    """Active dispatches that reached the principal's person, newest first."""
    person_id = person_id_of(session, principal)
    if person_id is None:
        return []
    dispatches = session.scalars(
        select(Dispatch)
        .where(
            Dispatch.id.in_(
                select(Delivery.dispatch_id).where(
                    Delivery.recipient_kind == "person", Delivery.recipient_id == person_id
                )
            ),
            Dispatch.state == DispatchState.ACTIVE,
        )
        .order_by(Dispatch.id.desc())
        .limit(limit)
    ).all()
    acked = set(
        session.scalars(
            select(Acknowledgement.dispatch_id).where(
                Acknowledgement.person_id == person_id,
                Acknowledgement.dispatch_id.in_([d.id for d in dispatches]),
            )
        )
    )
    return [FieldWarning(d, d.id in acked) for d in dispatches]


def my_tasks(
    session: Session, principal: Principal, open_only: bool = True, limit: int = 50
) -> list[DoorTask]:
    """Door-to-door tasks in the principal's area (a grid worker's group, a leader's village)."""
    require(principal, Perm.WARNING_ACK)
    stmt = select(DoorTask).where(in_scope(DoorTask.jurisdiction_code, principal))
    if open_only:
        stmt = stmt.where(DoorTask.state == TaskState.OPEN)
    return list(session.scalars(stmt.order_by(DoorTask.id.desc()).limit(limit)))


def get_task(session: Session, principal: Principal, task_id: int) -> DoorTask:
    require(principal, Perm.WARNING_ACK)
    return visible(principal, session.get(DoorTask, task_id))


def task_cell(session: Session, task: DoorTask) -> GridCell | None:
    return session.get(GridCell, task.grid_cell_id)


def task_residents(session: Session, task: DoorTask) -> list[Resident]:
    """The cell's residents, vulnerable first, then by household."""
    return list(
        session.scalars(
            select(Resident)
            .where(Resident.jurisdiction_code == task.jurisdiction_code, Resident.active)
            .order_by(Resident.vulnerability.desc(), Resident.household, Resident.id)
            .limit(2000)
        )
    )


def close_task(
    session: Session,
    principal: Principal,
    task_id: int,
    households_reached: int,
    note: str | None = None,
    client_key: str | None = None,
) -> DoorTask:
    """Close with the households reached; the same client key again returns the closed task."""
    task = session.scalar(
        select(DoorTask)
        .where(DoorTask.id == task_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if task is None or not principal.covers(task.jurisdiction_code):
        raise NotFound()
    writable(principal, task.jurisdiction_code, Perm.WARNING_ACK)
    if task.state == TaskState.CLOSED:
        if client_key and task.client_key == client_key:
            return task
        raise Conflict("This door-to-door task is already closed.")
    if task.state != TaskState.OPEN:
        raise Conflict("This door-to-door task was cancelled: the warning was lifted.")
    limit = max(task.households_total * 2, 1000)
    if households_reached < 0 or households_reached > limit:
        raise ValidationFailed(
            details=[{"field": "households_reached", "message": "The number of households is not plausible."}]
        )
    task.state, task.households_reached = TaskState.CLOSED.value, households_reached
    task.closed_at, task.closed_by = clock.now(), principal.user_id
    task.client_key = (client_key or None) and client_key[:64]
    task.note = (note or None) and note[:1000]
    session.flush()
    return task

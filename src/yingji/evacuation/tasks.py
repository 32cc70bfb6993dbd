"""The grid worker's side of an order: the tasks of their cells and the households of a task,
vulnerable first, each with its state in force."""

from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, mask_phone, require, visible
from yingji.evacuation import areas
from yingji.evacuation.codes import HouseholdState, OrderState, TaskState
from yingji.evacuation.models import EvacuationHousehold, EvacuationOrder, EvacuationTask
from yingji.evacuation.schemas import HouseholdOut, TaskOut
from yingji.org.models import GridCell

LIVE = (OrderState.ACTIVE.value, OrderState.LIFTED.value)


def _outs(session: Session, tasks: list[EvacuationTask]) -> list[TaskOut]:
    """Tasks with their order's title and state, the cell's name and how many households are done."""
    if not tasks:
        return []
    h = EvacuationHousehold
    done: dict[tuple[int, int], int] = {}
    for order_id, cell_id, n in session.execute(
        select(h.order_id, h.grid_cell_id, func.count())
        .where(
            h.order_id.in_({t.order_id for t in tasks}),
            h.grid_cell_id.in_({t.grid_cell_id for t in tasks}),
            h.state != HouseholdState.PENDING.value,
        )
        .group_by(h.order_id, h.grid_cell_id)
    ):
        done[(order_id, cell_id)] = n
    orders = {
        o.id: o
        for o in session.scalars(
            select(EvacuationOrder).where(EvacuationOrder.id.in_({t.order_id for t in tasks}))
        )
    }
    cells = dict(
        session.execute(
            select(GridCell.id, GridCell.name).where(GridCell.id.in_({t.grid_cell_id for t in tasks}))
        ).all()
    )
    return [
        TaskOut.model_validate(t).model_copy(
            update={
                "order_title": orders[t.order_id].title,
                "order_state": OrderState(orders[t.order_id].state),
                "cell_name": cells.get(t.grid_cell_id),
                "households_done": done.get((t.order_id, t.grid_cell_id), 0),
            }
        )
        for t in tasks
    ]


def of_order(session: Session, principal: Principal, order_id: int) -> list[TaskOut]:
    """The order's tasks the principal sees (a grid worker: those of their own cells)."""
    order = areas.visible_order(principal, session.get(EvacuationOrder, order_id))
    tasks = session.scalars(
        select(EvacuationTask)
        .where(EvacuationTask.order_id == order.id, in_scope(EvacuationTask.jurisdiction_code, principal))
        .order_by(EvacuationTask.jurisdiction_code)
        .limit(5000)
    ).all()
    return _outs(session, list(tasks))


def mine(session: Session, principal: Principal, open_only: bool = True, limit: int = 50) -> list[TaskOut]:
    """Tasks of live orders in the principal's area (a grid worker's group, a leader's village)."""
    require(principal, Perm.EVACUATION_MARK)
    stmt = (
        select(EvacuationTask)
        .join(EvacuationOrder, EvacuationOrder.id == EvacuationTask.order_id)
        .where(in_scope(EvacuationTask.jurisdiction_code, principal), EvacuationOrder.state.in_(LIVE))
    )
    if open_only:
        stmt = stmt.where(EvacuationTask.state == TaskState.OPEN.value)
    tasks = session.scalars(stmt.order_by(EvacuationTask.id.desc()).limit(limit)).all()
    return _outs(session, list(tasks))


def get(session: Session, principal: Principal, task_id: int) -> EvacuationTask:
    return visible(principal, session.get(EvacuationTask, task_id))


def households(session: Session, principal: Principal, task_id: int) -> list[HouseholdOut]:
    """The households of a task's cell: the ones still to reach first, vulnerable first among them."""
    task = get(session, principal, task_id)
    h = EvacuationHousehold
    waiting = case((h.state.in_([HouseholdState.PENDING.value, HouseholdState.NOT_HOME.value]), 0), else_=1)
    rows = session.scalars(
        select(h)
        .where(h.order_id == task.order_id, h.grid_cell_id == task.grid_cell_id)
        .order_by(waiting, h.vulnerable.desc(), h.jurisdiction_code, h.household)
        .limit(5000)
    ).all()
    return [
        HouseholdOut.model_validate(x).model_copy(update={"mobile": mask_phone(x.mobile, principal)})
        for x in rows
    ]

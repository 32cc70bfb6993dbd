"""What the evacuation pages and the overview list: the orders that reach a place (issued in it,
or above it over an area that reaches into it), one grouped count of every listed order's buckets, the tasks
of an order and of a grid worker, a task's households and the shelters a worker may pick. The
accounting of one order is ``tally.tally``; these are the lists around it."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from yingji.auth.models import User
from yingji.auth.scope import Principal, in_scope, mask_phone
from yingji.evacuation import areas
from yingji.evacuation import orders as orders_service
from yingji.evacuation import tasks as tasks_service
from yingji.evacuation.codes import BUCKET_OF, Bucket, HouseholdState, OrderState, TaskState
from yingji.evacuation.models import EvacuationHousehold, EvacuationOrder, EvacuationRoute, EvacuationTask
from yingji.org.codes import ancestors
from yingji.org.models import GridCell, Jurisdiction, Person
from yingji.shelters.codes import ShelterStatus
from yingji.shelters.models import Shelter

LIVE = (OrderState.ACTIVE.value, OrderState.LIFTED.value)
BUCKET_KEYS = tuple(b.value for b in Bucket)


def reaches(order: EvacuationOrder, p: Principal) -> bool:
    """Whether the order's area reaches into the principal's place (the service's rule)."""
    return areas.overlaps(p, order)


def orders(
    session: Session,
    p: Principal,
    *,
    states: tuple[str, ...] | None = None,
    warning_id: int | None = None,
    alarm_id: int | None = None,
    incident_id: int | None = None,
    limit: int = 200,
) -> list[EvacuationOrder]:
    """Orders issued in the principal's place, and those issued above whose area reaches into it,
    newest first."""
    where = []
    if states:
        where.append(EvacuationOrder.state.in_(states))
    for column, value in (
        (EvacuationOrder.warning_id, warning_id),
        (EvacuationOrder.alarm_id, alarm_id),
        (EvacuationOrder.incident_id, incident_id),
    ):
        if value is not None:
            where.append(column == value)
    above = ancestors(p.jurisdiction_code) if p.jurisdiction_code else []
    place = in_scope(EvacuationOrder.jurisdiction_code, p)
    if above:
        place = or_(place, EvacuationOrder.jurisdiction_code.in_(above))
    stmt = (
        select(EvacuationOrder).where(place, *where).order_by(EvacuationOrder.ordered_at.desc()).limit(limit)
    )
    return [o for o in session.scalars(stmt) if reaches(o, p)]


def get_order(session: Session, p: Principal, order_id: int) -> EvacuationOrder:
    return orders_service.get(session, p, order_id)


def counts(session: Session, p: Principal, order_ids: list[int]) -> dict[int, dict[str, dict[str, int]]]:
    """Per order, the households and people of each bucket in the principal's place (one grouped
    query over the households' one state column); ``threatened`` is their sum."""
    out: dict[int, dict[str, dict[str, int]]] = {}
    if not order_ids:
        return out
    stmt = (
        select(
            EvacuationHousehold.order_id,
            EvacuationHousehold.state,
            func.count(),
            func.coalesce(func.sum(EvacuationHousehold.people), 0),
        )
        .where(
            EvacuationHousehold.order_id.in_(order_ids), in_scope(EvacuationHousehold.jurisdiction_code, p)
        )
        .group_by(EvacuationHousehold.order_id, EvacuationHousehold.state)
    )
    for oid in order_ids:
        out[oid] = {k: {"households": 0, "people": 0} for k in ("threatened", *BUCKET_KEYS)}
    for oid, state, n, people in session.execute(stmt):
        bucket = BUCKET_OF[HouseholdState(state)].value
        for key in (bucket, "threatened"):
            out[oid][key]["households"] += n
            out[oid][key]["people"] += int(people)
    return out


def _names(session: Session, person_ids: set[int], p: Principal) -> dict[int, str]:
    if not person_ids:
        return {}
    rows = session.execute(select(Person.id, Person.name, Person.mobile).where(Person.id.in_(person_ids)))
    return {pid: f"{name} {mask_phone(mobile, p) or ''}".strip() for pid, name, mobile in rows}


def tasks_of_order(session: Session, p: Principal, order_id: int) -> list[dict]:
    """The order's tasks in the principal's place, by grid cell: state, households left, workers."""
    stmt = (
        select(EvacuationTask, GridCell.name)
        .join(GridCell, GridCell.id == EvacuationTask.grid_cell_id, isouter=True)
        .where(EvacuationTask.order_id == order_id, in_scope(EvacuationTask.jurisdiction_code, p))
        .order_by(EvacuationTask.jurisdiction_code)
    )
    rows = session.execute(stmt).all()
    left = dict(
        session.execute(
            select(EvacuationHousehold.grid_cell_id, func.count())
            .where(
                EvacuationHousehold.order_id == order_id,
                EvacuationHousehold.state.in_(
                    [s.value for s, b in BUCKET_OF.items() if b == Bucket.UNACCOUNTED]
                ),
                in_scope(EvacuationHousehold.jurisdiction_code, p),
            )
            .group_by(EvacuationHousehold.grid_cell_id)
        ).all()
    )
    names = _names(session, {i for t, _ in rows for i in (t.assignee_ids or [])}, p)
    return [
        {
            "task": t,
            "cell": cell_name or t.jurisdiction_code,
            "left": left.get(t.grid_cell_id, 0),
            "workers": [names[i] for i in (t.assignee_ids or []) if i in names],
        }
        for t, cell_name in rows
    ]


def person_of(session: Session, p: Principal) -> int | None:
    return session.scalar(select(User.person_id).where(User.id == p.user_id)) if p.user_id else None


def my_tasks(session: Session, p: Principal, *, limit: int = 100) -> list[dict]:
    """The open tasks of live orders for the principal: those naming them first, then the others of
    their place (a grid leader sees the village's cells)."""
    me = person_of(session, p)
    stmt = (
        select(EvacuationTask, EvacuationOrder, GridCell.name)
        .join(EvacuationOrder, EvacuationOrder.id == EvacuationTask.order_id)
        .join(GridCell, GridCell.id == EvacuationTask.grid_cell_id, isouter=True)
        .where(
            EvacuationOrder.state.in_(LIVE),
            EvacuationTask.state != TaskState.CANCELLED.value,
            in_scope(EvacuationTask.jurisdiction_code, p),
        )
        .order_by(EvacuationOrder.ordered_at.desc(), EvacuationTask.jurisdiction_code)
        .limit(limit)
    )
    out = [
        {"task": t, "order": o, "cell": name or t.jurisdiction_code, "mine": me in (t.assignee_ids or [])}
        for t, o, name in session.execute(stmt)
    ]
    out.sort(key=lambda r: (not r["mine"], r["task"].state != TaskState.OPEN.value))
    return out


def get_task(session: Session, p: Principal, task_id: int) -> tuple[EvacuationTask, EvacuationOrder, str]:
    """A task of the principal's place (the service's rule: a grid worker, their own cell's)."""
    task = tasks_service.get(session, p, task_id)
    order = session.get(EvacuationOrder, task.order_id)
    cell = session.get(GridCell, task.grid_cell_id)
    return task, order, cell.name if cell else task.jurisdiction_code


def households(session: Session, p: Principal, task: EvacuationTask) -> list[dict]:
    """The task's households, vulnerable first, then those not yet reached, by place and name."""
    stmt = (
        select(EvacuationHousehold, Jurisdiction.name)
        .join(Jurisdiction, Jurisdiction.code == EvacuationHousehold.jurisdiction_code, isouter=True)
        .where(
            EvacuationHousehold.order_id == task.order_id,
            EvacuationHousehold.grid_cell_id == task.grid_cell_id,
        )
    )
    rows = [
        {
            "id": h.id,
            "place": place or h.jurisdiction_code,
            "household": h.household,
            "head_name": h.head_name,
            "mobile": mask_phone(h.mobile, p),
            "people": h.people,
            "vulnerable": h.vulnerable,
            "state": h.state,
            "shelter_id": h.shelter_id,
            "marked_at": h.marked_at.isoformat() if h.marked_at else None,
        }
        for h, place in session.execute(stmt)
    ]
    rows.sort(
        key=lambda r: (
            -r["vulnerable"],
            r["state"] != HouseholdState.PENDING.value,
            r["place"],
            r["household"],
        )
    )
    return rows


def shelters_near(session: Session, code: str, *, limit: int = 30) -> list[dict]:
    """Open shelters a worker may send people to: the planned one of the place's route first, then
    those of the same village, town and county."""
    planned = set(
        session.scalars(
            select(EvacuationRoute.shelter_id).where(
                EvacuationRoute.jurisdiction_code.in_([code, *ancestors(code)]),
                EvacuationRoute.shelter_id.is_not(None),
            )
        )
    )
    county = code[:6]
    stmt = select(Shelter).where(
        Shelter.active.is_(True),
        Shelter.status.in_([ShelterStatus.OPEN.value, ShelterStatus.FULL.value]),
        Shelter.jurisdiction_code.startswith(county) if county else True,
    )
    rows = list(session.scalars(stmt.limit(500)))

    def near(s: Shelter) -> tuple:
        shared = next(
            (i for i, (a, b) in enumerate(zip(s.jurisdiction_code, code, strict=False)) if a != b),
            min(len(s.jurisdiction_code), len(code)),
        )
        return (s.id not in planned, s.status != ShelterStatus.OPEN.value, -shared, s.name)

    rows.sort(key=near)
    return [
        {
            "id": s.id,
            "name": s.name,
            "room": max(0, (s.capacity or 0) - (s.occupancy or 0)),
            "full": s.status == ShelterStatus.FULL.value,
            "planned": s.id in planned,
        }
        for s in rows[:limit]
    ]

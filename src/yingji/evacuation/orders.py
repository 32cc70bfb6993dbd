"""Evacuation orders (转移令): issued from a warning, an alarm, an incident, a hazard point or by hand;
the households frozen at issue in one INSERT … SELECT over the resident registry; one task per grid
cell for its grid workers; lifted, cancelled and closed along ``codes.ORDER_MOVES``.

Households are not audited row by row (100,000 at once): the order's own audit entry (the model is
``Audited``) records each action with its totals, and the marks log is the field's trail."""

from __future__ import annotations

import secrets

from sqlalchemy import case, exists, func, insert, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from yingji.auth import audit
from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, require, writable
from yingji.core import clock
from yingji.core.errors import Conflict, NotFound, ValidationFailed
from yingji.core.i18n import N_
from yingji.evacuation import areas, push
from yingji.evacuation.codes import ORDER_MOVES, HouseholdState, OrderSource, OrderState, TaskState
from yingji.evacuation.models import EvacuationHousehold, EvacuationOrder, EvacuationTask, HazardThreat
from yingji.evacuation.schemas import LiftIn, OrderIn
from yingji.org.codes import ancestors
from yingji.org.models import GridAssignment, GridCell
from yingji.residents.models import Resident
from yingji.warnings.codes import WarningStatus

# The warning templates whose hazard matches a monitoring hazard kind (picks the groups' routes).
HAZARD_OF_TEMPLATE = {"geohazard_weather_risk": "geological", "flash_flood": "flash_flood"}
WARNINGS_IN_FORCE = (WarningStatus.PUBLISHED, WarningStatus.UPDATED)


def _area_of(session: Session, principal: Principal, data: OrderIn) -> tuple[list[str], int | None, dict]:
    """(division prefixes, hazard point whose threat list it is, fields of the order) for the source."""
    fields: dict = {"source": data.source.value, "hazard_kind": data.hazard_kind}
    given = areas.minimal(_codes(data.area_codes))
    if data.source == OrderSource.MANUAL:
        if not given:
            raise ValidationFailed.on("area_codes", N_("Choose the area to evacuate."))
        return given, None, fields
    if data.source == OrderSource.WARNING:
        from yingji.delivery.targeting import resolve_warning
        from yingji.warnings.models import Warning

        warning = _seen(principal, session.get(Warning, data.warning_id or 0), "warning_id")
        if warning.status not in WARNINGS_IN_FORCE:
            raise Conflict(N_("This warning is not in force."))
        fields.update(warning_id=warning.id, drill_id=getattr(warning, "drill_id", None))
        fields["hazard_kind"] = data.hazard_kind or HAZARD_OF_TEMPLATE.get(warning.template_key or "")
        prefixes = given or resolve_warning(session, warning).covered
        return areas.clip(prefixes, principal.jurisdiction_code), None, fields
    if data.source == OrderSource.INCIDENT:
        from yingji.incidents.models import Incident

        incident = _seen(principal, session.get(Incident, data.incident_id or 0), "incident_id")
        fields.update(incident_id=incident.id, drill_id=incident.drill_id)
        return areas.clip(given or [incident.jurisdiction_code], principal.jurisdiction_code), None, fields
    from yingji.monitoring.models import Alarm, HazardPoint

    point_id = data.hazard_point_id
    if data.source == OrderSource.ALARM:
        alarm = _seen(principal, session.get(Alarm, data.alarm_id or 0), "alarm_id")
        fields["alarm_id"] = alarm.id
        point_id = alarm.hazard_point_id
        if point_id is None:
            return areas.clip(given or [alarm.jurisdiction_code], principal.jurisdiction_code), None, fields
    point = _seen(principal, session.get(HazardPoint, point_id or 0), "hazard_point_id")
    fields.update(hazard_point_id=point.id, hazard_kind=data.hazard_kind or point.kind)
    listed = session.scalars(
        select(HazardThreat.jurisdiction_code).where(HazardThreat.hazard_point_id == point.id).distinct()
    ).all()
    if listed:  # the threat list, household by household
        return areas.minimal(list(listed)), point.id, fields
    return [point.jurisdiction_code], None, fields  # no list yet: the point's village group


def _codes(raw: list[str]) -> list[str]:
    from yingji.org import codes

    out = []
    for value in raw or []:
        try:
            out.append(codes.normalise(value))
        except ValueError:
            raise ValidationFailed.on("area_codes", N_("Not a division code.")) from None
    return out


def _seen(principal: Principal, obj, field: str):
    if obj is None or not principal.covers(obj.jurisdiction_code):
        raise ValidationFailed.on(field, N_("Not found in your jurisdiction."))
    return obj


def _households_select(order_id: int, prefixes: list[str], point_id: int | None):
    """SELECT of the order's households from the registry: grouped by household, head = the first
    resident by id, people and vulnerable counted, the grid cell of the group (else of the village)."""
    r = Resident
    where = [r.active, areas.ranges(r.jurisdiction_code, prefixes)]
    if point_id is not None:
        where.append(
            exists().where(
                HazardThreat.hazard_point_id == point_id,
                HazardThreat.jurisdiction_code == r.jurisdiction_code,
                HazardThreat.household == r.household,
            )
        )
    grouped = (
        select(
            r.jurisdiction_code.label("code"),
            r.household.label("household"),
            func.min(r.id).label("head_id"),
            func.count().label("people"),
            func.sum(case((r.vulnerability > 0, 1), else_=0)).label("vulnerable"),
        )
        .where(*where)
        .group_by(r.jurisdiction_code, r.household)
        .subquery()
    )
    cell_area = areas.ranges(GridCell.jurisdiction_code, areas.minimal([p[:12] for p in prefixes]))

    def cells(level: int):
        return (
            select(GridCell.jurisdiction_code.label("code"), func.min(GridCell.id).label("id"))
            .where(GridCell.level == level, cell_area)
            .group_by(GridCell.jurisdiction_code)
            .subquery()
        )

    groups, villages = cells(3), cells(2)
    head = aliased(Resident)
    return select(
        literal(order_id),
        grouped.c.code,
        grouped.c.household,
        func.coalesce(groups.c.id, villages.c.id),
        head.name,
        head.mobile,
        grouped.c.people,
        grouped.c.vulnerable,
        literal(HouseholdState.PENDING.value),
    ).select_from(
        grouped.join(head, head.id == grouped.c.head_id)
        .outerjoin(groups, groups.c.code == grouped.c.code)
        .outerjoin(villages, villages.c.code == func.substr(grouped.c.code, 1, 12))
    )


HOUSEHOLD_COLUMNS = (
    "order_id",
    "jurisdiction_code",
    "household",
    "grid_cell_id",
    "head_name",
    "mobile",
    "people",
    "vulnerable",
    "state",
)


def issue(
    session: Session, principal: Principal, data: OrderIn, *, drill_id: int | None = None
) -> EvacuationOrder:
    """Issue an order: the area checked against the issuer's jurisdiction, the households frozen,
    one task per grid cell. The same ``client_key`` again returns the order already issued."""
    require(principal, Perm.EVACUATION_ORDER)
    if data.client_key:
        done = session.scalar(select(EvacuationOrder).where(EvacuationOrder.client_key == data.client_key))
        if done is not None:
            return areas.visible_order(principal, done)
    prefixes, point_id, fields = _area_of(session, principal, data)
    if not prefixes:
        raise ValidationFailed.on("area_codes", N_("The area lies outside your jurisdiction."))
    for code in prefixes:
        writable(principal, code, Perm.EVACUATION_ORDER)
    if drill_id is not None:
        fields["drill_id"] = drill_id
    now = clock.now()
    place = principal.jurisdiction_code or areas.common_root(session, prefixes)
    values = dict(
        code=f"ZY{now:%Y%m%d%H%M%S}{secrets.token_hex(2).upper()}",
        title=data.title,
        jurisdiction_code=place,
        area_codes=prefixes,
        state=OrderState.ACTIVE.value,
        reason=data.reason,
        ordered_at=now,
        ordered_by=principal.user_id,
        client_key=data.client_key,
        households_total=0,
        people_total=0,
        **{k: v for k, v in fields.items() if v is not None},
    )
    # Core insert and one explicit audit entry with the totals (the listener would write the row
    # before its totals are known, then a second entry for them).
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    order_id = session.execute(
        dialect.insert(EvacuationOrder)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["client_key"])
        .returning(EvacuationOrder.id)
    ).scalar()
    if order_id is None:  # the same key issued concurrently (a double tap): that order is the answer
        done = session.scalar(select(EvacuationOrder).where(EvacuationOrder.client_key == data.client_key))
        return areas.visible_order(principal, done)
    session.execute(
        insert(EvacuationHousehold).from_select(
            list(HOUSEHOLD_COLUMNS), _households_select(order_id, prefixes, point_id)
        )
    )
    households, people = session.execute(
        select(func.count(), func.coalesce(func.sum(EvacuationHousehold.people), 0)).where(
            EvacuationHousehold.order_id == order_id
        )
    ).one()
    if not households:
        raise ValidationFailed.on("area_codes", N_("Nobody in the resident registry lives in this area."))
    values.update(households_total=households, people_total=int(people))
    session.execute(
        update(EvacuationOrder)
        .where(EvacuationOrder.id == order_id)
        .values(households_total=households, people_total=int(people))
    )
    tasks = _make_tasks(session, order_id, now)
    audit.record(
        session,
        "create",
        "evacuation_orders",
        order_id,
        jurisdiction_code=place,
        after={**values, "ordered_at": now.isoformat(), "tasks": tasks},
        note="evacuation order issued (households frozen from the resident registry)",
    )
    order = session.get(EvacuationOrder, order_id)
    if order.drill_id is None:  # a drill's order reaches nobody; real ones tell the grid workers (inbox)
        from yingji.evacuation.jobs import NOTIFY_JOB
        from yingji.jobs import queue

        queue.enqueue(session, NOTIFY_JOB, {"order_id": order_id}, dedupe_key=f"{NOTIFY_JOB}:{order_id}")
    push.tally_moved(session, order)
    return order


def _make_tasks(session: Session, order_id: int, now) -> int:
    h = EvacuationHousehold
    cells = session.execute(
        select(
            h.grid_cell_id,
            GridCell.jurisdiction_code,
            func.count(),
            func.sum(h.people),
            func.sum(case((h.vulnerable > 0, h.vulnerable), else_=0)),
        )
        .join(GridCell, GridCell.id == h.grid_cell_id)
        .where(h.order_id == order_id)
        .group_by(h.grid_cell_id, GridCell.jurisdiction_code)
    ).all()
    staff: dict[int, set[int]] = {}
    cell_ids = select(h.grid_cell_id).where(h.order_id == order_id).distinct()
    for cell_id, person_id in session.execute(
        select(GridAssignment.grid_cell_id, GridAssignment.person_id).where(
            GridAssignment.grid_cell_id.in_(cell_ids)
        )
    ):
        staff.setdefault(cell_id, set()).add(person_id)
    rows = [
        {
            "order_id": order_id,
            "grid_cell_id": cell_id,
            "jurisdiction_code": code,
            "assignee_ids": sorted(staff.get(cell_id, ())),
            "households_total": n,
            "people_total": int(people or 0),
            "vulnerable_total": int(vulnerable or 0),
            "state": TaskState.OPEN.value,
            "created_at": now,
            "updated_at": now,
        }
        for cell_id, code, n, people, vulnerable in cells
    ]
    if rows:
        session.execute(insert(EvacuationTask), rows)
    return len(rows)


def get(session: Session, principal: Principal, order_id: int) -> EvacuationOrder:
    return areas.visible_order(principal, session.get(EvacuationOrder, order_id))


def search(
    session: Session,
    principal: Principal,
    *,
    state: str | None = None,
    warning_id: int | None = None,
    page: int = 1,
    size: int = 50,
) -> tuple[list[EvacuationOrder], int]:
    """Orders the principal sees: issued in their subtree, or issued above with an area reaching them."""
    o = EvacuationOrder
    mine = principal.jurisdiction_code
    stmt = select(o).where(
        or_(in_scope(o.jurisdiction_code, principal), o.jurisdiction_code.in_(ancestors(mine)))
    )
    if state:
        stmt = stmt.where(o.state == state)
    if warning_id:
        stmt = stmt.where(o.warning_id == warning_id)
    rows = [
        x
        for x in session.scalars(stmt.order_by(o.ordered_at.desc(), o.id.desc()).limit(2000))
        if areas.overlaps(principal, x)
    ]
    return rows[(page - 1) * size : page * size], len(rows)


def _locked(session: Session, principal: Principal, order_id: int) -> EvacuationOrder:
    order = session.scalar(
        select(EvacuationOrder)
        .where(EvacuationOrder.id == order_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if order is None or not areas.overlaps(principal, order):
        raise NotFound()
    writable(principal, order.jurisdiction_code, Perm.EVACUATION_ORDER)
    return order


MOVE_REFUSED = {
    OrderState.LIFTED: N_("Only an order still in force can be lifted."),
    OrderState.CANCELLED: N_("Only an order still in force can be cancelled."),
    OrderState.CLOSED: N_("Only a lifted order can be closed."),
}


def _move(order: EvacuationOrder, target: OrderState) -> None:
    if target not in ORDER_MOVES[OrderState(order.state)]:
        raise Conflict(MOVE_REFUSED[target])
    order.state = target.value


def lift(session: Session, principal: Principal, order_id: int, data: LiftIn) -> EvacuationOrder:
    """解除: people may go home (marks of return are accepted from now on)."""
    order = _locked(session, principal, order_id)
    _move(order, OrderState.LIFTED)
    order.lifted_at, order.lifted_by, order.lift_note = clock.now(), principal.user_id, data.note
    session.flush()
    push.tally_moved(session, order)
    return order


def cancel(session: Session, principal: Principal, order_id: int, data: LiftIn) -> EvacuationOrder:
    """Issued in error: read-only from now on, its marks kept; its tasks cancelled."""
    order = _locked(session, principal, order_id)
    _move(order, OrderState.CANCELLED)
    order.lifted_at, order.lifted_by, order.lift_note = clock.now(), principal.user_id, data.note
    _end_tasks(session, order.id)
    session.flush()
    push.tally_moved(session, order)
    return order


def close(session: Session, principal: Principal, order_id: int) -> EvacuationOrder:
    """Everyone home or accounted for: the order becomes read-only."""
    order = _locked(session, principal, order_id)
    _move(order, OrderState.CLOSED)
    _end_tasks(session, order.id)
    session.flush()
    push.tally_moved(session, order)
    return order


def _end_tasks(session: Session, order_id: int) -> None:
    session.execute(
        update(EvacuationTask)
        .where(EvacuationTask.order_id == order_id, EvacuationTask.state == TaskState.OPEN.value)
        .values(state=TaskState.CANCELLED.value, updated_at=clock.now())
    )

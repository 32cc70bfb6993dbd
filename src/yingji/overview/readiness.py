"""Tiles of what stands ready and what warns: warnings in force with their delivery and
acknowledgement coverage, active alarms and hazard points in alarm, teams, supply gaps and who is on
duty. The owning domains' services where they exist; else one grouped query per tile."""

from __future__ import annotations

from sqlalchemy import and_, case, distinct, func, literal, or_, select, union_all
from sqlalchemy.orm import Session, selectinload

from yingji.auth.scope import Principal, in_scope, mask_phone
from yingji.core import clock
from yingji.core.i18n import gettext
from yingji.delivery.codes import DeliveryState, DispatchState
from yingji.delivery.models import Delivery, Dispatch, DispatchCell
from yingji.drills import marks
from yingji.duty import board as duty_board
from yingji.duty import oncall
from yingji.forces.models import Team
from yingji.monitoring import alarms as monitoring_alarms
from yingji.monitoring.models import OPEN_STATES, Alarm
from yingji.org.codes import ancestors
from yingji.overview import labels
from yingji.overview.schemas import (
    AlarmsOut,
    DutyOut,
    DutyPersonOut,
    DutyRowOut,
    Figure,
    SuppliesOut,
    TeamsOut,
    WarningLevelOut,
    WarningsOut,
)
from yingji.overview.situation import link
from yingji.supplies import gaps, rules
from yingji.supplies.models import STORE_LEVELS, Balance, Item, ReserveStandard, Warehouse
from yingji.warnings.codes import WarningStatus
from yingji.warnings.models import Warning, WarningInfo


def _share(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def _in_force(session: Session, p: Principal) -> tuple[list[int], list[int]]:
    """Ids of the warnings in force over the scope: those issued in it, and those issued above it
    whose area reaches into it (a town lives under the city's red warning as much as its own)."""
    now = clock.now()
    current = (
        Warning.status == WarningStatus.PUBLISHED,
        or_(Warning.expires.is_(None), Warning.expires > now),
        marks.real_warning(Warning),
    )
    own = list(session.scalars(select(Warning.id).where(*current, in_scope(Warning.jurisdiction_code, p))))
    above = ancestors(p.jurisdiction_code)
    over: list[int] = []
    if above:
        stmt = (
            select(Warning)
            .where(*current, Warning.jurisdiction_code.in_(above))
            .options(selectinload(Warning.infos).selectinload(WarningInfo.areas))
        )
        here = p.jurisdiction_code
        over = [
            w.id
            for w in session.scalars(stmt)
            if any(here.startswith(code) or p.covers(code) for code in w.area_codes())
        ]
    return own, own + over


def warnings(session: Session, p: Principal, within: str | None) -> WarningsOut:
    own, in_force = _in_force(session, p)
    counts = dict(
        session.execute(
            select(Warning.level, func.count()).where(Warning.id.in_(in_force)).group_by(Warning.level)
        ).all()
    )
    # Coverage of the warnings' active dispatches, counted in the viewer's own cells.
    cells = {
        level: (n, acked)
        for level, n, acked in session.execute(
            select(Dispatch.level, func.count(), func.count(DispatchCell.acknowledged_at))
            .join(DispatchCell, DispatchCell.dispatch_id == Dispatch.id)
            .where(
                Dispatch.warning_id.in_(in_force),
                Dispatch.state == DispatchState.ACTIVE,
                in_scope(DispatchCell.cell_code, p),
            )
            .group_by(Dispatch.level)
        )
    }
    delivered_states = (DeliveryState.DELIVERED, DeliveryState.ACKNOWLEDGED)
    sent = {
        level: (n, int(ok or 0))
        for level, n, ok in session.execute(
            select(
                Dispatch.level,
                func.count(),
                func.sum(case((Delivery.state.in_(delivered_states), 1), else_=0)),
            )
            .join(Delivery, Delivery.dispatch_id == Dispatch.id)
            # Only the scope's own warnings count, so their deliveries are all in scope: no filter on
            # the recipient's cell, and the count reads the (dispatch, channel, state) index alone.
            # (A warning from above counts in force and in the acknowledged cells, not here.)
            .where(Dispatch.warning_id.in_(own), Dispatch.state == DispatchState.ACTIVE)
            .group_by(Dispatch.level)
        )
    }
    rows = []
    for level, name in labels.WARNING_LEVELS.items():
        n_cells, acked = cells.get(level, (0, 0))
        n_sent, ok = sent.get(level, (0, 0))
        rows.append(
            WarningLevelOut(
                level=level,
                label=gettext(name),
                count=counts.get(level, 0),
                link=link("/warnings", within, view="current", level=level),
                cells=n_cells,
                acknowledged_cells=acked,
                deliveries=n_sent,
                delivered=ok,
                ack_share=_share(acked, n_cells),
                delivery_share=_share(ok, n_sent),
            )
        )
    all_cells = sum(r.cells for r in rows)
    all_sent = sum(r.deliveries for r in rows)
    return WarningsOut(
        in_force=sum(counts.values()),
        link=link("/warnings", within, view="current"),
        by_level=rows,
        ack_share=_share(sum(r.acknowledged_cells for r in rows), all_cells),
        delivery_share=_share(sum(r.delivered for r in rows), all_sent),
    )


def alarms(session: Session, p: Principal, within: str | None) -> AlarmsOut:
    counts = monitoring_alarms.board_counts(session, p, real_only=True)
    points = (
        session.scalar(
            select(func.count(distinct(Alarm.hazard_point_id))).where(
                in_scope(Alarm.jurisdiction_code, p), Alarm.state.in_(OPEN_STATES), marks.real_alarm(Alarm)
            )
        )
        or 0
    )
    return AlarmsOut(
        active=sum(counts.values()),
        by_level=[
            Figure(
                key=level,
                label=gettext(labels.WARNING_LEVELS[level]),
                count=counts.get(level, 0),
                link=link("/monitoring/alarms", within, level=level),
            )
            for level in labels.ALARM_LEVELS
        ],
        points_in_alarm=points,
        link=link("/monitoring/alarms", within),
        points_link=link("/monitoring/points", within, alarm="1"),
    )


def teams(session: Session, p: Principal, within: str | None) -> TeamsOut:
    """Active teams by readiness: one grouped count over the scope (the readiness board's per-place
    split and members on call cost a join over every member, seconds for a province)."""
    counts = dict(
        session.execute(
            select(Team.readiness, func.count())
            .where(in_scope(Team.jurisdiction_code, p), Team.active)
            .group_by(Team.readiness)
        ).all()
    )
    return TeamsOut(
        total=sum(counts.values()),
        ready=counts.get("on_call", 0),
        deployed=counts.get("deployed", 0),
        resting=counts.get("resting", 0),
        unavailable=counts.get("unavailable", 0),
        link=link("/forces", within),
        ready_link=link("/forces/teams", within, readiness="on_call"),
        deployed_link=link("/forces/teams", within, readiness="deployed"),
    )


def supplies(session: Session, p: Principal, within: str | None) -> SuppliesOut:
    """Stores short of their reserve list, units missing, share held. Set-based: each store's
    holdings per item against its level's list, summed in SQL (a province has ~20,000 stores; the
    gap report's per-store objects take seconds there). Where a local reserve list overrides the
    packaged one, the gap report's own resolution is used instead (it knows the overrides)."""
    overrides = session.scalar(
        select(func.count())
        .select_from(ReserveStandard)
        .where(
            or_(in_scope(ReserveStandard.jurisdiction_code, p), _above(ReserveStandard.jurisdiction_code, p))
        )
    )
    if overrides:
        return _supplies_by_report(session, p, within)
    return _supplies_sql(session, p, within)


def _supplies_sql(session: Session, p: Principal, within: str | None) -> SuppliesOut:
    items = dict(session.execute(select(Item.code, Item.id)).all())
    wanted = [
        (level, items[code], qty)
        for level in STORE_LEVELS
        for code, qty in rules.default_reserve(level).items()
        if qty > 0 and code in items
    ]
    stores = (
        session.scalar(select(func.count()).where(Warehouse.active, in_scope(Warehouse.jurisdiction_code, p)))
        or 0
    )
    if not wanted or not stores:
        return SuppliesOut(
            stores=stores, stores_short=0, missing_units=0, coverage=100, link=link("/supplies/gaps", within)
        )
    # The reserve lists as rows (a UNION of literals: SQLite has no column aliases on VALUES).
    req = union_all(
        *(
            select(literal(level).label("level"), literal(item).label("item_id"), literal(qty).label("qty"))
            for level, item, qty in wanted
        )
    ).subquery("req")
    held = (
        select(
            Balance.warehouse_id.label("wid"), Balance.item_id.label("iid"), func.sum(Balance.qty).label("q")
        )
        .where(in_scope(Balance.jurisdiction_code, p))
        .group_by(Balance.warehouse_id, Balance.item_id)
        .subquery()
    )
    have = func.coalesce(held.c.q, 0)
    per_store = (
        select(
            func.sum(req.c.qty).label("required"),
            func.sum(case((have >= req.c.qty, req.c.qty), else_=have)).label("covered"),
        )
        .select_from(Warehouse)
        .join(req, req.c.level == Warehouse.level)
        .outerjoin(held, and_(held.c.wid == Warehouse.id, held.c.iid == req.c.item_id))
        .where(Warehouse.active, in_scope(Warehouse.jurisdiction_code, p))
        .group_by(Warehouse.id)
        .subquery()
    )
    short, required, covered = session.execute(
        select(
            func.sum(case((per_store.c.covered < per_store.c.required, 1), else_=0)),
            func.sum(per_store.c.required),
            func.sum(per_store.c.covered),
        )
    ).one()
    required, covered = int(required or 0), int(covered or 0)
    return SuppliesOut(
        stores=stores,
        stores_short=int(short or 0),
        missing_units=required - covered,
        coverage=round(100 * covered / required) if required else 100,
        link=link("/supplies/gaps", within),
    )


def _above(column, p: Principal):
    """The column names one of the principal's ancestors (a reserve list set above applies here)."""
    return column.in_(ancestors(p.jurisdiction_code)) if p.jurisdiction_code else False


def _supplies_by_report(session: Session, p: Principal, within: str | None) -> SuppliesOut:
    stores = gaps.store_gaps(session, p)
    required = sum(sum(g.required.values()) for g in stores)
    covered = sum(sum(min(g.held.get(c, 0), q) for c, q in g.required.items()) for g in stores)
    return SuppliesOut(
        stores=len(stores),
        stores_short=sum(1 for g in stores if g.missing),
        missing_units=sum(g.missing_units for g in stores),
        coverage=round(100 * covered / required) if required else 100,
        link=link("/supplies/gaps", within),
    )


def _person(person: oncall.DutyPerson | None, viewer: Principal) -> DutyPersonOut | None:
    if person is None:
        return None
    return DutyPersonOut(name=person.name, phone=mask_phone(person.mobile or person.office_phone, viewer))


def duty(session: Session, p: Principal, viewer: Principal) -> DutyOut:
    """The shift on now of every duty unit at the scope's level and the level below (the counties
    of a city); phones masked for the viewer's role."""
    own, below = duty_board.rosters_near(session, p)
    rows = []
    for d in oncall.current_shifts(session, own + below):
        gaps_now = [gettext(labels.DUTY_GAPS[g]) for g in d.shift.gaps if g in labels.DUTY_GAPS]
        rows.append(
            DutyRowOut(
                code=d.jurisdiction_code,
                place=d.jurisdiction_name,
                unit=d.unit_name,
                duty_phone=mask_phone(d.duty_phone, viewer),
                leader=_person(d.leader, viewer),
                officers=[_person(o, viewer) for o in d.officers],
                gaps=gaps_now,
            )
        )
    uncovered = sum(1 for r in rows if r.leader is None and not r.officers)
    return DutyOut(rows=rows, uncovered=uncovered, link="/duty")

"""Tiles of what stands ready and what warns: warnings in force with their delivery and
acknowledgement coverage, active alarms and hazard points in alarm, teams, supply gaps and who is on
duty. The owning domains' services where they exist; else one grouped query per tile."""

from __future__ import annotations

from sqlalchemy import case, distinct, func, or_, select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal, in_scope, mask_phone
from yingji.core import clock
from yingji.core.i18n import gettext
from yingji.delivery.models import Delivery, Dispatch, DispatchCell
from yingji.duty import board as duty_board
from yingji.duty import oncall
from yingji.forces import board as forces_board
from yingji.monitoring import alarms as monitoring_alarms
from yingji.monitoring.models import OPEN_STATES, Alarm
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
from yingji.supplies import gaps
from yingji.warnings.models import Warning


def _share(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def warnings(session: Session, p: Principal, within: str | None) -> WarningsOut:
    now = clock.now()
    in_force = select(Warning.id).where(
        Warning.status == "published",
        or_(Warning.expires.is_(None), Warning.expires > now),
        in_scope(Warning.jurisdiction_code, p),
    )
    counts = dict(
        session.execute(
            select(Warning.level, func.count()).where(Warning.id.in_(in_force)).group_by(Warning.level)
        ).all()
    )
    # Coverage of the warnings' latest active dispatches, counted in the viewer's own cells.
    cells = {
        level: (n, acked)
        for level, n, acked in session.execute(
            select(Dispatch.level, func.count(), func.count(DispatchCell.acknowledged_at))
            .join(DispatchCell, DispatchCell.dispatch_id == Dispatch.id)
            .where(
                Dispatch.warning_id.in_(in_force),
                Dispatch.state == "active",
                in_scope(DispatchCell.cell_code, p),
            )
            .group_by(Dispatch.level)
        )
    }
    delivered_states = ("delivered", "acknowledged")
    sent = {
        level: (n, int(ok or 0))
        for level, n, ok in session.execute(
            select(
                Dispatch.level,
                func.count(),
                func.sum(case((Delivery.state.in_(delivered_states), 1), else_=0)),
            )
            .join(Delivery, Delivery.dispatch_id == Dispatch.id)
            .where(
                Dispatch.warning_id.in_(in_force),
                Dispatch.state == "active",
                Delivery.purpose == "warning",
                in_scope(Delivery.cell_code, p),
            )
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
    counts = monitoring_alarms.board_counts(session, p)
    points = (
        session.scalar(
            select(func.count(distinct(Alarm.hazard_point_id))).where(
                in_scope(Alarm.jurisdiction_code, p), Alarm.state.in_(OPEN_STATES)
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
    b = forces_board.board(session, p, p.jurisdiction_code or None)
    t = b.totals.teams
    return TeamsOut(
        total=b.totals.total,
        ready=t.get("on_call", 0),
        deployed=t.get("deployed", 0),
        resting=t.get("resting", 0),
        unavailable=t.get("unavailable", 0),
        members_on_call=b.totals.members_on_call,
        link=link("/forces", within),
        ready_link=link("/forces/teams", within, readiness="on_call"),
        deployed_link=link("/forces/teams", within, readiness="deployed"),
    )


def supplies(session: Session, p: Principal, within: str | None) -> SuppliesOut:
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

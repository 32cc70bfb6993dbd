"""Monitoring pages: the alarm board (live through htmx polling), alarms, hazard points with live
readings (ECharts), the sensor registry and rejected readings, alarm rules. The phone pages for
patrols are in ``views_phone`` (included here)."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import require
from yingji.core import clock
from yingji.core.deps import DbSession
from yingji.core.i18n import N_
from yingji.monitoring import alarm_rules, alarms, catalog, patrols, points, sensors, views_forms, views_phone
from yingji.monitoring.models import HAZARD_KINDS, LEVELS, SENSOR_KINDS
from yingji.monitoring.views_common import page
from yingji.org import places
from yingji.org.models import Jurisdiction
from yingji.org.params import url_code
from yingji.web import nav
from yingji.web.nav import NavItem

router = APIRouter(include_in_schema=False)
SECTION = N_("Monitoring")

nav.register(SECTION, NavItem("mon-alarms", N_("Alarm board"), "/monitoring/alarms"))
nav.register(SECTION, NavItem("mon-points", N_("Hazard points"), "/monitoring/points"))
nav.register(SECTION, NavItem("mon-patrol", N_("My patrols"), "/monitoring/patrol", Perm.PATROL_LOG))
nav.register(SECTION, NavItem("mon-sensors", N_("Sensors"), "/monitoring/sensors"))
nav.register(SECTION, NavItem("mon-rules", N_("Alarm rules"), "/monitoring/rules", Perm.MONITORING_MANAGE))


# -- the alarm board -----------------------------------------------------------------------------
@router.get("/monitoring")
def monitoring_home() -> RedirectResponse:
    """The monitoring section opens on the alarm board."""
    return RedirectResponse("/monitoring/alarms", status_code=303)


@router.get("/monitoring/alarms")
def alarm_board(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    state: Annotated[str, Query(pattern="^(open|all|cleared)$")] = "open",
    level: Annotated[str, Query(pattern="^(|" + "|".join(LEVELS) + ")$")] = "",
    within: str | None = None,
    page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
):
    """Open alarms by severity and town (the board polls itself), or the history; ``within`` narrows
    the board to a place of one's jurisdiction (404 outside)."""
    code = url_code(within)
    if code:  # the same services, seen from the narrower place
        principal = replace(principal, jurisdiction_code=places.get(session, principal, code).code)
    result = alarms.search(
        session,
        principal,
        state=None if state == "all" else state,
        level=level or None,
        page=page_no,
        size=50,
    )
    ctx = {
        "page": result,
        "state": state,
        "level": level,
        "counts": alarms.board_counts(session, principal),
        "towns": alarms.by_town(session, principal) if state == "open" else [],
        "overdue": points.overdue_count(session, principal),
    }
    if request.headers.get("hx-request"):
        return page(request, "monitoring/_board.html", ctx)
    return page(request, "monitoring/board.html", ctx)


@router.get("/monitoring/alarms/{alarm_id:int}")
def alarm_page(alarm_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    """An alarm with its history, chart and the acknowledge and clear forms."""
    alarm = alarms.get(session, principal, alarm_id)
    ctx = {"alarm": alarm, "events": alarms.events_of(session, alarm), "place": places_name(session, alarm)}
    return page(request, "monitoring/alarm.html", ctx)


def places_name(session, alarm) -> str:
    """The name of the alarm's place."""
    place = session.get(Jurisdiction, alarm.jurisdiction_code)
    return place.name if place else alarm.jurisdiction_code


@router.post("/monitoring/alarms/{alarm_id:int}/ack")
def alarm_ack(
    alarm_id: int,
    principal: CurrentPrincipal,
    session: DbSession,
    note: Annotated[str, Form(max_length=2000)] = "",
):
    """Acknowledge from the alarm page."""
    alarms.acknowledge(session, principal, alarm_id, note)
    return RedirectResponse(f"/monitoring/alarms/{alarm_id}", status_code=303)


@router.post("/monitoring/alarms/{alarm_id:int}/clear")
def alarm_clear(
    alarm_id: int,
    principal: CurrentPrincipal,
    session: DbSession,
    note: Annotated[str, Form(max_length=2000)] = "",
):
    """Clear by hand from the alarm page."""
    alarms.clear_by_hand(session, principal, alarm_id, note)
    return RedirectResponse(f"/monitoring/alarms/{alarm_id}", status_code=303)


# -- hazard points ---------------------------------------------------------------------------------
@router.get("/monitoring/points")
def points_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    q: Annotated[str, Query(max_length=60)] = "",
    kind: Annotated[str, Query(pattern="^(|" + "|".join(HAZARD_KINDS) + ")$")] = "",
    within: str | None = None,
    overdue: bool = False,
    alarm: bool = False,
    page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
):
    """Hazard points by kind, place, overdue patrol and open alarm."""
    result = points.search(
        session,
        principal,
        q=q,
        kind=kind or None,
        within=url_code(within),
        overdue=overdue,
        alarm=alarm,
        page=page_no,
    )
    ctx = {
        "page": result,
        "q": q,
        "kind": kind,
        "within": within or "",
        "overdue": overdue,
        "alarm": alarm,
        "by_kind": points.counts_by_kind(session, principal),
        "overdue_n": points.overdue_count(session, principal),
    }
    return page(request, "monitoring/points.html", ctx)


@router.get("/monitoring/points/{point_id:int}")
def point_page(point_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    """A hazard point: people, sensors with live charts, alarms, patrols, rules."""
    point = points.get(session, principal, point_id)
    found = points.sensors_of(session, point)
    logs = patrols.logs_of(session, principal, point.id, size=10)
    ctx = {
        "point": point,
        "trail": places.breadcrumbs(session, principal, point.jurisdiction),
        "people": points.people_of(session, point),
        "sensors": found,
        "states": sensors.states(session, [s.id for s in found]),
        "alarms": alarms.search(session, principal, state=None, point_id=point.id, size=20).items,
        "logs": logs.items,
        "photos": patrols.photos_of(session, [log.id for log in logs.items]),
        "every_days": catalog.patrol_every_days(point.kind, clock.now(), point.patrol_every_days),
        "rules": {
            k: alarm_rules.effective_for(session, principal, point, k) for k in {s.kind for s in found}
        },
    }
    return page(request, "monitoring/point.html", ctx)


# -- sensors -------------------------------------------------------------------------------------
@router.get("/monitoring/sensors")
def sensors_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    q: Annotated[str, Query(max_length=60)] = "",
    kind: Annotated[str, Query(pattern="^(|" + "|".join(SENSOR_KINDS) + ")$")] = "",
    page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
):
    """The sensor registry."""
    result = sensors.search(session, principal, q=q, kind=kind or None, page=page_no)
    ctx = {
        "page": result,
        "q": q,
        "kind": kind,
        "states": sensors.states(session, [s.id for s in result.items]),
        "silent": sensors.silent,
        "rejected": sensors.rejection_totals(session, principal),
    }
    return page(request, "monitoring/sensors.html", ctx)


@router.get("/monitoring/sensors/{sensor_id:int}")
def sensor_page(sensor_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    """A sensor with its chart and alarms."""
    sensor = sensors.get(session, principal, sensor_id)
    state = sensors.states(session, [sensor.id]).get(sensor.id)
    ctx = {
        "sensor": sensor,
        "state": state,
        "alarms": alarms.search(session, principal, state=None, sensor_id=sensor.id, size=20).items,
        "silent": sensors.silent(sensor, state),
    }
    return page(request, "monitoring/sensor.html", ctx)


@router.get("/monitoring/rejections")
def rejections_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
):
    """Rejected readings per sensor and reason."""
    result = sensors.rejections(session, principal, page=page_no)
    ctx = {"page": result, "totals": sensors.rejection_totals(session, principal)}
    return page(request, "monitoring/rejections.html", ctx)


# -- rules -------------------------------------------------------------------------------------------
@router.get("/monitoring/rules")
def rules_page(request: Request, principal: CurrentPrincipal, session: DbSession):
    """Rules of places and points, the defaults, and the form to add one."""
    require(principal, Perm.MONITORING_MANAGE)
    ctx = {
        "rules": alarm_rules.search(session, principal),
        "defaults": alarm_rules.defaults(),
        "form": {"jurisdiction_code": principal.jurisdiction_code},
        "errors": {},
    }
    return page(request, "monitoring/rules.html", ctx)


router.include_router(views_forms.router)
router.include_router(views_phone.router)

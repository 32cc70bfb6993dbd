"""The alarm board (live through htmx polling), one alarm, and its acknowledgement and clearing."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse

from yingji.auth.deps import CurrentPrincipal
from yingji.core.deps import DbSession
from yingji.monitoring import alarms, points
from yingji.monitoring.models import LEVELS, AlarmState
from yingji.monitoring.views.common import page
from yingji.org import places
from yingji.org.models import Jurisdiction
from yingji.org.params import url_code

router = APIRouter(include_in_schema=False)


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
        "towns": alarms.by_town(session, principal) if state == AlarmState.OPEN else [],
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

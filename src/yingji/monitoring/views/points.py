"""Hazard point pages: the list, one point with its live readings (ECharts), the registration form."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import require
from yingji.core import clock
from yingji.core.deps import DbSession
from yingji.core.errors import ValidationFailed, YingjiError
from yingji.monitoring import alarm_rules, alarms, catalog, patrols, points, sensors
from yingji.monitoring.models import HAZARD_KINDS
from yingji.monitoring.schemas import PointIn
from yingji.monitoring.views.common import form_errors, given, page, read_form
from yingji.org import people, places
from yingji.org.params import url_code

router = APIRouter(include_in_schema=False)


POINT_FIELDS = (
    "name",
    "kind",
    "subtype",
    "jurisdiction_code",
    "lon",
    "lat",
    "address",
    "threatened_households",
    "threatened_people",
    "monitor_mobile",
    "patrol_every_days",
    "note",
)


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


def _person_by_mobile(session, principal, mobile: str) -> int | None:
    if not mobile:
        return None
    found = people.search(session, principal, q=mobile, size=1).items
    if not found or found[0].mobile != mobile:
        raise ValidationFailed(
            details=[{"field": "monitor_mobile", "message": "No person with this mobile number."}]
        )
    return found[0].id


# -- hazard points ---------------------------------------------------------------------------------
@router.get("/monitoring/points/new")
def point_new(request: Request, principal: CurrentPrincipal, within: str | None = None):
    """The form to register a hazard point."""
    require(principal, Perm.MONITORING_MANAGE)
    form = {"jurisdiction_code": within or principal.jurisdiction_code, "kind": "geological"}
    return page(request, "monitoring/point_form.html", {"form": form, "errors": {}})


@router.post("/monitoring/points/new")
async def point_create(request: Request, principal: CurrentPrincipal, session: DbSession):
    """Register a hazard point from the form."""
    form = await read_form(request, POINT_FIELDS)

    def create():
        with session.begin_nested():
            monitor = _person_by_mobile(session, principal, form["monitor_mobile"])
            data = PointIn(**given(form, ("monitor_mobile",)), monitor_person_id=monitor)
            return points.create(session, principal, data)

    try:
        point = await run_in_threadpool(create)
    except (ValidationError, YingjiError) as exc:
        return page(request, "monitoring/point_form.html", {"form": form, "errors": form_errors(exc)}, 422)
    return RedirectResponse(f"/monitoring/points/{point.id}", status_code=303)

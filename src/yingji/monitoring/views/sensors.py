"""Sensor pages: the registry, one sensor, the registration form, and rejected readings."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import require
from yingji.core.deps import DbSession
from yingji.core.errors import YingjiError
from yingji.monitoring import alarms, sensors
from yingji.monitoring.models import SENSOR_KINDS
from yingji.monitoring.schemas import SensorIn
from yingji.monitoring.views.common import form_errors, given, page, read_form

router = APIRouter(include_in_schema=False)


SENSOR_FIELDS = (
    "code",
    "name",
    "kind",
    "hazard_point_id",
    "jurisdiction_code",
    "lon",
    "lat",
    "valid_min",
    "valid_max",
)


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


# -- sensors -----------------------------------------------------------------------------------------
@router.get("/monitoring/sensors/new")
def sensor_new(request: Request, principal: CurrentPrincipal, point: int | None = None):
    """The form to register a sensor."""
    require(principal, Perm.MONITORING_MANAGE)
    form = {"hazard_point_id": str(point or ""), "kind": "rain_gauge", "jurisdiction_code": ""}
    return page(request, "monitoring/sensor_form.html", {"form": form, "errors": {}})


@router.post("/monitoring/sensors/new")
async def sensor_create(request: Request, principal: CurrentPrincipal, session: DbSession):
    """Register a sensor from the form."""
    form = await read_form(request, SENSOR_FIELDS)

    def create():
        with session.begin_nested():
            return sensors.create(session, principal, SensorIn(**given(form)))

    try:
        sensor = await run_in_threadpool(create)
    except (ValidationError, YingjiError) as exc:
        return page(request, "monitoring/sensor_form.html", {"form": form, "errors": form_errors(exc)}, 422)
    return RedirectResponse(f"/monitoring/sensors/{sensor.id}", status_code=303)

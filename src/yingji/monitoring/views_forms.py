"""Desktop forms of monitoring: register a hazard point or a sensor, add or remove an alarm rule."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import require
from yingji.core.deps import DbSession
from yingji.core.errors import ValidationFailed, YingjiError
from yingji.monitoring import alarm_rules, points, sensors
from yingji.monitoring.schemas import PointIn, RuleIn, SensorIn
from yingji.monitoring.views_common import form_errors, page
from yingji.org import people

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
RULE_FIELDS = (
    "hazard_point_id",
    "jurisdiction_code",
    "sensor_kind",
    "metric",
    "direction",
    "raise_at",
    "clear_at",
    "level",
    "action",
    "basis",
)


async def _form(request: Request, fields: tuple[str, ...]) -> dict[str, str]:
    form = await request.form()
    return {k: str(form.get(k, "")).strip() for k in fields}


def _given(form: dict[str, str], skip: tuple[str, ...] = ()) -> dict[str, str]:
    return {k: v for k, v in form.items() if v != "" and k not in skip}


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
    form = await _form(request, POINT_FIELDS)

    def create():
        with session.begin_nested():
            monitor = _person_by_mobile(session, principal, form["monitor_mobile"])
            data = PointIn(**_given(form, ("monitor_mobile",)), monitor_person_id=monitor)
            return points.create(session, principal, data)

    try:
        point = await run_in_threadpool(create)
    except (ValidationError, YingjiError) as exc:
        return page(request, "monitoring/point_form.html", {"form": form, "errors": form_errors(exc)}, 422)
    return RedirectResponse(f"/monitoring/points/{point.id}", status_code=303)


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
    form = await _form(request, SENSOR_FIELDS)

    def create():
        with session.begin_nested():
            return sensors.create(session, principal, SensorIn(**_given(form)))

    try:
        sensor = await run_in_threadpool(create)
    except (ValidationError, YingjiError) as exc:
        return page(request, "monitoring/sensor_form.html", {"form": form, "errors": form_errors(exc)}, 422)
    return RedirectResponse(f"/monitoring/sensors/{sensor.id}", status_code=303)


# -- rules ---------------------------------------------------------------------------------------------
@router.post("/monitoring/rules")
async def rule_create(request: Request, principal: CurrentPrincipal, session: DbSession):
    """Add a rule from the rules page."""
    form = await _form(request, RULE_FIELDS)

    def create():
        with session.begin_nested():
            return alarm_rules.create(session, principal, RuleIn(**_given(form)))

    try:
        rule = await run_in_threadpool(create)
    except (ValidationError, YingjiError) as exc:
        ctx = {
            "rules": alarm_rules.search(session, principal),
            "defaults": alarm_rules.defaults(),
            "form": form,
            "errors": form_errors(exc),
        }
        return page(request, "monitoring/rules.html", ctx, 422)
    target = f"/monitoring/points/{rule.hazard_point_id}" if rule.hazard_point_id else "/monitoring/rules"
    return RedirectResponse(target, status_code=303)


@router.post("/monitoring/rules/{rule_id:int}/delete")
def rule_delete(rule_id: int, principal: CurrentPrincipal, session: DbSession):
    """Remove a rule."""
    rule = alarm_rules.get(session, principal, rule_id)
    target = f"/monitoring/points/{rule.hazard_point_id}" if rule.hazard_point_id else "/monitoring/rules"
    alarm_rules.delete(session, principal, rule_id)
    return RedirectResponse(target, status_code=303)

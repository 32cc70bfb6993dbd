"""Alarm rules page: the rules in force and the default rule book, adding and removing a rule."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import require
from yingji.core.deps import DbSession
from yingji.core.errors import YingjiError
from yingji.monitoring import alarm_rules
from yingji.monitoring.schemas import RuleIn
from yingji.monitoring.views.common import form_errors, given, page, read_form

router = APIRouter(include_in_schema=False)


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


# -- rules ---------------------------------------------------------------------------------------------
@router.post("/monitoring/rules")
async def rule_create(request: Request, principal: CurrentPrincipal, session: DbSession):
    """Add a rule from the rules page."""
    form = await read_form(request, RULE_FIELDS)

    def create():
        with session.begin_nested():
            return alarm_rules.create(session, principal, RuleIn(**given(form)))

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

"""Drills pages, exercise mode: the drills a controller may direct, a drill's script with its injects
(add, fire, withdraw), start and end, the measured results; the 演练 badge on every page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse
from markupsafe import Markup
from pydantic import ValidationError
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import in_scope, require
from yingji.core.clock import LOCAL_TZ
from yingji.core.deps import DbSession
from yingji.core.errors import YingjiError
from yingji.core.i18n import N_, gettext
from yingji.drills import (
    exercise_codes,
    exercise_out,
    labels,
    measure,
    run,
    sandbox,
    script,
)
from yingji.drills.codes import DrillState
from yingji.drills.exercise_codes import InjectKind
from yingji.drills.models import Drill
from yingji.drills.schemas import (
    WARNING_LEVELS,
    InjectIn,
)
from yingji.incidents import labels as incident_labels
from yingji.web.forms import errors_with_refusals as form_errors
from yingji.web.forms import in_savepoint
from yingji.web.templating import env, render

router = APIRouter(include_in_schema=False)

router = APIRouter(include_in_schema=False)

ExDrillId = Annotated[int, Path(ge=1, le=2**62)]
INJECT_FIGURES = ("deaths", "missing", "injuries", "trapped", "relocated", "direct_loss_cny")
KIND_FIELDS = {
    InjectKind.INCIDENT_REPORT: ("category", "description", "reporter_name", "reporter_phone"),
    InjectKind.SENSOR_READING: ("sensor_id", "value", "level"),
    InjectKind.UPSTREAM_WARNING: ("level", "headline", "sender_name", "instruction", "hours", "description"),
}
FORM_FIELDS = (
    "kind",
    "offset_minutes",
    "title",
    "place_code",
    *dict.fromkeys(f for fields in KIND_FIELDS.values() for f in fields),
)
LEVEL_LABELS = {"red": N_("Red"), "orange": N_("Orange"), "yellow": N_("Yellow"), "blue": N_("Blue")}


def drill_badge(obj) -> Markup:
    """The 演练 badge of anything a drill made (incident, warning, alarm): on every page and list."""
    if obj is None or getattr(obj, "drill_id", None) is None:
        return Markup("")
    title = gettext("Made by a drill: not a real event, left out of statistics")
    return Markup('<span class="badge badge-drill" title="{}">{}</span>').format(title, gettext("Drill"))


env.globals["drill_badge"] = drill_badge


def _exercise_page(request: Request, name: str, ctx: dict, status_code: int = 200):
    base = {
        "xc": exercise_codes,
        "dl": labels,
        "L": incident_labels.Labels,
        "categories": incident_labels.category_choices(),
        "measures": INJECT_FIGURES,
        "levels": WARNING_LEVELS,
        "level_labels": LEVEL_LABELS,
        "duration": exercise_out.duration,
    }
    return render(request, name, base | ctx, status_code=status_code)


@router.get("/drills/exercise")
def exercise_index(request: Request, principal: CurrentPrincipal, session: DbSession):
    """The drills a controller may direct: what is scripted, running, or ended with results."""
    require(principal, Perm.DRILLS_CONTROL)
    drills = session.scalars(
        select(Drill)
        .where(in_scope(Drill.jurisdiction_code, principal), Drill.state != DrillState.CANCELLED.value)
        .order_by(Drill.planned_on.desc().nulls_last(), Drill.id.desc())
        .limit(200)
    ).all()
    return _exercise_page(request, "drills/exercise_index.html", {"drills": drills})


def _control_ctx(session, drill, form=None, errors=None) -> dict:
    injects = script.injects_of(session, drill.id)
    return {
        "drill": drill,
        "x": exercise_out.exercise_out(session, drill, injects),
        "messages": sandbox.messages(session, drill.id, limit=20),
        "form": form
        or {
            "kind": InjectKind.INCIDENT_REPORT.value,
            "offset_minutes": "0",
            "place_code": drill.jurisdiction_code,
        },
        "errors": errors or {},
        "editable": drill.state in script.EDITABLE,
    }


@router.get("/drills/{drill_id}/exercise")
def exercise_page(drill_id: ExDrillId, request: Request, principal: CurrentPrincipal, session: DbSession):
    drill = script.drill_for_reading(session, principal, drill_id)
    return _exercise_page(request, "drills/exercise.html", _control_ctx(session, drill))


def _inject_in(values: dict[str, str]) -> InjectIn:
    """The form as the API's schema: only the fields of the chosen kind (the other fieldsets may be
    filled in a browser without scripts); figures as numbers."""
    kind = values.get("kind") or ""
    data: dict = {k: values.get(k) or None for k in ("kind", "offset_minutes", "title", "place_code")}
    for field in KIND_FIELDS.get(kind, ()):
        if values.get(field):
            data[field] = values[field]
    if kind == InjectKind.INCIDENT_REPORT:
        figures = {m: values[m] for m in INJECT_FIGURES if values.get(m)}
        if figures:
            data["figures"] = figures
    return InjectIn(**data)


@router.post("/drills/{drill_id}/exercise/injects")
async def exercise_add_inject(
    drill_id: ExDrillId, request: Request, principal: CurrentPrincipal, session: DbSession
):
    form = await request.form()
    values = {k: str(form.get(k, "")).strip() for k in (*FORM_FIELDS, *INJECT_FIGURES)}
    try:
        data = _inject_in(values)
        await run_in_threadpool(in_savepoint, session, script.add, session, principal, drill_id, data)
    except (ValidationError, YingjiError) as exc:
        if isinstance(exc, YingjiError) and exc.status_code in (403, 404):
            raise
        drill = await run_in_threadpool(script.drill_for_reading, session, principal, drill_id)
        ctx = await run_in_threadpool(_control_ctx, session, drill, values, form_errors(exc))
        return _exercise_page(request, "drills/exercise.html", ctx, status_code=422)
    return RedirectResponse(f"/drills/{drill_id}/exercise", status_code=303)


def _run_action(session, fn, *args) -> YingjiError | None:
    """Run a control action in a savepoint; a refusal (409/422) comes back on the page, not as a
    bare error (403/404 stay errors)."""
    try:
        in_savepoint(session, fn, session, *args)
    except YingjiError as exc:
        if exc.status_code in (403, 404):
            raise
        return exc
    return None


async def _action(request, principal, session, drill_id, fn, *args):
    failed = await run_in_threadpool(_run_action, session, fn, principal, *args)
    if failed is None:
        return RedirectResponse(f"/drills/{drill_id}/exercise", status_code=303)
    drill = await run_in_threadpool(script.drill_for_reading, session, principal, drill_id)
    ctx = await run_in_threadpool(
        _control_ctx, session, drill, None, {"_": gettext(failed.message, **failed.params)}
    )
    return _exercise_page(request, "drills/exercise.html", ctx, status_code=failed.status_code)


@router.post("/drills/{drill_id}/exercise/injects/{inject_id}/fire")
async def exercise_fire(
    drill_id: ExDrillId,
    inject_id: ExDrillId,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
):
    return await _action(request, principal, session, drill_id, run.fire_now, drill_id, inject_id)


@router.post("/drills/{drill_id}/exercise/injects/{inject_id}/withdraw")
async def exercise_withdraw(
    drill_id: ExDrillId,
    inject_id: ExDrillId,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
):
    return await _action(request, principal, session, drill_id, script.withdraw, drill_id, inject_id)


def _local_time(value: str):
    """A datetime-local field (Beijing time, no zone) as an aware instant; empty = now."""
    from datetime import datetime

    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=LOCAL_TZ)
    except ValueError:
        return "bad"


@router.post("/drills/{drill_id}/exercise/start")
async def exercise_start(
    drill_id: ExDrillId, request: Request, principal: CurrentPrincipal, session: DbSession
):
    form = await request.form()
    at = _local_time(str(form.get("starts_at", "")).strip())
    if at == "bad":
        from yingji.core.errors import ValidationFailed

        at = None
        failed = ValidationFailed(details=[{"field": "starts_at", "message": "This value is not valid."}])
        drill = await run_in_threadpool(script.drill_for_reading, session, principal, drill_id)
        ctx = await run_in_threadpool(_control_ctx, session, drill, None, form_errors(failed))
        return _exercise_page(request, "drills/exercise.html", ctx, status_code=422)
    return await _action(request, principal, session, drill_id, run.start, drill_id, at)


@router.post("/drills/{drill_id}/exercise/end")
async def exercise_end(
    drill_id: ExDrillId, request: Request, principal: CurrentPrincipal, session: DbSession
):
    form = await request.form()
    note = str(form.get("note", "")).strip()[:2000] or None
    return await _action(request, principal, session, drill_id, run.end, drill_id, note)


@router.get("/drills/{drill_id}/exercise/results")
def exercise_results_page(
    drill_id: ExDrillId, request: Request, principal: CurrentPrincipal, session: DbSession
):
    drill = script.drill_for_results(session, principal, drill_id)
    rows = measure.measurements(session, drill.id)
    ctx = {
        "drill": drill,
        "rows": [exercise_out.measurement_out(m) for m in rows],
        "summary": [exercise_out.summary_out(s) for s in measure.summary(rows)],
        "frozen": measure.is_frozen(session, drill.id),
        "can_control": principal.can(Perm.DRILLS_CONTROL),
    }
    return _exercise_page(request, "drills/exercise_results.html", ctx)

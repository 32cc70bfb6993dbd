"""Drills pages. Sections by owner, in this order, so that parallel work merges cleanly."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
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
    after_pages,
    exercise_codes,
    exercise_out,
    labels,
    measure,
    pages,
    participants,
    registry,
    run,
    sandbox,
    script,
    yearly_pages,
)
from yingji.drills import api as drills_api
from yingji.drills.codes import DrillState
from yingji.drills.models import Drill
from yingji.drills.schemas import (
    WARNING_LEVELS,
    DrillIn,
    DrillMoveIn,
    DrillPatch,
    InjectIn,
    ParticipantIn,
)
from yingji.forces.views_common import form_errors, in_savepoint
from yingji.incidents import labels as incident_labels
from yingji.org.params import url_code
from yingji.web import nav
from yingji.web.templating import env, render

router = APIRouter(include_in_schema=False)


# -- drills: yearly drill plan, drills, participants, records, evaluation, compliance, reporting ------


YearQ = Annotated[int | None, Query(ge=2000, le=2100)]


# the year's view (calendar, yearly drill plan, compliance, upward report)
router.include_router(yearly_pages.router)
router.include_router(after_pages.router)  # records, evaluation, problems
_page, _refused, _year = pages.page, pages.refused, pages.year_or_this
_detail, _act, _fields = pages.detail, pages.act, pages.fields


@router.get("/drills")
def drills_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    q: Annotated[str, Query(max_length=60)] = "",
    within: str | None = None,
    year: YearQ = None,
    state: drills_api.StateQ = None,
    form: drills_api.FormQ = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
):
    result = registry.search(
        session,
        principal,
        q=q,
        within=url_code(within),
        year=year,
        state=state,
        form=form,
        page=page,
        size=50,
    )
    ctx = {
        "page": result,
        "rows": [
            registry.to_out(d, principal, registry.context(session, result.items)) for d in result.items
        ],
        "q": q,
        "within": within or "",
        "year": year or "",
        "state": state or "",
        "form": form or "",
        "this_year": registry.today().year,
        "can_manage": principal.can(Perm.DRILLS_MANAGE),
    }
    return _page(request, "drills/list.html", ctx)


def _form_page(request, session, principal, drill, form, errors, status_code=200):
    ctx = {"drill": drill, "form": form, "errors": errors}
    ctx |= pages.choices(session, principal, form.get("jurisdiction_code") or principal.jurisdiction_code)
    return _page(request, "drills/form.html", ctx, status_code=status_code)


@router.get("/drills/new")
def drill_new(request: Request, principal: CurrentPrincipal, session: DbSession, within: str | None = None):
    require(principal, Perm.DRILLS_MANAGE)
    code = url_code(within) or principal.jurisdiction_code
    form = {"jurisdiction_code": code, "form": "live", "scope": "comprehensive", "purpose": "test"}
    form |= {"notice_time": True, "notice_scenario": True, "plan_ids": []}
    return _form_page(request, session, principal, None, form, {})


@router.post("/drills/new")
async def drill_create(request: Request, principal: CurrentPrincipal, session: DbSession):
    typed, data = await pages.drill_form(request)
    try:
        drill = await run_in_threadpool(
            in_savepoint, session, registry.create, session, principal, DrillIn(**data)
        )
    except (ValidationError, YingjiError) as exc:
        if not _refused(exc):
            raise
        return _form_page(request, session, principal, None, typed, form_errors(exc), 422)
    return RedirectResponse(f"/drills/{drill.id}", status_code=303)


@router.get("/drills/{drill_id:int}/edit")
def drill_edit(drill_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    drill = registry.for_update(session, principal, drill_id)
    return _form_page(request, session, principal, drill, pages.form_of(drill), {})


@router.post("/drills/{drill_id:int}/edit")
async def drill_update(drill_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    typed, data = await pages.drill_form(request)
    data.pop("jurisdiction_code", None)
    try:
        patch = DrillPatch(**data)
        await run_in_threadpool(in_savepoint, session, registry.update, session, principal, drill_id, patch)
    except (ValidationError, YingjiError) as exc:
        if not _refused(exc):
            raise
        drill = await run_in_threadpool(registry.get, session, principal, drill_id)
        typed["jurisdiction_code"] = drill.jurisdiction_code
        return _form_page(request, session, principal, drill, typed, form_errors(exc), 422)
    return RedirectResponse(f"/drills/{drill_id}", status_code=303)


@router.get("/drills/{drill_id:int}")
def drill_page(drill_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    return _detail(request, session, principal, drill_id)


@router.post("/drills/{drill_id:int}/state")
async def drill_move(drill_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    f = await _fields(request, "state", "at", "reason")

    def work():
        data = DrillMoveIn(state=f["state"], at=pages.local_datetime(f["at"]), reason=f["reason"])
        registry.move(session, principal, drill_id, data.state, data.at, data.reason)

    return await _act(request, session, principal, drill_id, work)


@router.post("/drills/{drill_id:int}/participants")
async def participant_add(drill_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    f = await _fields(request, "kind", "unit_ref", "team_ref", "person_ref", "name", "role", "headcount")
    kind = f["kind"] or "other"
    ref = {"unit": "unit_id", "team": "team_id", "person": "person_id"}.get(kind)

    def work():
        values = {
            "kind": kind,
            "name": f["name"],
            "role": f["role"] or "player",
            "headcount": f["headcount"] or 1,
        }
        if ref:
            values[ref] = f[f"{kind}_ref"]
        participants.add(session, principal, drill_id, ParticipantIn(**values))

    return await _act(request, session, principal, drill_id, work, "#participants")


@router.post("/drills/{drill_id:int}/participants/{participant_id:int}/delete")
async def participant_remove(
    drill_id: int, participant_id: int, request: Request, principal: CurrentPrincipal, session: DbSession
):
    def work():
        participants.remove(session, principal, drill_id, participant_id)

    return await _act(request, session, principal, drill_id, work, "#participants")


# -- exercise mode: scripts and injects, measurements ----------------------------------------------


nav.register(
    N_("Plan management"),  # the section plans.views adds (routers load plans first)
    nav.NavItem("exercise", N_("Exercise control"), "/drills/exercise", Perm.DRILLS_CONTROL),
)
ExDrillId = Annotated[int, Path(ge=1, le=2**62)]
INJECT_FIGURES = ("deaths", "missing", "injuries", "trapped", "relocated", "direct_loss_cny")
KIND_FIELDS = {
    "incident_report": ("category", "description", "reporter_name", "reporter_phone"),
    "sensor_reading": ("sensor_id", "value", "level"),
    "upstream_warning": ("level", "headline", "sender_name", "instruction", "hours", "description"),
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
        or {"kind": "incident_report", "offset_minutes": "0", "place_code": drill.jurisdiction_code},
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
    if kind == "incident_report":
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

"""Drills pages. Sections by owner, in this order, so that parallel work merges cleanly."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)


# -- drills: yearly drill plan, drills, participants, records, evaluation, compliance, reporting ------
from typing import Annotated  # noqa: E402

from fastapi import Query, Request  # noqa: E402
from fastapi.responses import RedirectResponse  # noqa: E402
from pydantic import ValidationError  # noqa: E402
from starlette.concurrency import run_in_threadpool  # noqa: E402

from yingji.auth.deps import CurrentPrincipal  # noqa: E402
from yingji.auth.roles import Perm  # noqa: E402
from yingji.auth.scope import require  # noqa: E402
from yingji.core.deps import DbSession  # noqa: E402
from yingji.core.errors import YingjiError  # noqa: E402
from yingji.core.i18n import N_, gettext  # noqa: E402
from yingji.drills import api as drills_api  # noqa: E402
from yingji.drills import (  # noqa: E402
    evaluation,
    figures,
    labels,
    pages,
    participants,
    records,
    registry,
    yearly_pages,
)
from yingji.drills.schemas import (  # noqa: E402
    DrillIn,
    DrillMoveIn,
    DrillPatch,
    EvaluationIn,
    ProblemDoneIn,
    ProblemIn,
)
from yingji.forces.views_common import form_errors, in_savepoint  # noqa: E402
from yingji.org.api import read_upload  # noqa: E402
from yingji.org.params import url_code  # noqa: E402

YearQ = Annotated[int | None, Query(ge=2000, le=2100)]


# the year's view (calendar, yearly drill plan, compliance, upward report)
router.include_router(yearly_pages.router)
_page, _refused, _year = pages.page, pages.refused, pages.year_or_this


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


def _detail(request, session, principal, drill_id: int, errors: dict | None = None, status_code: int = 200):
    drill = registry.get(session, principal, drill_id)
    found = evaluation.problems_of(session, drill.id)
    ctx = {
        "drill": drill,
        "out": drills_api.drill_out(session, principal, drill),
        "participants": participants.of_drill(session, drill.id),
        "records": records.of_drill(session, drill.id),
        "evaluation": evaluation.of_drill(session, drill.id),
        "problems": found,
        "triggers": evaluation.triggers_by_problem(session, [p.id for p in found]),
        "moves": pages.moves_of(drill),
        "figures": figures.rows(figures.of_drill(session, drill.id)),
        "can_manage": principal.can(Perm.DRILLS_MANAGE) and principal.covers(drill.jurisdiction_code),
        "errors": errors or {},
        "today": registry.today(),
    }
    ctx |= pages.choices(session, principal, drill.jurisdiction_code)
    return _page(request, "drills/detail.html", ctx, status_code=status_code)


@router.get("/drills/{drill_id:int}")
def drill_page(drill_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    return _detail(request, session, principal, drill_id)


async def _act(request, session, principal, drill_id: int, work, anchor: str = ""):
    """Run a form action on the drill; a refusal re-renders the drill page with the error."""
    try:
        await run_in_threadpool(in_savepoint, session, work)
    except (ValidationError, YingjiError) as exc:
        if not _refused(exc):
            raise
        return await run_in_threadpool(_detail, request, session, principal, drill_id, form_errors(exc), 422)
    return RedirectResponse(f"/drills/{drill_id}{anchor}", status_code=303)


async def _fields(request, *names) -> dict:
    form = await request.form()
    return {n: (str(form.get(n, "")).strip() or None) for n in names}


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
        participants.add(session, principal, drill_id, drills_api.ParticipantIn(**values))

    return await _act(request, session, principal, drill_id, work, "#participants")


@router.post("/drills/{drill_id:int}/participants/{participant_id:int}/delete")
async def participant_remove(
    drill_id: int, participant_id: int, request: Request, principal: CurrentPrincipal, session: DbSession
):
    def work():
        participants.remove(session, principal, drill_id, participant_id)

    return await _act(request, session, principal, drill_id, work, "#participants")


@router.post("/drills/{drill_id:int}/records")
async def record_add(drill_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    form = await request.form()
    upload = form.get("file")
    if upload is None or not hasattr(upload, "read"):
        return await run_in_threadpool(
            _detail, request, session, principal, drill_id, {"file": gettext(N_("Choose a file."))}, 422
        )
    data = await read_upload(request, upload)
    caption = str(form.get("caption", "")).strip() or None
    settings = request.app.state.settings

    def work():
        records.store(
            session,
            principal,
            drill_id,
            data,
            upload.filename,
            caption,
            root=records.dir_of(settings),
            max_bytes=records.max_bytes_of(settings),
        )

    return await _act(request, session, principal, drill_id, work, "#records")


@router.get("/drills/{drill_id:int}/evaluation")
def evaluation_page(drill_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    drill = registry.for_update(session, principal, drill_id)
    found = evaluation.of_drill(session, drill.id)
    measured = figures.of_drill(session, drill.id)
    form = evaluation.to_out(found) if found else {"evaluated_on": registry.today()}
    if found is None:  # a new evaluation starts from the figures of exercise mode
        form["responders"] = figures.responders_text(measured)
    ctx = {"drill": drill, "form": form, "errors": {}, "sections": labels.SECTIONS}
    ctx["figures"] = figures.rows(measured)
    return _page(request, "drills/evaluation.html", ctx)


@router.post("/drills/{drill_id:int}/evaluation")
async def evaluation_save(drill_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    keys = (*evaluation.SECTION_KEYS, "evaluated_on", "evaluators", "summary", "third_party", "final")
    f = await _fields(request, *keys)
    values = {k: f[k] for k in keys} | {"third_party": f["third_party"] == "on", "final": f["final"] == "1"}
    try:
        data = EvaluationIn(**values)
        await run_in_threadpool(in_savepoint, session, evaluation.save, session, principal, drill_id, data)
    except (ValidationError, YingjiError) as exc:
        if not _refused(exc):
            raise
        drill = await run_in_threadpool(registry.get, session, principal, drill_id)
        ctx = {"drill": drill, "form": values, "errors": form_errors(exc), "sections": labels.SECTIONS}
        ctx["figures"] = figures.rows(figures.of_drill(session, drill.id))
        return _page(request, "drills/evaluation.html", ctx, status_code=422)
    return RedirectResponse(f"/drills/{drill_id}#evaluation", status_code=303)


@router.post("/drills/{drill_id:int}/problems")
async def problem_add(drill_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    f = await _fields(
        request, "area", "description", "measure", "owner_unit_id", "due_on", "plan_id", "revise"
    )

    def work():
        data = ProblemIn(**(f | {"revise": f["revise"] == "on"}))
        evaluation.add_problem(session, principal, drill_id, data)

    return await _act(request, session, principal, drill_id, work, "#problems")


@router.post("/drills/{drill_id:int}/problems/{problem_id:int}/done")
async def problem_done(
    drill_id: int, problem_id: int, request: Request, principal: CurrentPrincipal, session: DbSession
):
    f = await _fields(request, "done_on", "note")

    def work():
        evaluation.close_problem(session, principal, drill_id, problem_id, ProblemDoneIn(**f))

    return await _act(request, session, principal, drill_id, work, "#problems")


# -- exercise mode: scripts and injects, measurements ----------------------------------------------

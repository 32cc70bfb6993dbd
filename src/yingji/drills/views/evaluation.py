"""Drills pages after the drill: its records (photos and documents), the evaluation report (from
the measured figures of exercise mode, six sections, draft or final) and the problems found with
their follow-up. Included by ``drills.views``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from yingji.auth.deps import CurrentPrincipal
from yingji.core.deps import DbSession
from yingji.core.errors import YingjiError
from yingji.core.i18n import N_, gettext
from yingji.drills import evaluation, figures, labels, records, registry
from yingji.drills.schemas import EvaluationIn, ProblemDoneIn, ProblemIn
from yingji.drills.views import common as pages
from yingji.org.api import read_upload
from yingji.web.forms import errors_with_refusals as form_errors
from yingji.web.forms import in_savepoint

router = APIRouter(include_in_schema=False)
_page, _refused = pages.page, pages.refused
_detail, _act, _fields = pages.detail, pages.act, pages.fields


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

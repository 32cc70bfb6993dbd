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
    compliance,
    evaluation,
    labels,
    pages,
    participants,
    programmes,
    records,
    registry,
    report,
)
from yingji.drills.schemas import (  # noqa: E402
    DrillIn,
    DrillMoveIn,
    DrillPatch,
    EvaluationIn,
    ProblemDoneIn,
    ProblemIn,
    ProgrammeApproveIn,
    ProgrammeIn,
)
from yingji.forces.views_common import form_errors, in_savepoint  # noqa: E402
from yingji.org import places  # noqa: E402
from yingji.org.api import read_upload  # noqa: E402
from yingji.org.params import url_code  # noqa: E402
from yingji.web.templating import render  # noqa: E402

YearQ = Annotated[int | None, Query(ge=2000, le=2100)]


def _page(request: Request, name: str, ctx: dict | None = None, status_code: int = 200):
    return render(request, name, {"dl": labels} | (ctx or {}), status_code=status_code)


def _refused(exc: Exception) -> bool:
    """A form error to show (not a 403/404, which answer as such)."""
    return not (isinstance(exc, YingjiError) and exc.status_code in (403, 404))


def _year(year: int | None) -> int:
    return year or registry.today().year


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
    form = evaluation.to_out(found) if found else {"evaluated_on": registry.today()}
    ctx = {"drill": drill, "form": form, "errors": {}, "sections": labels.SECTIONS}
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


@router.get("/drills/calendar")
def calendar_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    year: YearQ = None,
    month: Annotated[int | None, Query(ge=1, le=12)] = None,
    within: str | None = None,
):
    code = url_code(within) or principal.jurisdiction_code
    if within:
        places.within(session, principal, code)
    today = registry.today()
    year, month = year or today.year, month or today.month
    drills = pages.month_drills(session, principal, code, year, month)
    prev = (year - 1, 12) if month == 1 else (year, month - 1)
    nxt = (year + 1, 1) if month == 12 else (year, month + 1)
    ctx = {
        "weeks": pages.month_grid(year, month, drills, principal),
        "year": year,
        "month": month,
        "prev": prev if prev[0] >= 2000 else None,
        "next": nxt if nxt[0] <= 2100 else None,
        "within": within or "",
        "names": places.names(session, [d.jurisdiction_code for d in drills]),
    }
    return _page(request, "drills/calendar.html", ctx)


@router.get("/drills/programme")
def programme_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    year: YearQ = None,
    within: str | None = None,
):
    code = url_code(within) or principal.jurisdiction_code
    place = places.get(session, principal, code)
    year = _year(year)
    programme = programmes.find(session, code, year)
    drills = programmes.drills_of(session, programme) if programme else []
    if programme is None:  # the place's drills of the year, not yet gathered in a plan
        drills = list(registry.search(session, principal, within=code, year=year, size=200).items)
        drills = [d for d in drills if d.jurisdiction_code == code]
    ctx = {
        "place": place,
        "year": year,
        "programme": programme,
        "rows": [registry.to_out(d, principal, registry.context(session, drills)) for d in drills],
        "can_manage": principal.can(Perm.DRILLS_MANAGE) and principal.covers(code),
        "errors": {},
        "within": within or "",
    }
    return _page(request, "drills/programme.html", ctx)


@router.post("/drills/programme")
async def programme_create(request: Request, principal: CurrentPrincipal, session: DbSession):
    f = await _fields(request, "jurisdiction_code", "year", "title", "note")
    try:
        await run_in_threadpool(
            in_savepoint, session, programmes.create, session, principal, ProgrammeIn(**f)
        )
    except (ValidationError, YingjiError) as exc:
        if not _refused(exc):
            raise
        return _page(request, "drills/error.html", {"errors": form_errors(exc)}, status_code=422)
    return RedirectResponse(
        f"/drills/programme?within={f['jurisdiction_code']}&year={f['year']}", status_code=303
    )


@router.post("/drills/programme/{programme_id:int}/approve")
async def programme_approve(
    programme_id: int, request: Request, principal: CurrentPrincipal, session: DbSession
):
    f = await _fields(request, "approved_on", "approved_by")
    try:
        programme = await run_in_threadpool(
            in_savepoint,
            session,
            programmes.approve,
            session,
            principal,
            programme_id,
            ProgrammeApproveIn(**f),
        )
    except (ValidationError, YingjiError) as exc:
        if not _refused(exc):
            raise
        return _page(request, "drills/error.html", {"errors": form_errors(exc)}, status_code=422)
    url = f"/drills/programme?within={programme.jurisdiction_code}&year={programme.year}"
    return RedirectResponse(url, status_code=303)


@router.get("/drills/compliance")
def compliance_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    within: str | None = None,
    subject: Annotated[str | None, Query(pattern="^(" + "|".join(labels.SUBJECT) + ")$")] = None,
    all_rows: Annotated[bool, Query(alias="all")] = False,
):
    result = compliance.for_principal(session, principal, url_code(within))
    rows = result["rows"] if all_rows else result["overdue"]
    if subject:
        rows = [r for r in rows if r["subject"] == subject]
    ctx = {
        "result": result,
        "rows": rows[:200],
        "total_rows": len(rows),
        "within": within or "",
        "subject": subject or "",
        "all_rows": all_rows,
    }
    return _page(request, "drills/compliance.html", ctx)


@router.get("/drills/report")
def report_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    year: YearQ = None,
    period: Annotated[str, Query(pattern="^(" + "|".join(labels.PERIODS) + ")$")] = "year",
    within: str | None = None,
):
    data = report.build(session, principal, url_code(within), _year(year), period)
    ctx = {"report": data, "within": within or "", "periods": labels.PERIODS}
    return _page(request, "drills/report.html", ctx)


# -- exercise mode: scripts and injects, measurements ----------------------------------------------

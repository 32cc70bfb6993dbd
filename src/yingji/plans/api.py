"""Plans API (/api/v1/plans…). Sections by owner, in this order, so that parallel work merges cleanly."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request, UploadFile
from fastapi.responses import FileResponse, Response
from starlette.concurrency import run_in_threadpool

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.downloads import audited_download
from yingji.auth.roles import Perm
from yingji.auth.scope import require
from yingji.core import caching
from yingji.core.deps import Db, DbSession
from yingji.core.errors import ValidationFailed
from yingji.core.i18n import current_locale
from yingji.files import answers
from yingji.files.openapi import EXPORT, STORED_FILE, XLSX_FILE
from yingji.geo.api import GEOJSON, Zoom
from yingji.org import places, sheets
from yingji.org.api import read_upload
from yingji.org.params import PageNo, PageSize, page_of, query_code
from yingji.plans import (
    calendar,
    clocks,
    coverage,
    coverage_out,
    digital,
    documents,
    filings,
    lifecycle,
    out,
    registry,
    triggers,
)
from yingji.plans.codes import FilingState, PlanKind, PlanState
from yingji.plans.models import Plan
from yingji.plans.schemas import (
    ActionIn,
    ActionOut,
    ActionPatch,
    CalendarOut,
    CalendarYearIn,
    CalendarYearOut,
    CandidatesOut,
    CheckItemIn,
    ChecklistOut,
    CoverageOut,
    DocumentOut,
    DueOut,
    EvaluatedIn,
    FilingDecisionIn,
    FilingIn,
    FilingOut,
    FilingPageOut,
    FromRulesIn,
    IssueIn,
    LevelIn,
    PlanDetailOut,
    PlanImportOut,
    PlanIn,
    PlanItemOut,
    PlanPageOut,
    PlanPatch,
    PreviewOut,
    PublishIn,
    RepealIn,
    ResponsePartOut,
    ReviewIn,
    ReviseIn,
    StepIn,
    TriggerDismissIn,
    TriggerIn,
)
from yingji.response import plan_checklist, plan_run

router = APIRouter(prefix="/api/v1", tags=["plans"])
LevelNo = Annotated[int, Path(ge=1, le=4)]


# -- registry: plans, versions and documents, lifecycle, filings, clocks, Excel --------------------------
KindQ = Annotated[str | None, Query(pattern="^(" + "|".join(k.value for k in PlanKind) + ")$")]
StateQ = Annotated[str | None, Query(pattern="^(in_force|" + "|".join(s.value for s in PlanState) + ")$")]
FILING_STATES = "^(" + "|".join(s.value for s in FilingState) + ")$"


def _detail(session, plan) -> dict:
    return out.detail(session, plan)


@router.get("/plans", response_model=PlanPageOut)
def list_plans(
    principal: CurrentPrincipal,
    session: DbSession,
    q: Annotated[str, Query(max_length=60)] = "",
    within: str | None = None,
    kind: KindQ = None,
    state: StateQ = None,
    category: Annotated[str | None, Query(max_length=40)] = None,
    overdue: bool = False,
    page: PageNo = 1,
    size: PageSize = 50,
) -> dict:
    """Plans in scope with filters (place, kind, state or ``in_force``, event category, overdue clocks)."""
    result = registry.search(
        session,
        principal,
        q=q,
        within=query_code(within),
        kind=kind,
        state=state,
        category=category,
        overdue=overdue,
        page=page,
        size=size,
    )
    ref = registry.names(session, result.items)
    return page_of(result, [registry.to_out(p, ref) for p in result.items])


@router.post("/plans", response_model=PlanDetailOut, status_code=201)
def create_plan(data: PlanIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    return _detail(session, registry.create(session, principal, data))


@router.get("/plans/export", response_class=Response, responses=EXPORT, response_model=None)
def export_plans(
    request: Request, principal: CurrentPrincipal, session: DbSession, db: Db, within: str | None = None
) -> Response:
    """The plan list in scope as .xlsx, in the layout of an office's 预案台账 (it imports back)."""
    code = query_code(within)
    return answers.export(request, session, db, principal, "plans", {"within": code}, jurisdiction_code=code)


@router.post("/plans/import", response_model=PlanImportOut)
async def import_plans(
    request: Request, file: UploadFile, principal: CurrentPrincipal, session: DbSession
) -> Response:
    """An existing plan list (.xlsx): all rows or none, keyed by the registry number."""
    data = await read_upload(request, file)
    return await answers.import_answer(request, session, principal, "plans", data, file.filename)


@router.get("/plans/due", response_model=DueOut)
def plan_due(principal: CurrentPrincipal, session: DbSession, issued_on: date) -> dict:
    """The clocks of a plan issued on ``issued_on`` (422 ``calendar_unknown`` for an unknown year)."""
    return {"issued_on": issued_on, **clocks.due_dates(calendar.Calendar.of(session), issued_on)}


@router.get("/plans/calendar", response_model=CalendarOut)
def plan_calendar(principal: CurrentPrincipal, session: DbSession) -> dict:
    """Loaded holiday notices, and the years the calendar package knows."""
    cal = calendar.Calendar()
    known = [y for y in range(2004, clocks.today().year + 3) if cal.knows(y)]
    return {"years": [calendar_out(r) for r in calendar.years(session)], "package_years": known}


def calendar_out(r) -> dict:
    return {
        "year": r.year,
        "holidays": r.holidays,
        "workdays": r.workdays,
        "source": r.source,
        "loaded_by": r.loaded_by,
        "loaded_at": r.loaded_at,
    }


@router.put("/plans/calendar/{year:int}", response_model=CalendarYearOut)
def load_calendar_year(
    year: int, data: CalendarYearIn, principal: CurrentPrincipal, session: DbSession
) -> dict:
    """Load a year's official holiday notice (administrators): days off and make-up workdays."""
    if data.year != year:
        raise ValidationFailed(
            details=[{"field": "year", "message": "The year of the address and of the body differ."}]
        )
    row = calendar.load_notice(session, principal, year, data.holidays, data.workdays, data.source)
    return calendar_out(row)


@router.get("/plans/filings", response_model=FilingPageOut)
def incoming_filings(
    principal: CurrentPrincipal,
    session: DbSession,
    state: Annotated[str | None, Query(pattern=FILING_STATES)] = FilingState.SUBMITTED.value,
    page: PageNo = 1,
    size: PageSize = 50,
) -> dict:
    """Filings sent to bodies in one's jurisdiction (what one has to accept or return)."""
    result = filings.incoming(session, principal, state=state, page=page, size=size)
    titles = filings.titles(session, result.items)
    return page_of(result, [out.filing_out(f, titles.get(f.plan_id, "")) for f in result.items])


@router.get("/plans/filings/export", response_class=Response, responses=EXPORT, response_model=None)
def export_filings(request: Request, principal: CurrentPrincipal, session: DbSession, db: Db) -> Response:
    """The filings received by bodies in one's jurisdiction as .xlsx (备案登记台账, audited)."""
    return answers.export(request, session, db, principal, "plan_filings", {})


@router.post("/plans/filings/{filing_id:int}/decision", response_model=FilingOut)
def decide_filing(
    filing_id: int, data: FilingDecisionIn, principal: CurrentPrincipal, session: DbSession
) -> dict:
    """The receiving body accepts the filing (备案登记) or returns it with what is missing."""
    f = lifecycle.decide_filing(session, principal, filing_id, data)
    return out.filing_out(f, filings.titles(session, [f]).get(f.plan_id, ""))


@router.get("/plans/{plan_id:int}", response_model=PlanDetailOut)
def get_plan(plan_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    return _detail(session, registry.get(session, principal, plan_id))


@router.patch("/plans/{plan_id:int}", response_model=PlanDetailOut)
def update_plan(plan_id: int, patch: PlanPatch, principal: CurrentPrincipal, session: DbSession) -> dict:
    return _detail(session, registry.update(session, principal, plan_id, patch))


def _step(path: str, fn, body, doc: str) -> None:
    def endpoint(plan_id, data, principal, session):
        fn(session, principal, plan_id, data)
        return _detail(session, registry.get(session, principal, plan_id))

    endpoint.__annotations__ = {
        "plan_id": int,
        "data": body,
        "principal": CurrentPrincipal,
        "session": DbSession,
        "return": dict,
    }

    endpoint.__doc__ = doc
    endpoint.__name__ = f"plan_{path}"
    router.add_api_route(
        f"/plans/{{plan_id:int}}/{path}", endpoint, methods=["POST"], response_model=PlanDetailOut
    )


_step("submit", lifecycle.submit, StepIn, "编制 → 征求意见/评审.")
_step("reviews", lifecycle.review, ReviewIn, "Record a comment of consultation or review.")
_step("approval", lifecycle.to_approval, StepIn, "征求意见/评审 → 审批 (after comments were recorded).")
_step("return", lifecycle.send_back, StepIn, "Back one step with the reason.")
_step("issue", lifecycle.issue, IssueIn, "审批 by the right signatory and 印发; the clocks start.")
_step("publish", lifecycle.publish, PublishIn, "公布 (meets the publication clock).")
_step("filings", lifecycle.file, FilingIn, "Send for filing to the body of RULES2 §9.3.")
_step("evaluation", lifecycle.start_evaluation, StepIn, "Start an evaluation (评估).")
_step("evaluated", lifecycle.conclude_evaluation, EvaluatedIn, "Conclude the evaluation: keep or revise.")
_step("revision", lifecycle.revise, ReviseIn, "Start a revision on one of the §9.5 cases.")
_step("repeal", lifecycle.repeal, RepealIn, "Repeal (废止) with the reason.")
_step("triggers", triggers.add_trigger, TriggerIn, "Record a revision trigger.")
_step("triggers/dismiss", triggers.dismiss_trigger, TriggerDismissIn, "Dismiss an open trigger, saying why.")


@router.post("/plans/{plan_id:int}/documents", response_model=DocumentOut, status_code=201)
async def upload_document(
    plan_id: int,
    request: Request,
    file: UploadFile,
    principal: CurrentPrincipal,
    session: DbSession,
    kind: Annotated[str, Form(pattern="^(text|explanation|other)$")] = "text",
) -> dict:
    """A PDF or DOCX of the version being drafted (or in force): checked by its content."""
    data = await read_upload(request, file)
    settings = request.app.state.settings
    doc = await run_in_threadpool(
        documents.store,
        session,
        principal,
        plan_id,
        kind,
        data,
        file.filename,
        base=documents.dir_of(settings),
        max_bytes=settings.max_upload_mb * 1024 * 1024,
    )
    return out.document_out(doc)


@router.get(
    "/plans/{plan_id:int}/documents/{doc_id:int}",
    response_class=Response,
    responses=STORED_FILE,
    response_model=None,
)
def download_document(
    plan_id: int, doc_id: int, request: Request, principal: CurrentPrincipal, session: DbSession
):
    doc, path = documents.fetch(
        session, principal, plan_id, doc_id, documents.dir_of(request.app.state.settings)
    )
    return FileResponse(path, media_type=doc.content_type, filename=doc.original_name or path.name)


# -- coverage ---------------------------------------------------------------------------------------
Villages = Annotated[
    bool, Query(description="also count 村(社区) plans (a setting: no national text requires them)")
]


def coverage_of(session, principal, within: str | None, villages: bool, gap_limit: int = coverage.GAP_LIMIT):
    """The coverage within a place the principal may see (404 otherwise), default their own."""
    require(principal, Perm.ORG_READ)
    code = coverage_out.scope_of(principal, within)
    if within:
        places.within(session, principal, within)
    optional = {"village"} if villages else set()
    return coverage.compute(session, code, optional=optional, gap_limit=gap_limit), code


@router.get("/plans/coverage", response_model=CoverageOut)
def plan_coverage(
    principal: CurrentPrincipal,
    session: DbSession,
    within: str | None = None,
    villages: Villages = False,
    gap_limit: Annotated[int, Query(ge=0, le=20_000)] = coverage.GAP_LIMIT,
) -> dict:
    """Which places, units and enterprises have the plans they must have (plans in force only): the
    rate per area and rule against the goal, the gaps with the unit responsible, and the event
    categories no special or department plan covers."""
    result, code = coverage_of(session, principal, query_code(within), villages, gap_limit)
    return coverage_out.to_out(result, coverage_out.scope_name(session, code))


@router.get("/plans/coverage/map", response_class=Response, responses=GEOJSON, response_model=None)
def plan_coverage_map(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    zoom: Zoom = None,
    villages: Villages = False,
) -> Response:
    """The counties in scope filled by their plan coverage rate against the goal (the one map)."""
    result, _ = coverage_of(session, principal, None, villages, gap_limit=0)
    body, count = coverage_out.geojson(session, result, zoom)
    return caching.cached(request, body, media_type=caching.GEOJSON, headers={"X-Feature-Count": str(count)})


@router.get("/plans/coverage/gaps.xlsx", response_class=Response, responses=XLSX_FILE, response_model=None)
def plan_coverage_gaps(
    principal: CurrentPrincipal,
    session: DbSession,
    db: Db,
    within: str | None = None,
    villages: Villages = False,
) -> Response:
    """The gaps (who lacks which plan, who is responsible, on what basis) as .xlsx (audited)."""
    require(principal, Perm.EXPORT)
    result, code = coverage_of(session, principal, query_code(within), villages, gap_limit=100_000)
    names = {a.code: a.name for a in result.areas}
    body = sheets.write(
        coverage_out.GAP_TITLE,
        coverage_out.GAP_COLUMNS,
        coverage_out.gap_rows(result, names),
        current_locale(),
    )
    return audited_download(
        db,
        principal,
        body,
        entity="plans_coverage",
        filename="plan-coverage-gaps.xlsx",
        jurisdiction_code=code,
    )


# -- digital plans: the response part, activation under a plan --------------------------------------
@router.get("/plans/{plan_id}/response-part", response_model=ResponsePartOut)
def get_response_part(plan_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    """The plan's response part: levels with their triggers (text and conditions) and actions."""
    return digital.part(session, digital.plan_for_read(session, principal, plan_id))


@router.put("/plans/{plan_id}/levels/{level}", response_model=ResponsePartOut)
def put_level(
    plan_id: int, level: LevelNo, data: LevelIn, principal: CurrentPrincipal, session: DbSession
) -> dict:
    """Create or change a level's trigger; answers the whole response part."""
    row = digital.set_level(session, principal, plan_id, level, data)
    return digital.part(session, session.get(Plan, row.plan_id))


@router.delete("/plans/{plan_id}/levels/{level}", response_model=ResponsePartOut)
def delete_level(plan_id: int, level: LevelNo, principal: CurrentPrincipal, session: DbSession) -> dict:
    """Remove a level with its actions (409 when a response already used them)."""
    digital.delete_level(session, principal, plan_id, level)
    return digital.part(session, session.get(Plan, plan_id))


@router.post("/plans/{plan_id}/response-part/from-rules", response_model=ResponsePartOut)
def levels_from_rules(
    plan_id: int, data: FromRulesIn, principal: CurrentPrincipal, session: DbSession
) -> dict:
    """Fill the levels' triggers from a grading table of the law (Ⅰ级 = grade I …)."""
    return digital.part(session, digital.levels_from_rules(session, principal, plan_id, data))


@router.post("/plans/{plan_id}/levels/{level}/actions", response_model=ActionOut, status_code=201)
def add_action(
    plan_id: int, level: LevelNo, data: ActionIn, principal: CurrentPrincipal, session: DbSession
) -> dict:
    action = digital.add_action(session, principal, plan_id, level, data)
    return digital.action_out(action, digital.hq_unit(session, session.get(Plan, plan_id)))


@router.patch("/plans/{plan_id}/actions/{action_id}", response_model=ActionOut)
def update_action(
    plan_id: int, action_id: int, patch: ActionPatch, principal: CurrentPrincipal, session: DbSession
) -> dict:
    action = digital.update_action(session, principal, plan_id, action_id, patch)
    return digital.action_out(action, digital.hq_unit(session, session.get(Plan, plan_id)))


@router.delete("/plans/{plan_id}/actions/{action_id}", response_model=ResponsePartOut)
def delete_action(plan_id: int, action_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    """Remove an action (409 when a response already created tasks from it)."""
    digital.delete_action(session, principal, plan_id, action_id)
    return digital.part(session, session.get(Plan, plan_id))


@router.get("/incidents/{incident_id}/response/plans", response_model=CandidatesOut)
def response_plans(incident_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    """The plans in force that fit the incident, each with the level its conditions propose."""
    return {"incident_id": incident_id, "plans": plan_run.proposals(session, principal, incident_id)}


@router.get("/incidents/{incident_id}/response/plans/{plan_id}/preview", response_model=PreviewOut)
def response_plan_preview(
    incident_id: int,
    plan_id: int,
    principal: CurrentPrincipal,
    session: DbSession,
    level: Annotated[int | None, Query(ge=1, le=4)] = None,
) -> dict:
    """What activating at ``level`` (the proposed level by default) would create, before confirming."""
    return plan_run.preview(session, principal, incident_id, plan_id, level)


@router.get("/incidents/{incident_id}/response/checklist", response_model=ChecklistOut)
def response_checklist(incident_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    """The items the plan made for the incident: tasks (with their state), notices, checks."""
    return plan_checklist.checklist(session, principal, incident_id)


@router.post("/response/checklist/{item_id}", response_model=PlanItemOut)
def tick_checklist_item(
    item_id: int, data: CheckItemIn, principal: CurrentPrincipal, session: DbSession
) -> dict:
    """Tick (``done``: true) or reopen a checklist item."""
    return plan_checklist.tick(session, principal, item_id, data.done, data.note)

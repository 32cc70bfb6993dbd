"""Work-task API (/api/v1/work-tasks/…): plans with their tasks, measures and units; progress reports and
evidence (the ledger); reminders and supervision notices with the sweep; year-end summaries and their
two signatures; Excel import and export of the decomposition table. Every route declares its
``response_model``."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, UploadFile
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.downloads import audited_download
from yingji.auth.roles import Perm
from yingji.auth.scope import require
from yingji.auth.uploads import served
from yingji.core.deps import Db, DbSession
from yingji.drills import records as uploads
from yingji.files.openapi import STORED_FILE, XLSX_FILE
from yingji.governance import board, exchange, plans, progress, reports, summaries, supervision
from yingji.governance.codes import NoticeLevel, NoticeState, Period, PlanState
from yingji.governance.schemas import (
    AnswerIn,
    CompletionOut,
    EvidenceOut,
    ImportOut,
    LedgerOut,
    MeasureIn,
    MeasureOut,
    MeasurePageOut,
    MoveIn,
    NoticeIn,
    NoticeOut,
    NoticePageOut,
    PlanDetailOut,
    PlanIn,
    PlanOut,
    PlanPageOut,
    PlanUnitIn,
    PlanUnitOut,
    ReasonIn,
    ReportIn,
    ReportOut,
    SignIn,
    SummaryIn,
    SummaryOut,
    SweepOut,
    TaskIn,
    TaskOut,
)
from yingji.org.api import read_upload
from yingji.org.params import query_code

router = APIRouter(prefix="/api/v1", tags=["tasks"])
PlanStateQ = Annotated[str | None, Query(pattern="^(" + "|".join(s.value for s in PlanState) + ")$")]
NoticeStateQ = Annotated[str | None, Query(pattern="^(" + "|".join(s.value for s in NoticeState) + ")$")]
LevelQ = Annotated[str | None, Query(pattern="^(" + "|".join(s.value for s in NoticeLevel) + ")$")]
YearQ = Annotated[int | None, Query(ge=2000, le=2100)]


def _measure(session, principal, m) -> dict:
    plan = session.get(plans.TaskPlan, m.plan_id)
    return board.measure_outs(session, principal, plan, [m])[0]


# -- plans -----------------------------------------------------------------------------------
@router.get("/work-tasks/plans", response_model=PlanPageOut)
def list_plans(
    principal: CurrentPrincipal, session: DbSession, year: YearQ = None, state: PlanStateQ = None
) -> dict:
    rows = plans.search(session, principal, year=year, state=state)
    return {"items": [board.plan_out(session, p) for p in rows], "total": len(rows)}


@router.post("/work-tasks/plans", response_model=PlanOut, status_code=201)
def create_plan(data: PlanIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    return board.plan_out(session, plans.create(session, principal, data))


@router.get("/work-tasks/plans/{plan_id}", response_model=PlanDetailOut)
def get_plan(plan_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    return board.plan_detail(session, principal, plans.get(session, principal, plan_id))


@router.post("/work-tasks/plans/{plan_id}/tasks", response_model=TaskOut, status_code=201)
def add_task(plan_id: int, data: TaskIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    t = plans.add_task(session, principal, plan_id, data)
    return {"id": t.id, "seq": t.seq, "title": t.title, "measures": []}


@router.post("/work-tasks/measures", response_model=MeasureOut, status_code=201)
def add_measure(data: MeasureIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    return _measure(session, principal, plans.add_measure(session, principal, data))


@router.put("/work-tasks/plans/{plan_id}/units/{unit_id}", response_model=PlanUnitOut)
def set_plan_unit(
    plan_id: int, unit_id: int, data: PlanUnitIn, principal: CurrentPrincipal, session: DbSession
) -> dict:
    plans.set_plan_unit(session, principal, plan_id, unit_id, data)
    plan = plans.get(session, principal, plan_id)
    return next(u for u in board.plan_detail(session, principal, plan)["units"] if u["unit_id"] == unit_id)


@router.post("/work-tasks/plans/{plan_id}/close", response_model=PlanOut)
def close_plan(plan_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    return board.plan_out(session, plans.close(session, principal, plan_id))


@router.get(
    "/work-tasks/plans/{plan_id}/export", response_class=Response, responses=XLSX_FILE, response_model=None
)
def export_plan(
    plan_id: int, request: Request, principal: CurrentPrincipal, session: DbSession, db: Db
) -> Response:
    require(principal, Perm.EXPORT)
    plan = plans.get(session, principal, plan_id)
    body = exchange.export(session, plan, getattr(request.state, "locale", "zh_CN"))
    return audited_download(
        db,
        principal,
        body,
        entity="gov_plans",
        entity_id=plan.id,
        jurisdiction_code=plan.jurisdiction_code,
        filename=f"{plan.title}.xlsx",
    )


@router.post("/work-tasks/plans/import", response_model=ImportOut, status_code=201)
async def import_plan(
    request: Request,
    file: UploadFile,
    principal: CurrentPrincipal,
    session: DbSession,
    year: Annotated[int, Form(ge=2000, le=2100)],
    title: Annotated[str, Form(min_length=1, max_length=200)],
    issuer: Annotated[str, Form(min_length=1, max_length=120)],
    jurisdiction_code: Annotated[str, Form(min_length=2, max_length=15)],
    doc_no: Annotated[str | None, Form(max_length=80)] = None,
    issuer_unit_id: Annotated[int | None, Form()] = None,
    issued_on: Annotated[date | None, Form()] = None,
    report_period: Annotated[Period, Form()] = Period.MONTH,
) -> dict:
    """An .xlsx in seed 002's layout: a new plan with all its rows, or nothing (row-by-row errors)."""
    data = await read_upload(request, file)
    meta = PlanIn(
        year=year,
        title=title,
        issuer=issuer,
        jurisdiction_code=jurisdiction_code,
        doc_no=doc_no,
        issuer_unit_id=issuer_unit_id,
        issued_on=issued_on,
        report_period=report_period,
    )
    plan, counts = await run_in_threadpool(exchange.import_plan, session, principal, meta, data)
    return {"plan_id": plan.id, **counts}


# -- measures and the ledger -----------------------------------------------------------------
@router.get("/work-tasks/measures/mine", response_model=MeasurePageOut)
def my_measures(principal: CurrentPrincipal, session: DbSession, year: YearQ = None) -> dict:
    items = board.unit_measures(session, principal, plans.my_units(session, principal), year)
    return {"items": items, "total": len(items)}


@router.get("/work-tasks/measures/{measure_id}", response_model=LedgerOut)
def get_measure(measure_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    m, rows = reports.ledger(session, principal, measure_id)
    return {"measure": _measure(session, principal, m), "reports": board.report_outs(session, rows)}


@router.post("/work-tasks/measures/{measure_id}/move", response_model=MeasureOut)
def move_measure(measure_id: int, data: MoveIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    return _measure(session, principal, plans.move_measure(session, principal, measure_id, data.to))


@router.post("/work-tasks/measures/{measure_id}/reports", response_model=ReportOut, status_code=201)
def add_report(measure_id: int, data: ReportIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    return board.report_outs(session, [reports.submit(session, principal, measure_id, data)])[0]


@router.post("/work-tasks/reports/{report_id}/evidence", response_model=EvidenceOut, status_code=201)
async def add_evidence(
    report_id: int, request: Request, file: UploadFile, principal: CurrentPrincipal, session: DbSession
) -> dict:
    settings = request.app.state.settings
    limit = uploads.max_bytes_of(settings)
    data = await file.read(limit + 1)
    row = await run_in_threadpool(
        reports.add_to_report,
        session,
        principal,
        report_id,
        data,
        file.filename,
        root=reports.dir_of(settings),
        max_bytes=limit,
    )
    return reports.evidence_out([row])[0]


@router.get(
    "/work-tasks/evidence/{evidence_id}", response_class=Response, responses=STORED_FILE, response_model=None
)
def evidence_file(
    evidence_id: int, request: Request, principal: CurrentPrincipal, session: DbSession
) -> Response:
    e, path = reports.file_of(session, principal, evidence_id, reports.dir_of(request.app.state.settings))
    return served(path, e.content_type)


# -- supervision -----------------------------------------------------------------------------
@router.get("/work-tasks/notices", response_model=NoticePageOut)
def list_notices(
    principal: CurrentPrincipal,
    session: DbSession,
    state: NoticeStateQ = None,
    level: LevelQ = None,
    plan_id: int | None = None,
    mine: bool = False,
) -> dict:
    units = plans.my_units(session, principal) if mine else None
    rows = supervision.search(session, principal, state=state, level=level, plan_id=plan_id, unit_ids=units)
    return {"items": supervision.outs(session, rows), "total": len(rows)}


@router.post("/work-tasks/notices", response_model=NoticeOut, status_code=201)
def issue_notice(data: NoticeIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    return supervision.outs(session, [supervision.issue(session, principal, data)])[0]


@router.post("/work-tasks/notices/{notice_id}/answer", response_model=NoticeOut)
def answer_notice(notice_id: int, data: AnswerIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    return supervision.outs(session, [supervision.answer(session, principal, notice_id, data.answer)])[0]


@router.post("/work-tasks/notices/{notice_id}/close", response_model=NoticeOut)
def close_notice(notice_id: int, data: ReasonIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    return supervision.outs(session, [supervision.close(session, principal, notice_id, data.reason)])[0]


@router.post("/work-tasks/sweep", response_model=SweepOut)
def run_sweep(principal: CurrentPrincipal, session: DbSession) -> dict:
    """Run the sweep now over the plans of one's own area (the job does it daily for all)."""
    require(principal, Perm.TASKS_MANAGE)
    return supervision.sweep(session, within=principal.jurisdiction_code)


# -- year-end summaries ----------------------------------------------------------------------
@router.put("/work-tasks/plans/{plan_id}/units/{unit_id}/summary", response_model=SummaryOut)
def write_summary(
    plan_id: int, unit_id: int, data: SummaryIn, principal: CurrentPrincipal, session: DbSession
) -> dict:
    return board.summary_out(
        session, principal, summaries.write(session, principal, plan_id, unit_id, data.text)
    )


@router.get("/work-tasks/summaries/{summary_id}", response_model=SummaryOut)
def get_summary(summary_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    return board.summary_out(session, principal, summaries.get(session, principal, summary_id))


@router.post("/work-tasks/summaries/{summary_id}/sign", response_model=SummaryOut)
def sign_summary(summary_id: int, data: SignIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    return board.summary_out(session, principal, summaries.sign(session, principal, summary_id, data.role))


@router.post("/work-tasks/summaries/{summary_id}/evidence", response_model=EvidenceOut, status_code=201)
async def summary_evidence(
    summary_id: int, request: Request, file: UploadFile, principal: CurrentPrincipal, session: DbSession
) -> dict:
    settings = request.app.state.settings
    limit = uploads.max_bytes_of(settings)
    data = await file.read(limit + 1)

    def work():
        s = summaries.get(session, principal, summary_id)
        plan = plans.get(session, principal, s.plan_id)
        reports.check_unit(session, principal, plan, s.unit_id)
        if s.locked:
            raise summaries.SummaryLocked()
        return reports.attach(
            session, principal, data, file.filename, root=reports.dir_of(settings), max_bytes=limit, summary=s
        )

    return reports.evidence_out([await run_in_threadpool(work)])[0]


# -- for the assessment ----------------------------------------------------------------------
@router.get("/work-tasks/completion", response_model=list[CompletionOut])
def completion(
    principal: CurrentPrincipal,
    session: DbSession,
    year: Annotated[int, Query(ge=2000, le=2100)],
    within: str | None = None,
) -> list[dict]:
    code = query_code(within) or principal.jurisdiction_code
    if not principal.covers(code) and code:
        from yingji.core.errors import NotFound

        raise NotFound()
    done = progress.completion(session, [code], year)
    return [{"code": c, "on_track": a, "due": b} for c, (a, b) in done.items()]

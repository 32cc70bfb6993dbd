"""Work-task pages (desk and phone): the plans (with the Excel import), a plan's task → measure table
with its colours and units, a measure with its ledger and the report form, my unit's measures, the
督办 list, and a unit's year-end summary with its two signatures."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.core.deps import DbSession
from yingji.core.errors import ValidationFailed
from yingji.core.i18n import N_
from yingji.drills import records as uploads
from yingji.governance import board, exchange, labels, plans, reports, summaries, supervision
from yingji.governance.codes import MEASURE_MOVES, MeasureState, NoticeState, Period, PlanState, SignRole
from yingji.governance.models import MeasureUnit, Notice, PlanUnit, YearSummary
from yingji.governance.schemas import PlanIn, ReportIn
from yingji.org.api import read_upload
from yingji.web import forms, nav
from yingji.web.templating import pages

router = APIRouter(include_in_schema=False)
SECTION = N_("Supervision and assessment")
nav.register(SECTION, nav.NavItem("tasks", N_("Work tasks"), "/work-tasks", Perm.ORG_READ))
nav.register(SECTION, nav.NavItem("tasks_mine", N_("My unit's tasks"), "/work-tasks/mine", Perm.TASKS_REPORT))
nav.register(
    SECTION, nav.NavItem("tasks_notices", N_("Supervision notices"), "/work-tasks/notices", Perm.ORG_READ)
)


page = pages({"gl": labels})


parse = forms.parse


async def form_of(request: Request) -> dict:
    form = await request.form()
    return {k: str(v).strip() for k, v in form.items() if isinstance(v, str)} | {"_form": form}


# -- plans -----------------------------------------------------------------------------------
@router.get("/work-tasks")
def plans_page(request: Request, principal: CurrentPrincipal, session: DbSession):
    rows = plans.search(session, principal)
    ctx = {
        "rows": [board.plan_out(session, p) for p in rows],
        "can_manage": principal.can(Perm.TASKS_MANAGE),
        "home": principal.jurisdiction_code,
        "periods": [(p.value, labels.label(labels.PERIOD, p)) for p in Period],
        "year": plans.today().year,
    }
    return page(request, "governance/plans.html", ctx)


@router.post("/work-tasks/import")
async def import_page(request: Request, principal: CurrentPrincipal, session: DbSession):
    f = await form_of(request)
    upload = f["_form"].get("file")
    if upload is None or isinstance(upload, str):
        raise ValidationFailed.on("file", N_("Choose the Excel file (.xlsx)."))
    data = await read_upload(request, upload)
    keys = ("year", "title", "issuer", "jurisdiction_code", "doc_no", "issued_on", "report_period")
    meta = parse(PlanIn, {k: f.get(k) for k in keys})
    plan, _counts = exchange.import_plan(session, principal, meta, data)
    return RedirectResponse(f"/work-tasks/plans/{plan.id}", status_code=303)


@router.get("/work-tasks/plans/{plan_id:int}")
def plan_page(plan_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    plan = plans.get(session, principal, plan_id)
    ctx = {
        "p": board.plan_detail(session, principal, plan),
        "can_manage": principal.can(Perm.TASKS_MANAGE) and principal.covers(plan.jurisdiction_code),
        "open": plan.state == PlanState.ACTIVE,
    }
    return page(request, "governance/plan.html", ctx)


@router.post("/work-tasks/plans/{plan_id:int}/close")
async def plan_close(plan_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    plans.close(session, principal, plan_id)
    return RedirectResponse(f"/work-tasks/plans/{plan_id}", status_code=303)


# -- measures --------------------------------------------------------------------------------
@router.get("/work-tasks/measures/{measure_id:int}")
def measure_page(measure_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    m, rows = reports.ledger(session, principal, measure_id)
    plan = plans.get(session, principal, m.plan_id)
    out = board.measure_outs(session, principal, plan, [m])[0]
    carriers = [u["unit_id"] for u in out["units"]]
    manager = principal.can(Perm.TASKS_MANAGE) and principal.covers(plan.jurisdiction_code)
    may_report = [u for u in out["units"] if reports.may_act(session, principal, plan, u["unit_id"])]
    notices = supervision.outs(
        session,
        list(
            session.scalars(select(Notice).where(Notice.measure_id == m.id).order_by(Notice.issued_at.desc()))
        ),
    )
    ctx = {
        "plan": board.plan_out(session, plan, counts=False),
        "m": out,
        "reports": board.report_outs(session, rows),
        "may_report": may_report if plan.state == PlanState.ACTIVE and m.state != MeasureState.CLOSED else [],
        "moves": [
            (s.value, labels.label(labels.MEASURE_STATE, s)) for s in MEASURE_MOVES[MeasureState(m.state)]
        ]
        if manager and plan.state == PlanState.ACTIVE
        else [],
        "notices": notices,
        "client_key": f"gov-{uuid.uuid4().hex[:24]}",
        "carriers": carriers,
    }
    return page(request, "governance/measure.html", ctx)


@router.post("/work-tasks/measures/{measure_id:int}/report")
async def measure_report(measure_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    f = await form_of(request)
    data = parse(
        ReportIn,
        {
            "unit_id": f.get("unit_id"),
            "text": f.get("text"),
            "percent": f.get("percent"),
            "finished": f.get("finished") == "1",
            "client_key": f.get("client_key"),
        },
    )
    report = reports.submit(session, principal, measure_id, data)
    upload = f["_form"].get("file")
    if upload is not None and not isinstance(upload, str) and upload.filename:
        settings = request.app.state.settings
        limit = uploads.max_bytes_of(settings)
        content = await upload.read(limit + 1)
        if content:
            reports.add_to_report(
                session,
                principal,
                report.id,
                content,
                upload.filename,
                root=reports.dir_of(settings),
                max_bytes=limit,
            )
    return RedirectResponse(f"/work-tasks/measures/{measure_id}#ledger", status_code=303)


@router.post("/work-tasks/measures/{measure_id:int}/move")
async def measure_move(measure_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    f = await form_of(request)
    try:
        to = MeasureState(f.get("to", ""))
    except ValueError:
        raise ValidationFailed.on("to", N_("Not a valid choice.")) from None
    plans.move_measure(session, principal, measure_id, to)
    return RedirectResponse(f"/work-tasks/measures/{measure_id}", status_code=303)


@router.get("/work-tasks/mine")
def mine_page(request: Request, principal: CurrentPrincipal, session: DbSession):
    units = plans.my_units(session, principal)
    rows = board.unit_measures(session, principal, units)
    ctx = {
        "rows": rows,
        "units": plans.unit_names(session, units),
        "notices": supervision.outs(
            session, supervision.search(session, principal, unit_ids=units, state=NoticeState.OPEN.value)
        ),
    }
    return page(request, "governance/mine.html", ctx)


# -- supervision -----------------------------------------------------------------------------
@router.get("/work-tasks/notices")
def notices_page(request: Request, principal: CurrentPrincipal, session: DbSession, state: str | None = None):
    state = state if state in {s.value for s in NoticeState} else None
    rows = supervision.search(session, principal, state=state)
    mine = set(plans.my_units(session, principal))
    ctx = {
        "rows": supervision.outs(session, rows),
        "state": state or "",
        "states": [(s.value, labels.label(labels.NOTICE_STATE, s)) for s in NoticeState],
        "mine": mine,
        "can_manage": principal.can(Perm.TASKS_MANAGE),
        "can_report": principal.can(Perm.TASKS_REPORT),
    }
    return page(request, "governance/notices.html", ctx)


@router.post("/work-tasks/notices/{notice_id:int}/answer")
async def notice_answer(notice_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    f = await form_of(request)
    if not f.get("answer"):
        raise ValidationFailed.on("answer", N_("Write the feedback."))
    supervision.answer(session, principal, notice_id, f["answer"][:20000])
    return RedirectResponse("/work-tasks/notices", status_code=303)


@router.post("/work-tasks/notices/{notice_id:int}/close")
async def notice_close(notice_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    f = await form_of(request)
    supervision.close(session, principal, notice_id, (f.get("note") or "")[:2000] or None)
    return RedirectResponse("/work-tasks/notices", status_code=303)


# -- year-end summary ------------------------------------------------------------------------
@router.get("/work-tasks/plans/{plan_id:int}/units/{unit_id:int}/summary")
def summary_page(
    plan_id: int, unit_id: int, request: Request, principal: CurrentPrincipal, session: DbSession
):
    plan = plans.get(session, principal, plan_id)
    pu = session.scalar(select(PlanUnit).where(PlanUnit.plan_id == plan.id, PlanUnit.unit_id == unit_id))
    if pu is None:
        from yingji.core.errors import NotFound

        raise NotFound()
    row = session.scalar(
        select(YearSummary).where(YearSummary.plan_id == plan.id, YearSummary.unit_id == unit_id)
    )
    me = plans.person_of(session, principal)
    s = board.summary_out(session, principal, row) if row else None
    ids = [
        mu.measure_id
        for mu in session.scalars(
            select(MeasureUnit).where(MeasureUnit.plan_id == plan.id, MeasureUnit.unit_id == unit_id)
        )
    ]
    ctx = {
        "plan": board.plan_out(session, plan, counts=False),
        "unit_id": unit_id,
        "unit_name": plans.unit_names(session, [unit_id]).get(unit_id, ""),
        "s": s,
        "measures": board.unit_measures(session, principal, [unit_id], plan.year) if ids else [],
        "may_write": plan.state == PlanState.ACTIVE
        and not (row and (row.head_signed_at or row.leader_signed_at))
        and reports.may_act(session, principal, plan, unit_id),
        "may_sign_head": bool(
            row and not row.head_signed_at and me and me == summaries.signer(session, row, SignRole.HEAD)
        ),
        "may_sign_leader": bool(
            row and not row.leader_signed_at and me and me == summaries.signer(session, row, SignRole.LEADER)
        ),
    }
    ctx["measures"] = [m for m in ctx["measures"] if m["plan_id"] == plan.id]
    return page(request, "governance/summary.html", ctx)


@router.post("/work-tasks/plans/{plan_id:int}/units/{unit_id:int}/summary")
async def summary_write(
    plan_id: int, unit_id: int, request: Request, principal: CurrentPrincipal, session: DbSession
):
    f = await form_of(request)
    if not f.get("text"):
        raise ValidationFailed.on("text", N_("Write the summary."))
    summaries.write(session, principal, plan_id, unit_id, f["text"][:20000])
    return RedirectResponse(f"/work-tasks/plans/{plan_id}/units/{unit_id}/summary", status_code=303)


@router.post("/work-tasks/summaries/{summary_id:int}/sign")
async def summary_sign(summary_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    f = await form_of(request)
    try:
        role = SignRole(f.get("role", ""))
    except ValueError:
        raise ValidationFailed.on("role", N_("Not a valid choice.")) from None
    s = summaries.sign(session, principal, summary_id, role)
    return RedirectResponse(f"/work-tasks/plans/{s.plan_id}/units/{s.unit_id}/summary", status_code=303)

"""Response API (/api/v1): levels, command post, consultations, tasks, situation reports (JSON, DOCX,
PDF), closure, investigation, escalation policy, incident statistics (JSON, Excel)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.downloads import audited_download
from yingji.core.deps import Db, DbSession
from yingji.core.errors import ValidationFailed
from yingji.files.openapi import DOCX_FILE, PDF_FILE, XLSX_FILE
from yingji.org import names, places
from yingji.org.params import query_code
from yingji.response import (
    closure,
    command,
    consultations,
    escalation,
    investigation,
    levels,
    out,
    panel,
    sitrep_docx,
    sitrep_layout,
    sitrep_pdf,
    sitreps,
    stats,
    stats_excel,
    tasks,
)
from yingji.response.codes import TaskState
from yingji.response.common import incident_for_read
from yingji.response.schemas import (
    ActivationIn,
    ActivationOut,
    AdjustIn,
    ClosureIn,
    ClosureOut,
    CommandPostIn,
    CommandPostOut,
    ConsultationIn,
    ConsultationOut,
    DecisionTaskIn,
    EndIn,
    ExtensionIn,
    IncidentStatsOut,
    InvestigationIn,
    InvestigationOut,
    OverdueTasksOut,
    PolicyIn,
    PolicyOut,
    PolicySetOut,
    ResponseRecordOut,
    SitrepIn,
    SitrepOut,
    TaskDetailOut,
    TaskIn,
    TaskNoteIn,
    TaskOut,
    TaskPageOut,
)
from yingji.response.stats_json import report_dict

router = APIRouter(prefix="/api/v1", tags=["response"])
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TASK_ACTIONS = {
    "acknowledge": TaskState.ACKNOWLEDGED,
    "start": TaskState.IN_PROGRESS,
    "complete": TaskState.DONE,
    "cancel": TaskState.CANCELLED,
}


@router.get("/incidents/{incident_id}/response", response_model=ResponseRecordOut)
def get_response(incident_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    """The whole response record of an incident."""
    ctx = panel.gather(session, principal, incident_id, with_options=False)
    return {
        "incident_id": incident_id,
        "status": ctx["incident"].status,
        "response_level": ctx["incident"].response_level,
        "active": out.activation(ctx["active"]),
        "history": [out.activation(a) for a in ctx["history"]],
        "command_post": out.post(ctx["post"]),
        "tasks": [out.task(t) for t in ctx["tasks"]],
        "consultations": [out.consultation(c) for c in ctx["consultations"]],
        "sitreps": [out.sitrep(s) for s in ctx["sitreps"]],
        "closure": out.closure(ctx["closure"]),
        "investigation": out.investigation(ctx["investigation"]),
    }


@router.post("/incidents/{incident_id}/response/activate", status_code=201, response_model=ActivationOut)
def activate(incident_id: int, data: ActivationIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    return out.activation(levels.activate(session, principal, incident_id, data))


@router.post("/incidents/{incident_id}/response/adjust", status_code=201, response_model=ActivationOut)
def adjust(incident_id: int, data: AdjustIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    return out.activation(levels.adjust(session, principal, incident_id, data))


@router.post("/incidents/{incident_id}/response/end", response_model=ActivationOut)
def end(incident_id: int, data: EndIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    return out.activation(levels.end(session, principal, incident_id, data))


@router.put("/incidents/{incident_id}/command-post", response_model=CommandPostOut)
def set_command_post(
    incident_id: int, data: CommandPostIn, principal: CurrentPrincipal, session: DbSession
) -> dict:
    return out.post(command.set_post(session, principal, incident_id, data))


@router.post("/incidents/{incident_id}/consultations", status_code=201, response_model=ConsultationOut)
def create_consultation(
    incident_id: int, data: ConsultationIn, principal: CurrentPrincipal, session: DbSession
) -> dict:
    return out.consultation(consultations.create(session, principal, incident_id, data))


@router.post("/consultation-decisions/{decision_id}/task", status_code=201, response_model=TaskDetailOut)
def decision_to_task(
    decision_id: int, data: DecisionTaskIn, principal: CurrentPrincipal, session: DbSession
) -> dict:
    """A consultation decision becomes a task in one step."""
    return out.task(tasks.create_from_decision(session, principal, decision_id, data), with_steps=True)


@router.post("/incidents/{incident_id}/tasks", status_code=201, response_model=TaskDetailOut)
def create_task(incident_id: int, data: TaskIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    """Assign a task (a repeated ``client_key`` returns the first task)."""
    return out.task(tasks.create(session, principal, incident_id, data), with_steps=True)


@router.get("/tasks", response_model=TaskPageOut)
def list_my_tasks(
    principal: CurrentPrincipal,
    session: DbSession,
    all: bool = False,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> dict:
    """Tasks assigned to me (my person, or a unit I hold a post in); open ones unless ``all``."""
    result = tasks.mine(session, principal, open_only=not all, page=page)
    return {"items": [out.task(t) for t in result.items], "total": result.total, "page": result.page}


@router.get("/tasks/overdue", response_model=OverdueTasksOut)
def list_overdue(principal: CurrentPrincipal, session: DbSession) -> dict:
    rows = tasks.overdue(session, principal)
    return {"items": [out.task(t) | {"incident_number": n, "incident_title": title} for t, n, title in rows]}


@router.get("/tasks/{task_id}", response_model=TaskDetailOut)
def get_task(task_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    return out.task(tasks.get(session, principal, task_id), with_steps=True)


@router.post("/tasks/{task_id}/{action}", response_model=TaskOut)
def task_action(
    task_id: int, action: str, principal: CurrentPrincipal, session: DbSession, data: TaskNoteIn | None = None
) -> dict:
    """acknowledge, start, complete or cancel; repeating an action changes nothing (phone retries)."""
    if action not in TASK_ACTIONS:
        raise ValidationFailed(details=[{"field": "action", "message": "Unknown action."}])
    note = data.note if data else None
    return out.task(tasks.move(session, principal, task_id, TASK_ACTIONS[action], note))


@router.post("/incidents/{incident_id}/sitreps", status_code=201, response_model=SitrepOut)
def create_sitrep(incident_id: int, data: SitrepIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    return out.sitrep(sitreps.create(session, principal, incident_id, data))


def export_sitrep(session, db, principal, sitrep_id: int, kind: str) -> Response:
    """Render a situation report as DOCX or PDF; every export is audited."""
    report = sitreps.get(session, principal, sitrep_id)
    incident = incident_for_read(session, principal, report.incident_id)
    doc = sitrep_layout.build(report, incident, names.place_path(session, incident.jurisdiction_code))
    body = sitrep_pdf.render(doc) if kind == "pdf" else sitrep_docx.render(doc)
    return audited_download(
        db,
        principal,
        body,
        entity="situation_reports",
        entity_id=report.id,
        filename=sitrep_layout.file_name(report, incident, kind),
        jurisdiction_code=report.jurisdiction_code,
        media_type="application/pdf" if kind == "pdf" else DOCX,
        note=kind,
    )


@router.get("/sitreps/{sitrep_id}.docx", response_class=Response, responses=DOCX_FILE, response_model=None)
def sitrep_as_docx(sitrep_id: int, principal: CurrentPrincipal, session: DbSession, db: Db) -> Response:
    return export_sitrep(session, db, principal, sitrep_id, "docx")


@router.get("/sitreps/{sitrep_id}.pdf", response_class=Response, responses=PDF_FILE, response_model=None)
def sitrep_as_pdf(sitrep_id: int, principal: CurrentPrincipal, session: DbSession, db: Db) -> Response:
    """The PDF embeds a CJK font; 503 ``no_cjk_font`` when the server has none."""
    return export_sitrep(session, db, principal, sitrep_id, "pdf")


@router.get("/sitreps/{sitrep_id}", response_model=SitrepOut)
def get_sitrep(sitrep_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    return out.sitrep(sitreps.get(session, principal, sitrep_id))


@router.post("/incidents/{incident_id}/close", response_model=ClosureOut)
def close_incident(
    incident_id: int, data: ClosureIn, principal: CurrentPrincipal, session: DbSession
) -> dict:
    return out.closure(closure.close(session, principal, incident_id, data))


@router.put("/incidents/{incident_id}/investigation", response_model=InvestigationOut)
def update_investigation(
    incident_id: int, data: InvestigationIn, principal: CurrentPrincipal, session: DbSession
) -> dict:
    return out.investigation(investigation.update(session, principal, incident_id, data))


@router.post("/incidents/{incident_id}/investigation/extend", response_model=InvestigationOut)
def extend_investigation(
    incident_id: int, data: ExtensionIn, principal: CurrentPrincipal, session: DbSession
) -> dict:
    """Extend the investigation-report deadline (at most 60 days in all, with the approval recorded)."""
    return out.investigation(investigation.extend(session, principal, incident_id, data))


@router.get("/escalation-policies/{code}", response_model=PolicyOut)
def get_policy(code: str, principal: CurrentPrincipal, session: DbSession) -> dict:
    """The escalation policy that applies to tasks issued at a place."""
    place = query_code(code)
    places.get(session, principal, place)
    return escalation.policy_for(session, place)


@router.put("/escalation-policies/{code}", response_model=PolicySetOut)
def put_policy(code: str, data: PolicyIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    row = escalation.set_policy(session, principal, query_code(code), data)
    return {
        "jurisdiction_code": row.jurisdiction_code,
        "name": row.name,
        "version": row.version,
        "steps": row.steps,
    }


def _report(session, principal, within, start, end, category):
    return stats.report(
        session,
        principal,
        within=query_code(within),
        first_day=start,
        last_day=end,
        category=category or None,
    )


@router.get("/stats/incidents", response_model=IncidentStatsOut)
def incident_stats(
    principal: CurrentPrincipal,
    session: DbSession,
    within: str | None = None,
    start: date | None = None,
    end: date | None = None,
    category: Annotated[str | None, Query(max_length=60)] = None,
) -> dict:
    """Incidents by category, grade, place and month against the same period last year (双降)."""
    return report_dict(_report(session, principal, within, start, end, category))


@router.get("/stats/incidents.xlsx", response_class=Response, responses=XLSX_FILE, response_model=None)
async def incident_stats_excel(
    principal: CurrentPrincipal,
    session: DbSession,
    db: Db,
    within: str | None = None,
    start: date | None = None,
    end: date | None = None,
    category: Annotated[str | None, Query(max_length=60)] = None,
) -> Response:
    result = await run_in_threadpool(_report, session, principal, within, start, end, category)
    return await run_in_threadpool(excel_response, db, principal, result)


def excel_response(db, principal, result) -> Response:
    """The workbook as a download; audited as an export."""
    body = stats_excel.workbook(result)
    name = f"yingji-incident-stats-{result.place_code or 'all'}-{result.current.first_day:%Y%m%d}.xlsx"
    return audited_download(
        db, principal, body, entity="incident_stats", filename=name, jurisdiction_code=result.place_code
    )

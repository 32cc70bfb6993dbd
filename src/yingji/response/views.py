"""Response pages: the incident's response panel (a partial the incident page loads), its full-page
form, my tasks (phone-friendly), the overdue-tasks partial of the duty board, incident statistics."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.core.deps import Db, DbSession
from yingji.core.errors import NotFound
from yingji.core.i18n import N_
from yingji.org import codes
from yingji.response import panel, stats, tasks
from yingji.response.api import excel_response, export_sitrep
from yingji.response.forms import router as forms_router
from yingji.response.stats_json import report_dict
from yingji.web import nav
from yingji.web.templating import render

router = APIRouter(include_in_schema=False)
router.include_router(forms_router)

nav.register(N_("Response"), nav.NavItem("my-tasks", N_("My tasks"), "/tasks", Perm.TASK_HANDLE))
nav.register(
    N_("Response"), nav.NavItem("overdue-tasks", N_("Overdue tasks"), "/response/overdue", Perm.ORG_READ)
)
nav.register(N_("Statistics"), nav.NavItem("incident-stats", N_("Incident statistics"), "/stats/incidents"))


@router.get("/incidents/{incident_id}/response")
def response_panel(incident_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    """The partial the incident page loads (``hx-get``): level, command post, tasks, reports, closure."""
    return render(
        request, "response/panel.html", panel.gather(session, principal, incident_id) | {"error": None}
    )


@router.get("/response/incidents/{incident_id}")
def response_page(incident_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    return render(
        request, "response/page.html", panel.gather(session, principal, incident_id) | {"error": None}
    )


@router.get("/response/panel/overdue-tasks")
def overdue_partial(request: Request, principal: CurrentPrincipal, session: DbSession):
    """Overdue open tasks in scope, for the duty board (htmx partial)."""
    return render(request, "response/_overdue.html", {"rows": tasks.overdue(session, principal)})


@router.get("/response/overdue")
def overdue_page(request: Request, principal: CurrentPrincipal, session: DbSession):
    return render(request, "response/overdue.html", {"rows": tasks.overdue(session, principal, limit=200)})


@router.get("/tasks")
def my_tasks(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    all: bool = False,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
):
    result = tasks.mine(session, principal, open_only=not all, page=page)
    handle = {t.id: panel.can_handle(session, principal, t) for t in result.items}
    return render(request, "response/my_tasks.html", {"page": result, "all": all, "handle": handle})


@router.get("/tasks/{task_id}")
def task_page(task_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    task = tasks.get(session, principal, task_id)
    ctx = {"task": task, "handle": {task.id: panel.can_handle(session, principal, task)}}
    return render(request, "response/task.html", ctx)


@router.get("/response/sitreps/{sitrep_id}.docx")
def sitrep_docx(sitrep_id: int, principal: CurrentPrincipal, session: DbSession, db: Db):
    return export_sitrep(session, db, principal, sitrep_id, "docx")


@router.get("/response/sitreps/{sitrep_id}.pdf")
def sitrep_pdf(sitrep_id: int, principal: CurrentPrincipal, session: DbSession, db: Db):
    return export_sitrep(session, db, principal, sitrep_id, "pdf")


def _stats_args(within: str | None, start: str | None, end: str | None) -> dict:
    try:
        return {
            "within": codes.normalise(within) if within else None,
            "first_day": date.fromisoformat(start) if start else None,
            "last_day": date.fromisoformat(end) if end else None,
        }
    except ValueError:
        raise NotFound() from None


@router.get("/stats/incidents")
def stats_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    within: str | None = None,
    start: str | None = None,
    end: str | None = None,
    category: Annotated[str | None, Query(max_length=60)] = None,
):
    """Incident statistics with year-over-year change, ECharts charts and an Excel download."""
    result = stats.report(session, principal, category=category or None, **_stats_args(within, start, end))
    ctx = {
        "report": result,
        "data_json": json.dumps(report_dict(result), ensure_ascii=False).replace("</", "<\\/"),
        "categories": stats.top_categories(),
        "category": category or "",
        "query": request.url.query,
    }
    return render(request, "response/stats.html", ctx)


@router.get("/stats/incidents.xlsx")
async def stats_excel(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    db: Db,
    within: str | None = None,
    start: str | None = None,
    end: str | None = None,
    category: Annotated[str | None, Query(max_length=60)] = None,
):
    args = _stats_args(within, start, end)
    result = await run_in_threadpool(stats.report, session, principal, category=category or None, **args)
    return await run_in_threadpool(excel_response, db, principal, result)

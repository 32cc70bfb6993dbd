"""Task pages: my tasks (phone-friendly), a task and its big buttons, overdue tasks (a page, and the
duty board's partial)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from yingji.auth.deps import CurrentPrincipal
from yingji.core.deps import DbSession
from yingji.core.errors import NotFound
from yingji.response import panel, tasks
from yingji.response.codes import TaskState
from yingji.web.templating import render

router = APIRouter(include_in_schema=False)
TASK_ACTIONS = {
    "acknowledge": TaskState.ACKNOWLEDGED,
    "start": TaskState.IN_PROGRESS,
    "complete": TaskState.DONE,
    "cancel": TaskState.CANCELLED,
}


@router.post("/tasks/{task_id}/{action}")
async def task_form(
    task_id: int, action: str, request: Request, principal: CurrentPrincipal, session: DbSession
):
    """The big buttons of a task: acknowledge, start, complete, cancel (idempotent on retry)."""
    if action not in TASK_ACTIONS:
        raise NotFound()
    form = await request.form()
    note = str(form.get("note", "")).strip()[:4000] or None
    task = await run_in_threadpool(tasks.move, session, principal, task_id, TASK_ACTIONS[action], note)
    if request.headers.get("hx-request"):
        handle = {task.id: await run_in_threadpool(panel.can_handle, session, principal, task)}
        return render(request, "response/_task_card.html", {"task": task, "handle": handle})
    back = str(form.get("next", ""))
    target = back if back.startswith("/") and not back.startswith("//") else f"/tasks/{task_id}"
    return RedirectResponse(target, status_code=303)


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

"""The grid worker's app: home by role (/field), a warning in full, a door-to-door task household by
household, the offline shell, and what makes it installable: the web app manifest and the service
worker (a static file served from /field/ so its scope is the app, with no-cache so updates land)."""

from __future__ import annotations

import json
import uuid
from importlib.resources import files

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.core.deps import DbSession
from yingji.core.errors import YingjiError
from yingji.core.i18n import N_, gettext
from yingji.delivery import field as delivery_field
from yingji.field import home, visits
from yingji.field.codes import ROLE_MENUS
from yingji.field.schemas import VisitIn
from yingji.field.workers import me
from yingji.web import nav
from yingji.web.assets import static_url
from yingji.web.templating import render

router = APIRouter(include_in_schema=False)

# The evacuation phone list had no menu entry; the grid roles' short menu needs one.
nav.register(
    N_("Disaster relief"),
    nav.NavItem("evac-field", N_("My evacuation tasks"), "/evacuation/field", Perm.EVACUATION_MARK, order=5),
)

nav.ROLE_MENUS.update(ROLE_MENUS)

SW_FILE = files("yingji.web") / "static" / "js" / "field-sw.js"


def task_ctx(session, principal, task, errors: dict | None = None) -> dict:
    """What the task page shows (also used by delivery's close form when it fails)."""
    households = visits.households(session, task)
    return {
        "task": task,
        "cell": delivery_field.task_cell(session, task),
        "households": households,
        "reached": sum(1 for h in households if h.reached),
        "me": me(session, principal),
        "errors": errors or {},
    }


@router.get("/field")
def field_home(request: Request, principal: CurrentPrincipal, session: DbSession, done: str = ""):
    ctx = home.summary(session, principal) | {"done": done}
    return render(request, "field/home.html", ctx)


@router.get("/field/warnings/{dispatch_id:int}")
def warning_page(dispatch_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    dispatch, warning, acked = home.warning_of(session, principal, dispatch_id)
    return render(request, "field/warning.html", {"dispatch": dispatch, "warning": warning, "acked": acked})


@router.get("/field/tasks/{task_id:int}")
def task_page(task_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    task = delivery_field.get_task(session, principal, task_id)
    return render(request, "field/task.html", task_ctx(session, principal, task))


@router.post("/field/tasks/{task_id:int}/visits")
async def tick(task_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    """A tick without script (the page's script sends ticks to the API through its outbox)."""
    form = await request.form()
    data = VisitIn(
        task_id=task_id,
        household=str(form.get("household", "")).strip()[:40] or "-",
        reached=str(form.get("reached", "1")) != "0",
        client_key=str(form.get("client_key", "")).strip()[:64] or uuid.uuid4().hex,
    )
    try:
        await run_in_threadpool(visits.record, session, principal, data)
    except YingjiError as exc:
        if exc.status_code in (403, 404):
            raise
        task = await run_in_threadpool(delivery_field.get_task, session, principal, task_id)
        ctx = await run_in_threadpool(
            task_ctx, session, principal, task, {"_": gettext(exc.message, **exc.params)}
        )
        return render(request, "field/task.html", ctx, status_code=exc.status_code)
    return RedirectResponse(f"/field/tasks/{task_id}", status_code=303)


@router.get("/field/offline")
def offline_shell(request: Request, principal: CurrentPrincipal):
    """The app shell the service worker shows for a page it has not kept: the queue and the way back."""
    return render(request, "field/offline.html", {})


@router.get("/field/sw.js")
def service_worker() -> Response:
    # Served from /field/ (not /static/, which is cached for a year): the scope is the app, and a new
    # version is picked up at the next visit.
    return Response(
        SW_FILE.read_text(encoding="utf-8"),
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/field"},
    )


@router.get("/field/manifest.webmanifest")
def manifest() -> Response:
    body = {
        "name": gettext("Yingji grid worker"),
        "short_name": gettext("Grid worker"),
        "lang": "zh-CN",
        "start_url": "/field",
        "scope": "/field",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#b71c1c",
        "icons": [
            {"src": static_url("img/yingji-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static_url("img/yingji-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": static_url("img/yingji.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    return Response(
        json.dumps(body, ensure_ascii=False),
        media_type="application/manifest+json",
        headers={"Cache-Control": "no-cache"},
    )

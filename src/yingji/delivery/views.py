"""Delivery pages: the live warning page, the grid worker's phone page and door-to-door task, the
acknowledgement landing page of signed links (no login), and the channel endpoints."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.core.db import Actor
from yingji.core.deps import DbSession
from yingji.core.errors import ValidationFailed, YingjiError
from yingji.core.i18n import N_, gettext
from yingji.delivery import acks, endpoints, field, live, signing
from yingji.delivery.codes import AckMethod
from yingji.org import places
from yingji.web import nav
from yingji.web.templating import render

router = APIRouter(include_in_schema=False)
SECTION = N_("Warnings")
nav.register(SECTION, nav.NavItem("field", N_("My warnings and tasks"), "/field", Perm.WARNING_ACK))
nav.register(SECTION, nav.NavItem("endpoints", N_("Channels"), "/delivery/endpoints", Perm.WARNING_DRAFT))


def _live_ctx(session, principal, dispatch) -> dict:
    towns = live.coverage(session, principal, dispatch, 9)
    tasks = live.tasks(session, principal, dispatch)
    return {
        "dispatch": dispatch,
        "towns": towns,
        "villages": live.coverage(session, principal, dispatch, 12),
        "totals": live.totals(towns),
        "channels": live.by_channel(session, principal, dispatch),
        "steps": live.steps(session, dispatch),
        "tasks": tasks,
        "place_names": places.names(session, [t.jurisdiction_code for t in tasks]),
    }


@router.get("/warnings/{warning_id}/live")
def live_page(warning_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    dispatch = live.dispatch_for_warning(session, principal, warning_id)
    ctx = _live_ctx(session, principal, dispatch) | {"warning_id": warning_id}
    if request.headers.get("hx-request"):
        return render(request, "delivery/_live_stats.html", ctx)
    return render(request, "delivery/live.html", ctx)


@router.get("/delivery/dispatches/{dispatch_id}")
def dispatch_page(dispatch_id: int, principal: CurrentPrincipal, session: DbSession):
    dispatch = live.get_dispatch(session, principal, dispatch_id)
    return RedirectResponse(f"/warnings/{dispatch.warning_id}/live", status_code=303)


# -- the grid worker's phone page: the pages are the field app's (yingji.field.views) -------------
@router.post("/field/ack/{dispatch_id}")
def field_ack(dispatch_id: int, principal: CurrentPrincipal, session: DbSession):
    acks.ack_in_app(session, principal, dispatch_id)
    return RedirectResponse("/field?done=ack", status_code=303)


def _in_savepoint(session, fn, *args):
    with session.begin_nested():
        return fn(*args)


@router.post("/field/tasks/{task_id}/close")
async def task_close(task_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    form = await request.form()
    raw = str(form.get("households_reached", "")).strip()
    try:
        if not raw.isdigit():
            raise ValidationFailed(
                details=[
                    {"field": "households_reached", "message": "Write the number of households reached."}
                ]
            )
        await run_in_threadpool(
            _in_savepoint,
            session,
            field.close_task,
            session,
            principal,
            task_id,
            int(raw),
            str(form.get("note", "")).strip() or None,
            str(form.get("client_key", "")).strip() or None,
        )
    except YingjiError as exc:
        if exc.status_code in (403, 404):
            raise
        from yingji.field.views import task_ctx  # the task page is the field app's

        task = await run_in_threadpool(field.get_task, session, principal, task_id)
        errors = {d.get("field", "_"): gettext(d["message"]) for d in exc.details} or {
            "_": gettext(exc.message, **exc.params)
        }
        ctx = await run_in_threadpool(task_ctx, session, principal, task, errors)
        return render(request, "field/task.html", ctx, status_code=422)
    return RedirectResponse("/field?done=task", status_code=303)


# -- signed links: no login -------------------------------------------------------------------
@router.get("/ack/{token}")
def ack_landing(token: str, request: Request, session: DbSession):
    secret = request.app.state.settings.secret_key
    try:
        _delivery, dispatch = acks.by_link(session, secret, token)
    except signing.BadToken as exc:
        return render(request, "delivery/ack.html", {"problem": exc.reason}, status_code=400)
    return render(
        request, "delivery/ack.html", {"problem": None, "dispatch": dispatch, "token": token, "done": False}
    )


@router.post("/ack/{token}")
def ack_confirm(token: str, request: Request, session: DbSession):
    session.info["actor"] = Actor.system("ack-link")
    secret = request.app.state.settings.secret_key
    try:
        delivery, dispatch = acks.by_link(session, secret, token)
    except signing.BadToken as exc:
        return render(request, "delivery/ack.html", {"problem": exc.reason}, status_code=400)
    acks.acknowledge(session, delivery.dispatch_id, delivery.recipient_id, AckMethod.LINK.value)
    return render(request, "delivery/ack.html", {"problem": None, "dispatch": dispatch, "done": True})


# -- channel endpoints ------------------------------------------------------------------------
def _endpoint_rows(session, principal, kind: str = "") -> dict:
    rows = [endpoints.to_out(e) for e in endpoints.search(session, principal, kind or None)]
    return {"rows": rows, "place_names": places.names(session, [r["jurisdiction_code"] for r in rows])}


@router.get("/delivery/endpoints")
def endpoints_page(request: Request, principal: CurrentPrincipal, session: DbSession, kind: str = ""):
    ctx = _endpoint_rows(session, principal, kind) | {"kind": kind, "errors": {}, "form": {}}
    return render(request, "delivery/endpoints.html", ctx)


@router.post("/delivery/endpoints")
def endpoint_create(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    kind: Annotated[str, Form()],
    name: Annotated[str, Form()],
    jurisdiction_code: Annotated[str, Form()],
    config: Annotated[str, Form()] = "{}",
    rate_per_s: Annotated[float, Form()] = 50.0,
    enabled: Annotated[str, Form()] = "",
):
    form = {"kind": kind, "name": name, "jurisdiction_code": jurisdiction_code, "config": config}
    try:
        parsed = json.loads(config or "{}")
        data = endpoints.EndpointIn(
            kind=kind,
            name=name,
            jurisdiction_code=jurisdiction_code,
            config=parsed if isinstance(parsed, dict) else {},
            rate_per_s=rate_per_s,
            enabled=bool(enabled),
        )
        with session.begin_nested():
            endpoints.create(session, principal, data)
    except (ValueError, ValidationError, ValidationFailed) as exc:
        if isinstance(exc, ValidationFailed) and exc.details:
            errors = {d["field"]: gettext(d["message"]) for d in exc.details}
        else:
            errors = {"_": gettext("This value is not valid.")}
        ctx = _endpoint_rows(session, principal) | {"kind": "", "errors": errors, "form": form}
        return render(request, "delivery/endpoints.html", ctx, status_code=422)
    return RedirectResponse("/delivery/endpoints", status_code=303)

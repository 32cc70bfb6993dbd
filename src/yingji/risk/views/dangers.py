"""Pages of the hidden-danger loop: the ledger (台账) with its filters and Excel export, one danger
with the next steps as forms, photos before and after, and the phone page to report a danger."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, UploadFile
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from yingji.auth import uploads
from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import require
from yingji.core.deps import DbSession
from yingji.core.errors import YingjiError
from yingji.org import places
from yingji.org.api import read_upload
from yingji.org.params import url_code
from yingji.risk import dangers, loop, photos, steps, tables
from yingji.risk.schemas import ActionIn, DangerIn
from yingji.risk.views.common import form_dict, page, pick, refuse_or_errors
from yingji.web.forms import in_savepoint

router = APIRouter(include_in_schema=False)
Month = Annotated[str | None, Query(pattern=r"^(\d{4}-(0[1-9]|1[0-2]))?$")]
PLAN_FIELDS = tuple(tables.plan_fields())


@router.get("/risk/dangers")
def ledger_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    q: Annotated[str, Query(max_length=100)] = "",
    within: str | None = None,
    status: str | None = None,
    grade: Annotated[str | None, Query(pattern="^(general|major)?$")] = None,
    source: str | None = None,
    month: Month = None,
    overdue: bool = False,
    listed: bool = False,
    page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
):
    """The hidden-danger ledger."""
    found = dangers.search(
        session,
        principal,
        q=q,
        within=url_code(within),
        status=status or None,
        grade=grade or None,
        source=source or None,
        month=month or None,
        overdue=overdue,
        listed=listed,
        page=page_no,
    )
    f = {"q": q, "within": within or "", "status": status or "", "grade": grade or "", "source": source or ""}
    f |= {"month": month or "", "overdue": overdue, "listed": listed}
    names = {c: dangers.place_name(session, c) for c in {d.jurisdiction_code for d in found.items}}
    return page(
        request, "risk/dangers.html", {"page": found, "f": f, "names": names, "today": dangers.today()}
    )


def _danger_ctx(
    session, principal, danger_id: int, form: dict | None = None, errors: dict | None = None
) -> dict:
    danger = dangers.get(session, principal, danger_id)
    allowed = [s for s in loop.next_steps(danger.status) if principal.can(s.perm)]
    return {
        "d": danger,
        "steps": allowed,
        "plan": dangers.plan_of(session, danger),
        "photos": dangers.photos_of(session, danger),
        "events": dangers.events(session, danger),
        "place": dangers.place_name(session, danger.jurisdiction_code),
        "supervisor": dangers.place_name(session, danger.supervised_by) if danger.supervised_by else None,
        "overdue": dangers.is_overdue(danger),
        "criteria": tables.criteria(),
        "plan_fields": tables.plan_fields(),
        "form": form or {},
        "key": uuid.uuid4().hex,
        "errors": errors or {},
        "can_photo": principal.can(Perm.DANGER_REPORT) and principal.covers(danger.jurisdiction_code),
    }


@router.get("/risk/dangers/{danger_id}")
def danger_page(danger_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    """One hidden danger with the next steps open to the user."""
    return page(request, "risk/danger.html", _danger_ctx(session, principal, danger_id))


def action_data(form: dict) -> ActionIn:
    """The loop form's fields as the step's input (checkboxes of the checklist, the 重大 plan)."""
    data = pick(
        form,
        (
            "note",
            "category",
            "responsible_party",
            "responsible_person",
            "responsible_phone",
            "measures",
            "funds_cny",
        ),
    )
    data |= pick(form, ("deadline", "client_key"))
    if form.get("checklist_shown"):
        data["checklist"] = {c["code"]: form.get(f"crit_{c['code']}") == "on" for c in tables.criteria()}
    plan = pick(form, PLAN_FIELDS)
    if plan:
        data["plan"] = plan
    return ActionIn.model_validate(data)


@router.post("/risk/dangers/{danger_id}/act/{action}")
async def danger_act(
    danger_id: int, action: str, request: Request, principal: CurrentPrincipal, session: DbSession
):
    """Take a step of the loop from the danger page."""
    form = await form_dict(request)
    try:
        data = action_data(form)
        await run_in_threadpool(in_savepoint, session, steps.act, session, principal, danger_id, action, data)
    except (ValidationError, YingjiError) as exc:
        errors = refuse_or_errors(exc) | {"_action": action}
        ctx = await run_in_threadpool(_danger_ctx, session, principal, danger_id, form, errors)
        return page(
            request,
            "risk/danger.html",
            ctx,
            status_code=409 if getattr(exc, "status_code", 0) == 409 else 422,
        )
    return RedirectResponse(f"/risk/dangers/{danger_id}", status_code=303)


@router.post("/risk/dangers/{danger_id}/photos")
async def danger_photo(
    danger_id: int, request: Request, principal: CurrentPrincipal, session: DbSession, file: UploadFile
):
    """Add a photo from the danger page."""
    form = await request.form()
    data = await read_upload(request, file)
    try:
        danger = dangers.get(session, principal, danger_id)
        settings = request.app.state.settings
        stage = str(form.get("stage", "before"))
        await run_in_threadpool(
            in_savepoint, session, photos.add, session, principal, danger, stage, data, settings
        )
    except YingjiError as exc:
        ctx = await run_in_threadpool(_danger_ctx, session, principal, danger_id, None, refuse_or_errors(exc))
        return page(request, "risk/danger.html", ctx, status_code=exc.status_code)
    return RedirectResponse(f"/risk/dangers/{danger_id}#photos", status_code=303)


@router.get("/risk/dangers/{danger_id}/photos/{photo_id}")
def danger_photo_file(
    danger_id: int, photo_id: int, request: Request, principal: CurrentPrincipal, session: DbSession
):
    """A danger's photo, to those who can see the danger."""
    photo, path = photos.get(session, principal, danger_id, photo_id, request.app.state.settings)
    return uploads.served(path, photo.content_type)


# -- the phone page: report a hidden danger -------------------------------------------------
def _report_ctx(session, principal, form: dict | None = None, errors: dict | None = None, sent=None) -> dict:
    own = places.root(session, principal)
    choices = [own] + (places.children(session, principal, own.code) if own and own.level != "group" else [])
    return {
        "choices": [c for c in choices if c is not None and len(c.code) >= 9],
        "form": form or {"client_key": uuid.uuid4().hex, "jurisdiction_code": principal.jurisdiction_code},
        "errors": errors or {},
        "sent": sent,
    }


@router.get("/risk/report")
def report_page(request: Request, principal: CurrentPrincipal, session: DbSession, sent: int | None = None):
    """The phone page to report a hidden danger."""
    require(principal, Perm.DANGER_REPORT)
    done = dangers.get(session, principal, sent) if sent else None
    return page(request, "risk/report.html", _report_ctx(session, principal, sent=done))


@router.post("/risk/report")
async def report_send(request: Request, principal: CurrentPrincipal, session: DbSession):
    """Send a hidden-danger report from the phone page."""
    require(principal, Perm.DANGER_REPORT)
    form = await form_dict(request)
    upload = form.pop("photo", None)
    fields = ("title", "description", "category", "jurisdiction_code", "location", "lon", "lat", "client_key")
    try:
        source = "enterprise" if form.get("source") == "enterprise" else "grid"
        data = DangerIn.model_validate(pick(form, fields) | {"source": source})
        photo = await read_upload(request, upload) if upload is not None and hasattr(upload, "read") else b""

        def send():
            danger = dangers.create(session, principal, data)
            if photo:
                photos.keep(session, principal, danger, "before", photo, request.app.state.settings)
            return danger

        danger = await run_in_threadpool(in_savepoint, session, send)
    except (ValidationError, YingjiError) as exc:
        errors = refuse_or_errors(exc)
        ctx = await run_in_threadpool(_report_ctx, session, principal, form, errors)
        return page(request, "risk/report.html", ctx, status_code=422)
    return RedirectResponse(f"/risk/report?sent={danger.id}", status_code=303)

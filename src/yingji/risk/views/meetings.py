"""Pages of the monthly village risk meetings (村级风险研判会)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import require
from yingji.core.deps import DbSession
from yingji.core.errors import YingjiError
from yingji.org import places
from yingji.org.params import url_code
from yingji.risk import dangers, meetings
from yingji.risk.schemas import MeetingIn
from yingji.risk.views.common import form_dict, page, pick, refuse_or_errors
from yingji.web.forms import in_savepoint

router = APIRouter(include_in_schema=False)
Month = Annotated[str | None, Query(pattern=r"^(\d{4}-(0[1-9]|1[0-2]))?$")]


@router.get("/risk/meetings")
def meetings_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    month: Month = None,
    within: str | None = None,
    page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
):
    """The month's village meetings and their coverage."""
    month = month or meetings.this_month()
    found = meetings.search(session, principal, month=month, within=url_code(within), page=page_no)
    names = {c: dangers.place_name(session, c) for c in {m.jurisdiction_code for m in found.items}}
    ctx = {"page": found, "month": month, "cov": meetings.coverage(session, principal, month), "names": names}
    return page(request, "risk/meetings.html", ctx)


def _form_ctx(
    session, principal, village: str | None, form: dict | None = None, errors: dict | None = None
) -> dict:
    code = village or (principal.jurisdiction_code[:12] if len(principal.jurisdiction_code) >= 12 else None)
    place = places.get(session, principal, code) if code else None
    return {
        "village": place if place is not None and place.level == "village" else None,
        "villages": places.children(session, principal, principal.jurisdiction_code)
        if not code and len(principal.jurisdiction_code) == 9
        else [],
        "choices": meetings.danger_choices(session, principal, place.code)
        if place and place.level == "village"
        else [],
        "form": form
        or {
            "month": meetings.this_month(),
            "held_on": dangers.today().isoformat(),
            "client_key": uuid.uuid4().hex,
            "host": principal.display_name,
        },
        "errors": errors or {},
    }


@router.get("/risk/meetings/new")
def meeting_new(
    request: Request, principal: CurrentPrincipal, session: DbSession, village: str | None = None
):
    """The form to record a village's meeting."""
    require(principal, Perm.DANGER_REPORT)
    return page(request, "risk/meeting_form.html", _form_ctx(session, principal, url_code(village)))


@router.post("/risk/meetings/new")
async def meeting_create(request: Request, principal: CurrentPrincipal, session: DbSession):
    """Record a village's meeting from the form."""
    form = await form_dict(request)
    ids = form.get("danger_ids") or []
    ids = [int(i) for i in (ids if isinstance(ids, list) else [ids]) if str(i).isdigit()]
    fields = (
        "jurisdiction_code",
        "month",
        "held_on",
        "host",
        "attendees",
        "minutes",
        "decisions",
        "client_key",
    )
    try:
        data = MeetingIn.model_validate(pick(form, fields) | {"danger_ids": ids})
        meeting = await run_in_threadpool(in_savepoint, session, meetings.record, session, principal, data)
    except (ValidationError, YingjiError) as exc:
        errors = refuse_or_errors(exc)
        village = url_code(str(form.get("jurisdiction_code") or "")) or None
        ctx = await run_in_threadpool(_form_ctx, session, principal, village, form, errors)
        return page(request, "risk/meeting_form.html", ctx, status_code=422)
    return RedirectResponse(f"/risk/meetings/{meeting.id}", status_code=303)


@router.get("/risk/meetings/{meeting_id}")
def meeting_page(meeting_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    """One meeting's minutes."""
    meeting = meetings.get(session, principal, meeting_id)
    ctx = {
        "m": meeting,
        "place": dangers.place_name(session, meeting.jurisdiction_code),
        "discussed": meetings.discussed(session, meeting),
    }
    return page(request, "risk/meeting.html", ctx)


@router.post("/risk/meetings/{meeting_id}/report")
def meeting_report(meeting_id: int, principal: CurrentPrincipal, session: DbSession):
    """Report a meeting to the town."""
    meetings.report_upward(session, principal, meeting_id)
    return RedirectResponse(f"/risk/meetings/{meeting_id}", status_code=303)

"""Pages of the town HQ meetings (应急例会): the list, the new-meeting form (phone-friendly, with up to
five follow-ups), a meeting with its follow-ups (closed by their owner or a manager) and evidence."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request, UploadFile
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import require
from yingji.core.deps import DbSession
from yingji.core.errors import YingjiError
from yingji.org.api import read_upload
from yingji.org.params import url_code
from yingji.readiness import evidence, meetings
from yingji.readiness.codes import FollowUpState
from yingji.readiness.schemas import FollowUpIn, FollowUpMoveIn, MeetingIn
from yingji.readiness.views.common import error_texts, page, refused
from yingji.web.forms import in_savepoint

router = APIRouter()
FIELDS = (
    "jurisdiction_code",
    "held_on",
    "title",
    "place",
    "chair",
    "attendees",
    "agenda",
    "situation",
    "decisions",
    "client_key",
)
FOLLOWUP_ROWS = 5


@router.get("/readiness/meetings")
def meetings_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    within: str | None = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
):
    require(principal, Perm.ORG_READ)
    result = meetings.search(session, principal, within=url_code(within), year=year, page=page_no)
    ctx = {
        "page": result,
        "rows": meetings.outs(session, principal, result.items),
        "within": within or "",
        "year": year or "",
        "can_manage": principal.can(Perm.READINESS_MANAGE),
    }
    return page(request, "readiness/meetings.html", ctx)


def _form_ctx(principal, form: dict | None = None, errors: list[str] | None = None) -> dict:
    default = {
        "jurisdiction_code": principal.jurisdiction_code if len(principal.jurisdiction_code) == 9 else ""
    }
    return {
        "form": form or default | {"held_on": date.today().isoformat()},
        "errors": errors or [],
        "rows": FOLLOWUP_ROWS,
    }


@router.get("/readiness/meetings/new")
def new_meeting(request: Request, principal: CurrentPrincipal):
    require(principal, Perm.READINESS_MANAGE)
    return page(request, "readiness/meeting_form.html", _form_ctx(principal))


@router.post("/readiness/meetings")
async def create_meeting(request: Request, principal: CurrentPrincipal, session: DbSession):
    require(principal, Perm.READINESS_MANAGE)
    form = await request.form()
    values = {k: str(form.get(k, "")).strip() for k in FIELDS}
    follow = []
    for i in range(FOLLOWUP_ROWS):
        text = str(form.get(f"f{i}_text", "")).strip()
        if not text:
            continue
        follow.append(
            {
                "text": text,
                "owner_name": str(form.get(f"f{i}_owner", "")).strip(),
                "owner_username": str(form.get(f"f{i}_user", "")).strip() or None,
                "due_on": str(form.get(f"f{i}_due", "")).strip() or None,
            }
        )
    try:
        data = MeetingIn(
            **{k: v for k, v in values.items() if v}, followups=[FollowUpIn(**f) for f in follow]
        )
        meeting = await run_in_threadpool(in_savepoint, session, meetings.create, session, principal, data)
    except (ValidationError, YingjiError) as exc:
        if not refused(exc):
            raise
        form_values = dict(values) | {
            f"f{i}_{k}": str(form.get(f"f{i}_{k}", ""))
            for i in range(FOLLOWUP_ROWS)
            for k in ("text", "owner", "user", "due")
        }
        return page(
            request, "readiness/meeting_form.html", _form_ctx(principal, form_values, error_texts(exc)), 422
        )
    return RedirectResponse(f"/readiness/meetings/{meeting.id}", status_code=303)


def _meeting_ctx(session, principal, meeting_id: int, errors: list[str] | None = None) -> dict:
    meeting = meetings.get(session, principal, meeting_id)
    return {
        "m": meetings.outs(session, principal, [meeting])[0],
        "can_manage": principal.can(Perm.READINESS_MANAGE) and principal.covers(meeting.jurisdiction_code),
        "errors": errors or [],
    }


@router.get("/readiness/meetings/{meeting_id}")
def meeting_page(meeting_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    return page(request, "readiness/meeting.html", _meeting_ctx(session, principal, meeting_id))


@router.post("/readiness/meetings/{meeting_id}/followups")
async def add_followup(meeting_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    form = await request.form()
    values = {
        "text": str(form.get("text", "")).strip(),
        "owner_name": str(form.get("owner_name", "")).strip(),
        "owner_username": str(form.get("owner_username", "")).strip() or None,
        "due_on": str(form.get("due_on", "")).strip() or None,
    }
    try:
        data = FollowUpIn(**values)
        await run_in_threadpool(
            in_savepoint, session, meetings.add_followup, session, principal, meeting_id, data
        )
    except (ValidationError, YingjiError) as exc:
        if not refused(exc):
            raise
        return page(
            request,
            "readiness/meeting.html",
            _meeting_ctx(session, principal, meeting_id, error_texts(exc)),
            422,
        )
    return RedirectResponse(f"/readiness/meetings/{meeting_id}#followups", status_code=303)


@router.post("/readiness/followups/{followup_id}/state")
async def move_followup(followup_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    form = await request.form()
    data = FollowUpMoveIn(
        state=str(form.get("state"))
        if form.get("state") in tuple(FollowUpState)
        else FollowUpState.DONE.value,
        note=str(form.get("note", "")).strip() or None,
    )
    row = await run_in_threadpool(meetings.move_followup, session, principal, followup_id, data)
    return RedirectResponse(f"/readiness/meetings/{row.meeting_id}#followups", status_code=303)


@router.post("/readiness/meetings/{meeting_id}/evidence")
async def meeting_evidence(
    meeting_id: int, request: Request, file: UploadFile, principal: CurrentPrincipal, session: DbSession
):
    data = await read_upload(request, file)
    settings = request.app.state.settings
    await run_in_threadpool(
        lambda: meetings.add_evidence(
            session,
            principal,
            meeting_id,
            data,
            file.filename,
            root=evidence.dir_of(settings),
            max_bytes=evidence.max_bytes_of(settings),
        )
    )
    return RedirectResponse(f"/readiness/meetings/{meeting_id}", status_code=303)

"""Dual-prevention API (JSON), second half: hidden dangers and their loop, photos, the monthly
village meetings, the dynamic-clearing statistics and the local settings."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, UploadFile
from fastapi.responses import FileResponse, Response

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.downloads import audited_download
from yingji.core.deps import Db, DbSession
from yingji.core.errors import NotFound
from yingji.core.i18n import current_locale
from yingji.files import answers
from yingji.files.openapi import EXPORT, XLSX_FILE
from yingji.org import places
from yingji.org.api import read_upload
from yingji.org.params import PageNo, PageSize, query_code
from yingji.risk import clearing, dangers, meetings, photos, settings, steps
from yingji.risk.schemas import ActionIn, DangerIn, MeetingIn, SettingsIn

router = APIRouter(prefix="/risk")
Month = Annotated[str | None, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]


# -- hidden dangers -------------------------------------------------------------------------
@router.get("/dangers")
def list_dangers(
    principal: CurrentPrincipal,
    session: DbSession,
    q: Annotated[str, Query(max_length=100)] = "",
    within: str | None = None,
    status: str | None = None,
    grade: Annotated[str | None, Query(pattern="^(general|major)$")] = None,
    source: str | None = None,
    month: Month = None,
    enterprise_id: int | None = None,
    overdue: bool = False,
    open: bool = False,
    listed: bool = False,
    page: PageNo = 1,
    size: PageSize = 50,
) -> dict:
    """The hidden-danger ledger in scope, with its filters."""
    found = dangers.search(
        session,
        principal,
        q=q,
        within=query_code(within),
        status=status,
        grade=grade,
        source=source,
        month=month,
        enterprise_id=enterprise_id,
        overdue=overdue,
        open_only=open,
        listed=listed,
        page=page,
        size=size,
    )
    return {
        "items": [dangers.to_out(session, d, principal) for d in found.items],
        "total": found.total,
        "page": found.page,
        "size": found.size,
    }


@router.get("/dangers.xlsx", response_class=Response, responses=EXPORT, response_model=None)
def export_ledger(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    db: Db,
    q: Annotated[str, Query(max_length=100)] = "",
    within: str | None = None,
    status: str | None = None,
    grade: Annotated[str | None, Query(pattern="^(general|major)?$")] = None,
    source: str | None = None,
    month: Annotated[str | None, Query(pattern=r"^(\d{4}-(0[1-9]|1[0-2]))?$")] = None,
    overdue: bool = False,
    listed: bool = False,
) -> Response:
    """The ledger (台账) under the page's filters (empty ones ignored) as .xlsx; the export is audited.
    A large one is written by a file job: 202 with the job."""
    code = query_code(within)
    filters = {
        "q": q,
        "within": code,
        "status": status or None,
        "grade": grade or None,
        "source": source or None,
    }
    filters |= {"month": month or None, "overdue": overdue, "listed": listed}
    return answers.export(request, session, db, principal, "risk_dangers", filters, jurisdiction_code=code)


@router.post("/dangers", status_code=201)
def report_danger(data: DangerIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    """Report a found hidden danger (排查); the same client key again answers the first record."""
    return dangers.to_out(session, dangers.create(session, principal, data), principal, full=True)


@router.get("/dangers/{danger_id}")
def get_danger(danger_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    """One hidden danger with its plan, photos and log."""
    return dangers.to_out(session, dangers.get(session, principal, danger_id), principal, full=True)


@router.post("/dangers/{danger_id}/{action}")
def danger_step(
    danger_id: int, action: str, principal: CurrentPrincipal, session: DbSession, data: ActionIn | None = None
) -> dict:
    """One step of the loop: register, dismiss, grade, rectify, extend, supervise, report_done,
    reject, accept, close. A step the table does not allow from the current state is a 409."""
    danger = steps.act(session, principal, danger_id, action, data)
    return dangers.to_out(session, danger, principal, full=True)


@router.post("/dangers/{danger_id}/photos/{stage}", status_code=201)
async def add_photo(
    danger_id: int,
    stage: str,
    request: Request,
    file: UploadFile,
    principal: CurrentPrincipal,
    session: DbSession,
) -> dict:
    """Add a photo taken before or after rectification."""
    data = await read_upload(request, file)
    danger = dangers.get(session, principal, danger_id)
    photo = photos.keep(session, principal, danger, stage, data, request.app.state.settings)
    return {"id": photo.id, "stage": photo.stage, "width": photo.width, "height": photo.height}


@router.get("/dangers/{danger_id}/photos/{photo_id}", include_in_schema=False)
def photo_file(
    danger_id: int, photo_id: int, request: Request, principal: CurrentPrincipal, session: DbSession
):
    """A danger's photo, to those who can see the danger."""
    photo, path = photos.get(session, principal, danger_id, photo_id, request.app.state.settings)
    return FileResponse(
        path, media_type=photo.content_type, headers={"Cache-Control": "private, max-age=86400"}
    )


# -- monthly village meetings ---------------------------------------------------------------
def meeting_out(session, meeting) -> dict:
    """A village meeting as the API's JSON shape."""
    return {
        "id": meeting.id,
        "jurisdiction_code": meeting.jurisdiction_code,
        "month": meeting.month,
        "held_on": meeting.held_on,
        "host": meeting.host,
        "attendees": meeting.attendees,
        "minutes": meeting.minutes,
        "decisions": meeting.decisions,
        "reported_at": meeting.reported_at,
        "danger_ids": [d.id for _, d in meetings.discussed(session, meeting)],
    }


@router.get("/meetings")
def list_meetings(
    principal: CurrentPrincipal,
    session: DbSession,
    month: Month = None,
    within: str | None = None,
    page: PageNo = 1,
) -> dict:
    """Village meetings in scope for a month, with the month's coverage."""
    found = meetings.search(session, principal, month=month, within=query_code(within), page=page)
    return {
        "items": [meeting_out(session, m) for m in found.items],
        "total": found.total,
        "coverage": meetings.coverage(session, principal, month or meetings.this_month()),
    }


@router.post("/meetings", status_code=201)
def record_meeting(data: MeetingIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    """Record a village's monthly risk meeting."""
    return meeting_out(session, meetings.record(session, principal, data))


@router.post("/meetings/{meeting_id}/report")
def report_meeting(meeting_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    """Report a meeting's minutes to the town (once)."""
    return meeting_out(session, meetings.report_upward(session, principal, meeting_id))


# -- dynamic clearing -----------------------------------------------------------------------
@router.get("/clearing")
def clearing_stats(
    principal: CurrentPrincipal,
    session: DbSession,
    within: str | None = None,
    months: Annotated[int, Query(ge=1, le=36)] = 12,
) -> dict:
    """Dynamic-clearing statistics per town and month, and per town."""
    rows = clearing.table(session, principal, months=clearing.months_back(months), within=query_code(within))
    return {"rows": rows, "towns": clearing.by_town(rows)}


@router.get("/clearing.xlsx", response_class=Response, responses=XLSX_FILE, response_model=None)
def clearing_export(
    principal: CurrentPrincipal,
    session: DbSession,
    db: Db,
    within: str | None = None,
    months: Annotated[int, Query(ge=1, le=36)] = 12,
) -> Response:
    """The dynamic-clearing statistics as .xlsx; the export is audited."""
    code = query_code(within)
    rows = clearing.table(session, principal, months=clearing.months_back(months), within=code)
    body = clearing.workbook(rows, current_locale())
    return audited_download(
        db, principal, body, entity="risk_clearing", filename="clearing.xlsx", jurisdiction_code=code
    )


# -- local settings -------------------------------------------------------------------------
def settings_out(session, code: str) -> dict:
    """The settings in force at a place and where each comes from."""
    local = settings.effective(session, code)
    return {
        "jurisdiction_code": code,
        "lec_mapping": local.lec_mapping,
        "ls_banding": local.ls_banding,
        "remind_days": local.remind_days,
        "enforcement": local.enforcement,
        "set_by": local.set_by,
    }


@router.get("/settings/{code}")
def get_settings(code: str, principal: CurrentPrincipal, session: DbSession) -> dict:
    """The dual-prevention settings in force at a place."""
    place = places.get(session, principal, query_code(code) or "")
    return settings_out(session, place.code)


@router.put("/settings/{code}")
def put_settings(code: str, data: SettingsIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    """Set or clear a place's own settings (rules.manage)."""
    normal = query_code(code)
    if normal is None:
        raise NotFound()
    settings.put(session, principal, normal, data.model_dump(exclude_unset=True))
    return settings_out(session, normal)

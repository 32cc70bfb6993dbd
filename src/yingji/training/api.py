"""Training and publicity API (/api/v1/training/…, /api/v1/publicity/…). Every route declares its
``response_model``; exports are audited downloads."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from yingji.auth import audit, uploads
from yingji.auth.deps import CurrentPrincipal
from yingji.auth.downloads import audited_download
from yingji.auth.roles import Perm
from yingji.auth.scope import require
from yingji.core import clock
from yingji.core.deps import Db, DbSession
from yingji.files.openapi import STORED_FILE, XLSX_FILE
from yingji.incidents import photos as incident_photos
from yingji.org.api import read_upload
from yingji.org.params import PageNo, PageSize, page_of, query_code
from yingji.training import courses, coverage, exchange, labels, publicity, sessions
from yingji.training.board import course_out, coverage_out, overdue_out, overdue_sheet, publicity_sheet
from yingji.training.codes import SessionState
from yingji.training.schemas import (
    AssessIn,
    CalendarDay,
    CourseIn,
    CourseOut,
    CoursePatch,
    CoverageOut,
    ImportOut,
    OverdueOut,
    ParticipantIn,
    ParticipantOut,
    ParticipantPageOut,
    PhoneSignIn,
    PhotoOut,
    PublicityIn,
    PublicityOut,
    PublicityPageOut,
    PublicityStatsOut,
    SessionIn,
    SessionMoveIn,
    SessionOut,
    SessionPageOut,
)

router = APIRouter(prefix="/api/v1", tags=["training"])
YearQ = Annotated[int | None, Query(ge=2000, le=2100)]
StateQ = Annotated[str | None, Query(pattern="^(planned|held|cancelled)$")]
RoleQ = Annotated[
    str | None, Query(pattern="^(town_staff|village_staff|info_officer|enterprise_head|safety_manager)$")
]
CodeQ = Annotated[str | None, Query(max_length=40)]


def _year(year: int | None) -> int:
    return year or clock.now().year


# -- courses ------------------------------------------------------------------------------------
@router.get("/training/courses", response_model=list[CourseOut])
def list_courses(principal: CurrentPrincipal, session: DbSession) -> list[dict]:
    return [course_out(c) for c in courses.listing(session, principal)]


@router.post("/training/courses", response_model=CourseOut, status_code=201)
def create_course(data: CourseIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    return course_out(courses.create(session, principal, data))


@router.patch("/training/courses/{course_id}", response_model=CourseOut)
def patch_course(course_id: int, data: CoursePatch, principal: CurrentPrincipal, session: DbSession) -> dict:
    return course_out(courses.update(session, principal, course_id, data))


# -- sessions -----------------------------------------------------------------------------------
@router.get("/training/sessions", response_model=SessionPageOut)
def list_sessions(
    principal: CurrentPrincipal,
    session: DbSession,
    year: YearQ = None,
    within: str | None = None,
    course_id: Annotated[int | None, Query(ge=1)] = None,
    state: StateQ = None,
    page: PageNo = 1,
    size: PageSize = 50,
) -> dict:
    result = sessions.search(
        session,
        principal,
        year=year,
        within=query_code(within),
        course_id=course_id,
        state=state,
        page=page,
        size=size,
    )
    return page_of(result, sessions.outs(session, result.items))


@router.post("/training/sessions", response_model=SessionOut, status_code=201)
def create_session(data: SessionIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    return sessions.outs(session, [sessions.create(session, principal, data)])[0]


@router.get("/training/sessions/{session_id}", response_model=SessionOut)
def get_session(session_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    return sessions.outs(session, [sessions.get(session, principal, session_id)])[0]


@router.post("/training/sessions/{session_id}/move", response_model=SessionOut)
def move_session(
    session_id: int, data: SessionMoveIn, principal: CurrentPrincipal, session: DbSession
) -> dict:
    return sessions.outs(session, [sessions.move(session, principal, session_id, SessionState(data.to))])[0]


@router.get("/training/sessions/{session_id}/participants", response_model=ParticipantPageOut)
def list_participants(
    session_id: int, principal: CurrentPrincipal, session: DbSession, page: PageNo = 1, size: PageSize = 200
) -> dict:
    result = sessions.participants(session, principal, session_id, page, size)
    items = [sessions.participant_out(p, principal) for p in result.items]
    return page_of(result, items)


def _signed(part, created: bool, principal) -> JSONResponse:
    body = ParticipantOut(**sessions.participant_out(part, principal, created)).model_dump(mode="json")
    return JSONResponse(body, status_code=201 if created else 200)


@router.post("/training/sessions/{session_id}/participants", response_model=ParticipantOut, status_code=201)
def add_participant(session_id: int, data: ParticipantIn, principal: CurrentPrincipal, session: DbSession):
    """Sign a participant in; a repeat (same client key or same person) answers 200 with the row."""
    part, created = sessions.sign_in(session, principal, session_id, data)
    return _signed(part, created, principal)


@router.post("/training/sessions/{session_id}/sign-in", response_model=ParticipantOut, status_code=201)
def phone_sign_in(session_id: int, data: PhoneSignIn, principal: CurrentPrincipal, session: DbSession):
    part, created = sessions.phone_sign_in(session, principal, session_id, data)
    return _signed(part, created, principal)


@router.patch("/training/sessions/{session_id}/participants/{participant_id}", response_model=ParticipantOut)
def assess_participant(
    session_id: int, participant_id: int, data: AssessIn, principal: CurrentPrincipal, session: DbSession
) -> dict:
    return sessions.participant_out(
        sessions.assess(session, principal, session_id, participant_id, data), principal
    )


@router.delete(
    "/training/sessions/{session_id}/participants/{participant_id}", status_code=204, response_model=None
)
def remove_participant(
    session_id: int, participant_id: int, principal: CurrentPrincipal, session: DbSession
) -> Response:
    sessions.remove(session, principal, session_id, participant_id)
    return Response(status_code=204)


@router.post("/training/sessions/{session_id}/import", response_model=ImportOut)
async def import_sign_in_sheet(
    session_id: int, request: Request, file: UploadFile, principal: CurrentPrincipal, session: DbSession
) -> dict:
    data = await read_upload(request, file)
    result = await run_in_threadpool(exchange.import_sheet, session, principal, data, session_id=session_id)
    await run_in_threadpool(
        audit.record,
        session,
        "import",
        "training_participants",
        session_id,
        after=result.as_dict(),
        note=f"file={file.filename!s:.100}",
    )
    return {"kind": "training_sign_in", **result.as_dict()}


@router.get(
    "/training/sessions/{session_id}/export",
    response_class=Response,
    responses=XLSX_FILE,
    response_model=None,
)
def export_session(session_id: int, principal: CurrentPrincipal, session: DbSession, db: Db) -> Response:
    require(principal, Perm.EXPORT)
    row = sessions.get(session, principal, session_id)
    from yingji.org.sheets import write

    body = write(exchange.SHEET_TITLE, exchange.COLUMNS, exchange.file_rows(session, principal, session_id))
    return audited_download(
        db,
        principal,
        body,
        entity="training_participants",
        entity_id=row.id,
        filename=f"training-{row.id}.xlsx",
        jurisdiction_code=row.jurisdiction_code,
    )


# -- coverage and obligations -------------------------------------------------------------------
@router.get("/training/coverage", response_model=CoverageOut)
def person_times(
    principal: CurrentPrincipal, session: DbSession, year: YearQ = None, within: str | None = None
) -> dict:
    """Person-times and distinct people per level and role (participants counted by their own place)."""
    code = query_code(within)
    if code:
        from yingji.org import places

        places.get(session, principal, code)
    return coverage_out(coverage.person_times(session, principal, _year(year), code))


@router.get("/training/overdue", response_model=OverdueOut)
def overdue(
    principal: CurrentPrincipal,
    session: DbSession,
    year: YearQ = None,
    role: RoleQ = None,
    within: str | None = None,
    all: bool = False,
    page: PageNo = 1,
    size: PageSize = 50,
) -> dict:
    """Who has not met their obligation (``all=true``: everyone obliged), with a summary per role."""
    return overdue_out(session, principal, _year(year), role, query_code(within), all, page, size)


@router.get("/training/overdue/export", response_class=Response, responses=XLSX_FILE, response_model=None)
def export_overdue(
    principal: CurrentPrincipal,
    session: DbSession,
    db: Db,
    year: YearQ = None,
    role: RoleQ = None,
    within: str | None = None,
) -> Response:
    require(principal, Perm.EXPORT)
    code = query_code(within)
    body = overdue_sheet(session, principal, _year(year), role, code)
    return audited_download(
        db,
        principal,
        body,
        entity="training_obligations",
        filename=f"training-overdue-{_year(year)}.xlsx",
        jurisdiction_code=code or principal.jurisdiction_code,
    )


# -- publicity ----------------------------------------------------------------------------------
@router.get("/publicity/events", response_model=PublicityPageOut)
def list_events(
    principal: CurrentPrincipal,
    session: DbSession,
    year: YearQ = None,
    within: str | None = None,
    target: CodeQ = None,
    day: CodeQ = None,
    page: PageNo = 1,
    size: PageSize = 50,
) -> dict:
    result = publicity.search(
        session, principal, year=year, within=query_code(within), target=target, day=day, page=page, size=size
    )
    return page_of(result, publicity.outs(session, result.items))


@router.post("/publicity/events", response_model=PublicityOut, status_code=201)
def create_event(data: PublicityIn, principal: CurrentPrincipal, session: DbSession):
    event, created = publicity.create(session, principal, data)
    body = PublicityOut(**publicity.out(session, event)).model_dump(mode="json")
    return JSONResponse(body, status_code=201 if created else 200)


@router.get("/publicity/events/export", response_class=Response, responses=XLSX_FILE, response_model=None)
def export_events(
    principal: CurrentPrincipal, session: DbSession, db: Db, year: YearQ = None, within: str | None = None
) -> Response:
    require(principal, Perm.EXPORT)
    code = query_code(within)
    body = publicity_sheet(session, principal, _year(year), code)
    return audited_download(
        db,
        principal,
        body,
        entity="publicity_events",
        filename=f"publicity-{_year(year)}.xlsx",
        jurisdiction_code=code or principal.jurisdiction_code,
    )


@router.get("/publicity/events/{event_id}", response_model=PublicityOut)
def get_event(event_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    return publicity.out(session, publicity.get(session, principal, event_id))


@router.post("/publicity/events/{event_id}/photos", response_model=PhotoOut, status_code=201)
async def upload_photo(
    event_id: int,
    request: Request,
    file: UploadFile,
    principal: CurrentPrincipal,
    session: DbSession,
    caption: Annotated[str, Form(max_length=200)] = "",
) -> dict:
    settings = request.app.state.settings
    limit = incident_photos.max_bytes_of(settings)
    data = await file.read(limit + 1)
    p = await run_in_threadpool(
        publicity.add_photo,
        session,
        principal,
        event_id,
        data,
        caption,
        upload_dir=incident_photos.upload_dir_of(settings),
        max_bytes=limit,
    )
    return {
        "id": p.id,
        "event_id": p.event_id,
        "content_type": p.content_type,
        "size_bytes": p.size_bytes,
        "caption": p.caption,
    }


@router.get(
    "/publicity/events/{event_id}/photos/{photo_id}",
    response_class=Response,
    responses=STORED_FILE,
    response_model=None,
)
def get_photo(
    event_id: int, photo_id: int, request: Request, principal: CurrentPrincipal, session: DbSession
) -> Response:
    photo, path = publicity.photo_file(
        session, principal, event_id, photo_id, incident_photos.upload_dir_of(request.app.state.settings)
    )
    return uploads.served(path, photo.content_type)


@router.get("/publicity/stats", response_model=PublicityStatsOut)
def stats(
    principal: CurrentPrincipal, session: DbSession, year: YearQ = None, within: str | None = None
) -> dict:
    return publicity.stats(session, principal, _year(year), query_code(within))


@router.get("/publicity/calendar", response_model=list[CalendarDay])
def calendar(principal: CurrentPrincipal) -> list[dict]:
    return publicity.coming_days()


__all__ = ["labels", "router"]

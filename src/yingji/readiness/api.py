"""Readiness API (/api/v1/readiness/…): the checklists, the scorecards (table, one place, map,
share), confirmations by hand with their evidence, the town HQ meetings and their follow-ups. Every
route declares its ``response_model``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, UploadFile
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import require
from yingji.core.deps import DbSession
from yingji.core.i18n import current_locale
from yingji.files.openapi import STORED_FILE
from yingji.org.api import read_upload
from yingji.org.params import page_of, query_code
from yingji.readiness import board, codes, confirmations, evidence, meetings, scorecards
from yingji.readiness.schemas import (
    CardOut,
    CardPageOut,
    ConfirmationOut,
    ConfirmIn,
    EvidenceOut,
    FollowUpIn,
    FollowUpMoveIn,
    FollowUpOut,
    MeetingIn,
    MeetingOut,
    MeetingPageOut,
    ShareOut,
)

router = APIRouter(prefix="/api/v1/readiness", tags=["readiness"])
LevelQ = Annotated[str | None, Query(pattern="^(town|village)$")]
SortQ = Annotated[str, Query(pattern="^(score|-score|code)$")]


class ChecklistItemOut(BaseModel):
    ref: str
    no: str
    label: str
    rules: list[str]
    hand: bool
    evidence_required: bool
    how: str
    source: str


class ChecklistOut(BaseModel):
    key: str
    level: str
    label: str
    source: str
    items: list[ChecklistItemOut]


class MapOut(BaseModel):
    type: str
    features: list[dict]


@router.get("/models", response_model=list[ChecklistOut])
def checklists(principal: CurrentPrincipal) -> list[dict]:
    require(principal, Perm.ORG_READ)
    zh = current_locale().startswith("zh")
    return [
        {
            "key": m.key,
            "level": m.level,
            "label": m.zh if zh else m.en,
            "source": m.source,
            "items": [
                {
                    "ref": i.ref,
                    "no": i.no,
                    "label": i.zh if zh else i.en,
                    "rules": list(i.rules),
                    "hand": i.evidence or not i.rules,
                    "evidence_required": i.evidence,
                    "how": i.how,
                    "source": i.source,
                }
                for i in m.items
            ],
        }
        for m in codes.models()
    ]


@router.get("/scorecards", response_model=CardPageOut)
def list_scorecards(
    principal: CurrentPrincipal,
    session: DbSession,
    within: str | None = None,
    level: LevelQ = None,
    sort: SortQ = "score",
    missing: Annotated[str | None, Query(max_length=60)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict:
    return board.table(
        session,
        principal,
        within=query_code(within),
        level=level,
        sort=sort,
        missing=missing,
        page=page,
        size=size,
    )


@router.get("/scorecards/{code}", response_model=CardOut)
def get_scorecard(code: str, principal: CurrentPrincipal, session: DbSession) -> dict:
    require(principal, Perm.ORG_READ)
    return board.card_out(scorecards.card(session, principal, query_code(code, "code")))


@router.get("/map", response_model=MapOut)
def scorecard_map(
    principal: CurrentPrincipal, session: DbSession, within: str | None = None, level: LevelQ = None
) -> dict:
    return board.points(session, principal, within=query_code(within), level=level)


@router.get("/share", response_model=list[ShareOut])
def share(
    principal: CurrentPrincipal,
    session: DbSession,
    code: Annotated[list[str], Query(min_length=1, max_length=200)],
) -> list[dict]:
    """(items met, items total) over the scorecards inside each code (the assessment's figure)."""
    require(principal, Perm.ORG_READ)
    wanted = [query_code(c, "code") for c in code]
    from yingji.auth.scope import visible
    from yingji.org.models import Jurisdiction

    for c in wanted:
        visible(principal, session.get(Jurisdiction, c), c)
    return [{"code": c, "met": m, "total": t} for c, (m, t) in scorecards.share(session, wanted).items()]


# -- confirmations ------------------------------------------------------------------------------
@router.post("/confirmations", response_model=ConfirmationOut, status_code=201)
def confirm(data: ConfirmIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    return confirmations.out(confirmations.confirm(session, principal, data))


@router.get("/confirmations/{confirmation_id}", response_model=ConfirmationOut)
def get_confirmation(confirmation_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    return confirmations.out(confirmations.get(session, principal, confirmation_id))


@router.get("/places/{code}/confirmations", response_model=list[ConfirmationOut])
def place_confirmations(code: str, principal: CurrentPrincipal, session: DbSession) -> list[dict]:
    return [confirmations.out(c) for c in confirmations.history(session, principal, query_code(code, "code"))]


@router.post("/confirmations/{confirmation_id}/withdraw", response_model=ConfirmationOut)
def withdraw(confirmation_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    return confirmations.out(confirmations.withdraw(session, principal, confirmation_id))


async def _evidence(request: Request, file: UploadFile, add, *args) -> dict:
    """An upload kept as evidence by ``add(*args, data, filename, root=, max_bytes=)``."""
    data = await read_upload(request, file)
    settings = request.app.state.settings

    def work():
        row = add(
            *args,
            data,
            file.filename,
            root=evidence.dir_of(settings),
            max_bytes=evidence.max_bytes_of(settings),
        )
        return evidence.out(row)

    return await run_in_threadpool(work)


@router.post("/confirmations/{confirmation_id}/evidence", response_model=EvidenceOut, status_code=201)
async def confirmation_evidence(
    confirmation_id: int, request: Request, file: UploadFile, principal: CurrentPrincipal, session: DbSession
) -> dict:
    """A photo or a PDF / Word / Excel document (multipart ``file``) as the confirmation's evidence."""
    return await _evidence(request, file, confirmations.add_evidence, session, principal, confirmation_id)


@router.get("/evidence/{evidence_id}", response_class=Response, responses=STORED_FILE, response_model=None)
def get_evidence(
    evidence_id: int, request: Request, principal: CurrentPrincipal, session: DbSession
) -> FileResponse:
    row, path = evidence.get(session, principal, evidence_id, evidence.dir_of(request.app.state.settings))
    return FileResponse(
        path,
        media_type=row.content_type,
        filename=row.original_name or path.name,
        content_disposition_type="inline" if row.kind == "photo" else "attachment",
        headers={"Cache-Control": "private, max-age=86400", "X-Content-Type-Options": "nosniff"},
    )


# -- meetings -----------------------------------------------------------------------------------
@router.get("/meetings", response_model=MeetingPageOut)
def list_meetings(
    principal: CurrentPrincipal,
    session: DbSession,
    within: str | None = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict:
    result = meetings.search(session, principal, within=query_code(within), year=year, page=page, size=size)
    return page_of(result, meetings.outs(session, principal, result.items))


@router.post("/meetings", response_model=MeetingOut, status_code=201)
def create_meeting(data: MeetingIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    return meetings.outs(session, principal, [meetings.create(session, principal, data)])[0]


@router.get("/meetings/{meeting_id}", response_model=MeetingOut)
def get_meeting(meeting_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    return meetings.outs(session, principal, [meetings.get(session, principal, meeting_id)])[0]


@router.post("/meetings/{meeting_id}/followups", response_model=FollowUpOut, status_code=201)
def add_followup(meeting_id: int, data: FollowUpIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    return meetings.followup_out(principal, meetings.add_followup(session, principal, meeting_id, data))


@router.post("/followups/{followup_id}/state", response_model=FollowUpOut)
def move_followup(
    followup_id: int, data: FollowUpMoveIn, principal: CurrentPrincipal, session: DbSession
) -> dict:
    return meetings.followup_out(principal, meetings.move_followup(session, principal, followup_id, data))


@router.post("/meetings/{meeting_id}/evidence", response_model=EvidenceOut, status_code=201)
async def meeting_evidence(
    meeting_id: int, request: Request, file: UploadFile, principal: CurrentPrincipal, session: DbSession
) -> dict:
    """A photo or a PDF / Word / Excel document (multipart ``file``) of the meeting (minutes, sign-in)."""
    return await _evidence(request, file, meetings.add_evidence, session, principal, meeting_id)

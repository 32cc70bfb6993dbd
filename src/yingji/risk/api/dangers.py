"""Hidden-danger API: the ledger (台账) and its export, the loop's steps, photos before and after."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from yingji.auth import uploads
from yingji.auth.deps import CurrentPrincipal
from yingji.core.deps import Db, DbSession
from yingji.files import answers
from yingji.files.openapi import EXPORT
from yingji.org.api import read_upload
from yingji.org.params import PageNo, PageSize, query_code
from yingji.risk import dangers, photos, steps
from yingji.risk.schemas import ActionIn, DangerDetailOut, DangerIn, DangerPage, DangerPhotoOut, Month, answer

router = APIRouter()


# -- hidden dangers -------------------------------------------------------------------------
@router.get("/risk/dangers", response_model=DangerPage)
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
) -> JSONResponse:
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
    return answer(
        {
            "items": [dangers.to_out(session, d, principal) for d in found.items],
            "total": found.total,
            "page": found.page,
            "size": found.size,
        }
    )


@router.get("/risk/dangers.xlsx", response_class=Response, responses=EXPORT, response_model=None)
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


@router.post("/risk/dangers", status_code=201, response_model=DangerDetailOut)
def report_danger(data: DangerIn, principal: CurrentPrincipal, session: DbSession) -> JSONResponse:
    """Report a found hidden danger (排查); the same client key again answers the first record."""
    return answer(
        dangers.to_out(session, dangers.create(session, principal, data), principal, full=True), 201
    )


@router.get("/risk/dangers/{danger_id}", response_model=DangerDetailOut)
def get_danger(danger_id: int, principal: CurrentPrincipal, session: DbSession) -> JSONResponse:
    """One hidden danger with its plan, photos and log."""
    return answer(dangers.to_out(session, dangers.get(session, principal, danger_id), principal, full=True))


@router.post("/risk/dangers/{danger_id}/{action}", response_model=DangerDetailOut)
def danger_step(
    danger_id: int, action: str, principal: CurrentPrincipal, session: DbSession, data: ActionIn | None = None
) -> JSONResponse:
    """One step of the loop: register, dismiss, grade, rectify, extend, supervise, report_done,
    reject, accept, close. A step the table does not allow from the current state is a 409."""
    danger = steps.act(session, principal, danger_id, action, data)
    return answer(dangers.to_out(session, danger, principal, full=True))


@router.post("/risk/dangers/{danger_id}/photos/{stage}", status_code=201, response_model=DangerPhotoOut)
async def add_photo(
    danger_id: int,
    stage: str,
    request: Request,
    file: UploadFile,
    principal: CurrentPrincipal,
    session: DbSession,
) -> JSONResponse:
    """Add a photo taken before or after rectification."""
    data = await read_upload(request, file)
    danger = dangers.get(session, principal, danger_id)
    photo = photos.keep(session, principal, danger, stage, data, request.app.state.settings)
    return answer({"id": photo.id, "stage": photo.stage, "width": photo.width, "height": photo.height}, 201)


@router.get("/risk/dangers/{danger_id}/photos/{photo_id}", include_in_schema=False)
def photo_file(
    danger_id: int, photo_id: int, request: Request, principal: CurrentPrincipal, session: DbSession
):
    """A danger's photo, to those who can see the danger."""
    photo, path = photos.get(session, principal, danger_id, photo_id, request.app.state.settings)
    return uploads.served(path, photo.content_type)

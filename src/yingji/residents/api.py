"""Resident registry API: list, read, create, update, Excel import and export."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, UploadFile
from fastapi.responses import Response

from yingji.auth.deps import CurrentPrincipal
from yingji.core.deps import Db, DbSession
from yingji.files import answers
from yingji.files.openapi import EXPORT, IMPORT_JOB
from yingji.org.api import read_upload
from yingji.org.params import page_of, query_code
from yingji.org.schemas import ImportOut
from yingji.residents import registry
from yingji.residents.schemas import ResidentIn, ResidentOut, ResidentPage, ResidentPatch

router = APIRouter(prefix="/api/v1", tags=["residents"])


@router.get("/residents", response_model=ResidentPage)
def list_residents(
    principal: CurrentPrincipal,
    session: DbSession,
    q: Annotated[str, Query(max_length=60)] = "",
    within: str | None = None,
    vulnerable: bool = False,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict:
    result = registry.search(
        session, principal, q=q, within=query_code(within), vulnerable=vulnerable, page=page, size=size
    )
    names = registry.place_names(session, result.items)
    return page_of(result, [registry.to_out(r, principal, names).model_dump() for r in result.items])


@router.post("/residents", response_model=ResidentOut, status_code=201)
def create_resident(data: ResidentIn, principal: CurrentPrincipal, session: DbSession) -> ResidentOut:
    return registry.to_out(registry.create(session, principal, data), principal)


@router.post("/residents/import", response_model=ImportOut, responses=IMPORT_JOB)
async def import_residents(
    request: Request, file: UploadFile, principal: CurrentPrincipal, session: DbSession
) -> Response:
    """An .xlsx of residents: all rows or none. A large file is imported by a file job (202)."""
    data = await read_upload(request, file)
    return await answers.import_answer(request, session, principal, "residents", data, file.filename)


@router.get("/residents/export", response_class=Response, responses=EXPORT, response_model=None)
def export_residents(
    request: Request, principal: CurrentPrincipal, session: DbSession, db: Db, within: str | None = None
) -> Response:
    """The residents in scope as .xlsx (personal data: every export is audited). A large one is
    written by a file job: 202 with the job."""
    code = query_code(within)
    return answers.export(
        request, session, db, principal, "residents", {"within": code}, jurisdiction_code=code
    )


@router.get("/residents/{resident_id}", response_model=ResidentOut)
def get_resident(resident_id: int, principal: CurrentPrincipal, session: DbSession) -> ResidentOut:
    r = registry.get(session, principal, resident_id)
    return registry.to_out(r, principal, registry.place_names(session, [r]))


@router.patch("/residents/{resident_id}", response_model=ResidentOut)
def update_resident(
    resident_id: int, patch: ResidentPatch, principal: CurrentPrincipal, session: DbSession
) -> ResidentOut:
    return registry.to_out(registry.update(session, principal, resident_id, patch), principal)

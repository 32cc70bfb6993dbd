"""Enterprises API: the register (list, one, create, change) and its Excel import and export."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from yingji.auth.deps import CurrentPrincipal
from yingji.core.deps import Db, DbSession
from yingji.files import answers
from yingji.files.openapi import EXPORT, IMPORT_JOB
from yingji.org import places
from yingji.org.api import read_upload
from yingji.org.params import PageNo, PageSize, page_json, query_code
from yingji.org.schemas import ImportCountsOut
from yingji.risk import assessments, enterprises
from yingji.risk.schemas import (
    EnterpriseDetailOut,
    EnterpriseIn,
    EnterpriseOut,
    EnterprisePage,
    EnterprisePatch,
    Level,
    answer,
)

router = APIRouter()


# -- enterprises ----------------------------------------------------------------------------
@router.get("/risk/enterprises", response_model=EnterprisePage)
def list_enterprises(
    principal: CurrentPrincipal,
    session: DbSession,
    q: Annotated[str, Query(max_length=100)] = "",
    within: str | None = None,
    industry: str | None = None,
    enforcement_class: Annotated[str | None, Query(pattern="^[ABCD]$")] = None,
    level: Level = None,
    hazardous: bool | None = None,
    page: PageNo = 1,
    size: PageSize = 50,
) -> JSONResponse:
    """Enterprises in scope, with the register's filters."""
    found = enterprises.search(
        session,
        principal,
        q=q,
        within=query_code(within),
        industry=industry,
        enforcement_class=enforcement_class,
        level=level,
        hazardous=hazardous,
        page=page,
        size=size,
    )
    return answer(page_json(found, lambda e: enterprises.to_out(e, principal)))


@router.post("/risk/enterprises", status_code=201, response_model=EnterpriseOut)
def create_enterprise(data: EnterpriseIn, principal: CurrentPrincipal, session: DbSession) -> JSONResponse:
    """Register an enterprise (its enforcement class follows the local classification)."""
    return answer(enterprises.to_out(enterprises.create(session, principal, data), principal), 201)


@router.get("/risk/enterprises/{enterprise_id}", response_model=EnterpriseDetailOut)
def get_enterprise(enterprise_id: int, principal: CurrentPrincipal, session: DbSession) -> JSONResponse:
    """One enterprise with its risk points and how many dangers are open."""
    e = enterprises.get(session, principal, enterprise_id)
    points = assessments.search(session, principal, enterprise_id=e.id, size=200).items
    return answer(
        enterprises.to_out(e, principal)
        | {
            "risk_points": [assessments.point_out(p, principal) for p in points],
            "open_dangers": enterprises.open_dangers(session, e.id),
        }
    )


@router.patch("/risk/enterprises/{enterprise_id}", response_model=EnterpriseOut)
def update_enterprise(
    enterprise_id: int, patch: EnterprisePatch, principal: CurrentPrincipal, session: DbSession
) -> JSONResponse:
    """Change an enterprise; the class is recomputed unless set by hand."""
    return answer(enterprises.to_out(enterprises.update(session, principal, enterprise_id, patch), principal))


@router.post("/risk/enterprises/import", response_model=ImportCountsOut, responses=IMPORT_JOB)
async def import_enterprises(
    request: Request, file: UploadFile, principal: CurrentPrincipal, session: DbSession
) -> Response:
    """An .xlsx of the register: all rows or none (422 with the row errors). A large file is
    imported by a file job: 202 with the job, whose page shows the result row by row."""
    data = await read_upload(request, file)
    job = await answers.import_job(request, session, principal, "risk_enterprises", data, file.filename)
    if job is not None:
        return answers.job_answer(request, job)
    result = await answers.import_now(request, session, principal, "risk_enterprises", data, file.filename)
    return JSONResponse(result.as_dict())


@router.get("/risk/enterprises.xlsx", response_class=Response, responses=EXPORT, response_model=None)
def export_enterprises(
    request: Request, principal: CurrentPrincipal, session: DbSession, db: Db, within: str | None = None
) -> Response:
    """The register in scope as .xlsx (the import's columns); the export is audited. A large one
    (more rows than YINGJI_EXPORT_JOB_ROWS) is written by a file job: 202 with the job."""
    code = query_code(within)
    if code:
        places.get(session, principal, code)
    return answers.export(
        request, session, db, principal, "risk_enterprises", {"within": code}, jurisdiction_code=code
    )

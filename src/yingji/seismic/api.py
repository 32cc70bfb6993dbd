"""Seismic registry API (/api/v1/seismic…): members with their trainings and period, staffing
coverage, Excel import (row-by-row errors, all or nothing) and export (audited), reports from the
field (idempotent by client key) with photos, and the office's accept / return."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from yingji.auth import audit
from yingji.auth.deps import CurrentPrincipal
from yingji.auth.downloads import audited_download
from yingji.core.deps import Db, DbSession
from yingji.core.i18n import current_locale
from yingji.files.openapi import XLSX_FILE
from yingji.incidents import photos as photo_store
from yingji.org.api import read_upload
from yingji.org.params import PageNo, PageSize, page_of, query_code
from yingji.seismic import exchange, registry, reports
from yingji.seismic.codes import ReportKind, SeismicRole
from yingji.seismic.schemas import (
    CoverageOut,
    ImportOut,
    MemberIn,
    MemberOut,
    MemberPageOut,
    MoveIn,
    ReportIn,
    ReportOut,
    ReportPageOut,
    TrainingIn,
    TrainingOut,
)

router = APIRouter(prefix="/api/v1/seismic", tags=["seismic"])
RoleQ = Annotated[str | None, Query(pattern="^(" + "|".join(r.value for r in SeismicRole) + ")$")]
KindQ = Annotated[str | None, Query(pattern="^(" + "|".join(k.value for k in ReportKind) + ")$")]


@router.get("/members", response_model=MemberPageOut)
def list_members(
    principal: CurrentPrincipal,
    session: DbSession,
    role: RoleQ = None,
    within: str | None = None,
    q: Annotated[str, Query(max_length=60)] = "",
    current: bool = True,
    page: PageNo = 1,
    size: PageSize = 50,
) -> dict:
    result = registry.search(
        session, principal, role=role, within=query_code(within), q=q, current=current, page=page, size=size
    )
    items = registry.outs(session, principal, result.items)
    return page_of(result, items)


@router.post("/members", response_model=MemberOut, status_code=201)
def create_member(data: MemberIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    return registry.outs(session, principal, [registry.create(session, principal, data)], trainings=True)[0]


@router.get("/coverage", response_model=CoverageOut)
def coverage(principal: CurrentPrincipal, session: DbSession, within: str | None = None) -> dict:
    """Towns without their 助理员 and villages without their 速报员 (the local pattern, as settings)."""
    return registry.coverage(session, principal, query_code(within))


@router.post("/members/import", response_model=ImportOut)
async def import_members(request: Request, file: UploadFile, principal: CurrentPrincipal, session: DbSession):
    data = await read_upload(request, file)
    result = await run_in_threadpool(exchange.import_members, session, principal, data)
    await run_in_threadpool(
        audit.record,
        session,
        "import",
        "seismic_members",
        None,
        after=result.as_dict(),
        note=f"file={file.filename!s:.100}",
    )
    return JSONResponse({"kind": "seismic_members", **result.as_dict()})


@router.get("/members/export", response_class=Response, responses=XLSX_FILE, response_model=None)
def export_members(principal: CurrentPrincipal, session: DbSession, db: Db) -> Response:
    body = exchange.export_members(session, principal, current_locale())
    return audited_download(
        db,
        principal,
        body,
        entity="seismic_members",
        filename="seismic-registry.xlsx",
        jurisdiction_code=principal.jurisdiction_code,
    )


@router.get("/members/{member_id}", response_model=MemberOut)
def get_member(member_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    return registry.outs(session, principal, [registry.get(session, principal, member_id)], trainings=True)[0]


@router.post("/members/{member_id}/trainings", response_model=TrainingOut, status_code=201)
def add_training(member_id: int, data: TrainingIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    t = registry.add_training(session, principal, member_id, data)
    return {"id": t.id, "held_on": t.held_on, "course": t.course, "hours": t.hours, "result": t.result}


@router.get("/reports", response_model=ReportPageOut)
def list_reports(
    principal: CurrentPrincipal, session: DbSession, kind: KindQ = None, page: PageNo = 1, size: PageSize = 50
) -> dict:
    result = reports.search(session, principal, kind=kind, page=page, size=size)
    return page_of(result, reports.outs(session, result.items))


@router.post("/reports", response_model=ReportOut, status_code=201)
def submit_report(data: ReportIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    """A report from the field; the same ``client_key`` sent again returns the first report."""
    return reports.outs(session, [reports.submit(session, principal, data)])[0]


@router.post("/reports/{report_id}/photos", response_model=ReportOut, status_code=201)
async def add_photo(
    report_id: int, request: Request, file: UploadFile, principal: CurrentPrincipal, session: DbSession
) -> dict:
    data = await read_upload(request, file)
    settings = request.app.state.settings

    def run():
        reports.add_photo(
            session,
            principal,
            report_id,
            data,
            upload_dir=photo_store.upload_dir_of(settings),
            max_bytes=photo_store.max_bytes_of(settings),
        )
        return reports.outs(session, [reports.get(session, principal, report_id)])[0]

    return await run_in_threadpool(run)


@router.post("/reports/{report_id}/move", response_model=ReportOut)
def move_report(report_id: int, data: MoveIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    return reports.outs(session, [reports.move(session, principal, report_id, data.state)])[0]

"""File jobs API: one's exports and imports that run as jobs, their progress, the finished file."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.downloads import audited_file
from yingji.core.deps import Db, DbSession
from yingji.files import kinds, service
from yingji.files.schemas import FileJobList, FileJobOut
from yingji.org.params import XLSX

router = APIRouter(prefix="/api/v1/files", tags=["files"])


@router.get("/jobs", response_model=FileJobList)
def list_jobs(principal: CurrentPrincipal, session: DbSession) -> FileJobList:
    """One's own file jobs, newest first (the last 50)."""
    return FileJobList(items=[FileJobOut(**service.to_out(j)) for j in service.mine(session, principal)])


@router.get("/jobs/{job_id}", response_model=FileJobOut)
def get_job(job_id: int, principal: CurrentPrincipal, session: DbSession) -> FileJobOut:
    """A file job and its progress: to its requester, or an administrator whose area covers it."""
    return FileJobOut(**service.to_out(service.get(session, principal, job_id)))


@router.get(
    "/jobs/{job_id}/download",
    response_class=Response,
    response_model=None,  # the file itself
    responses={200: {"content": {XLSX: {"schema": {"type": "string", "format": "binary"}}}}},
)
def download(job_id: int, principal: CurrentPrincipal, session: DbSession, db: Db) -> Response:
    """The finished export's file (409 while it is being written); every download is audited."""
    job, path = service.ready_file(session, principal, job_id)
    return audited_file(
        db,
        principal,
        path,
        entity=kinds.export_kind(job.kind).entity,
        filename=job.filename,
        jurisdiction_code=job.jurisdiction_code,
        note=f"file job {job.id}",
    )

"""File jobs: start one (an export too large to build in the request, an import too large to apply
in it), find it for its owner, hand out its file, expire it.

Settings (``Settings.extra``, from the environment):
    export_job_rows      YINGJI_EXPORT_JOB_ROWS       20000  an export of more rows becomes a job
    import_job_kb        YINGJI_IMPORT_JOB_KB           512  an upload larger than this becomes a job
    import_time_limit_s  YINGJI_IMPORT_TIME_LIMIT_S     300  an import stops after this long
    file_keep_hours      YINGJI_FILE_KEEP_HOURS          24  files are deleted after this long
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal
from yingji.config import Settings
from yingji.core import clock
from yingji.core.db import Database
from yingji.core.errors import Conflict, NotFound
from yingji.core.i18n import bilingual
from yingji.files.kinds import ExportKind, ImportKind
from yingji.files.models import LIVE, FileJob, FileJobState
from yingji.jobs import queue

EXPORT_JOB = "files.export"
IMPORT_JOB = "files.import"
DEFAULTS = {
    "export_job_rows": 20_000,
    "import_job_kb": 512,
    "import_time_limit_s": 300,
    "file_keep_hours": 24,
}
# A job's lease (jobs.py) must outlast its time limit; the limit is capped below it.
MAX_TIME_LIMIT_S = 540


def setting(settings: Settings, name: str) -> int:
    """One of the settings above, as an integer (the default when unset or not a number)."""
    try:
        return int(settings.extra.get(name, DEFAULTS[name]))
    except (TypeError, ValueError):
        return DEFAULTS[name]


def time_limit_s(settings: Settings) -> int:
    return max(0, min(setting(settings, "import_time_limit_s"), MAX_TIME_LIMIT_S))


def files_dir(settings: Settings) -> Path:
    """Where file jobs keep their files: ``<var dir>/files`` (private to the server's user)."""
    path = Path(settings.var_dir) / "files"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _new_path(settings: Settings, suffix: str) -> Path:
    return files_dir(settings) / f"{secrets.token_hex(16)}{suffix}"


def start_export(
    db: Database,
    settings: Settings,
    principal: Principal,
    kind: ExportKind,
    params: dict,
    *,
    total: int,
    jurisdiction_code: str | None,
    locale: str,
) -> FileJob:
    """Queue an export in a transaction of its own (exports are GET requests, whose session never
    commits); the worker writes the file."""
    with db.writing(principal.as_actor()) as session:
        job = FileJob(
            direction="export",
            kind=kind.name,
            user_id=principal.user_id,
            jurisdiction_code=jurisdiction_code or principal.jurisdiction_code,
            params=params,
            locale=locale,
            state=FileJobState.QUEUED.value,
            total=total,
            done=0,
            filename=kind.filename(params),
            path=str(_new_path(settings, ".xlsx")),
            expires_at=clock.now() + timedelta(hours=setting(settings, "file_keep_hours")),
        )
        session.add(job)
        session.flush()
        queue.enqueue(session, EXPORT_JOB, {"file_job_id": job.id})
    return job


def start_import(
    session: Session,
    settings: Settings,
    principal: Principal,
    kind: ImportKind,
    data: bytes,
    filename: str | None,
    params: dict,
    locale: str,
) -> FileJob:
    """Keep the upload on disk and queue its import in the request's transaction: the job exists
    only if the request commits (a file left behind otherwise is removed by ``expire``)."""
    path = _new_path(settings, ".upload")
    path.write_bytes(data)
    job = FileJob(
        direction="import",
        kind=kind.name,
        user_id=principal.user_id,
        jurisdiction_code=principal.jurisdiction_code,
        params=params,
        locale=locale,
        state=FileJobState.QUEUED.value,
        done=0,
        filename=(filename or "upload.xlsx")[:200],
        path=str(path),
        size_bytes=len(data),
        expires_at=clock.now() + timedelta(hours=setting(settings, "file_keep_hours")),
    )
    session.add(job)
    session.flush()
    queue.enqueue(session, IMPORT_JOB, {"file_job_id": job.id, "time_limit_s": time_limit_s(settings)})
    return job


def may_see(principal: Principal, job: FileJob) -> bool:
    """The requester, and administrators whose jurisdiction covers the job's place."""
    if principal.user_id is not None and job.user_id == principal.user_id:
        return True
    return principal.can(Perm.USERS_MANAGE) and principal.covers(job.jurisdiction_code)


def get(session: Session, principal: Principal, job_id: int) -> FileJob:
    """A file job its requester (or an administrator in scope) may see; anyone else gets 404."""
    job = session.get(FileJob, job_id)
    if job is None or not may_see(principal, job):
        raise NotFound()
    return job


def mine(session: Session, principal: Principal, limit: int = 50) -> list[FileJob]:
    """The principal's own file jobs, newest first."""
    stmt = select(FileJob).where(FileJob.user_id == principal.user_id).order_by(FileJob.id.desc())
    return list(session.scalars(stmt.limit(limit)))


def ready_file(session: Session, principal: Principal, job_id: int) -> tuple[FileJob, Path]:
    """The finished export's file, for its requester or an administrator in scope."""
    job = get(session, principal, job_id)
    if job.direction != "export":
        raise NotFound()
    if job.state == FileJobState.EXPIRED:
        raise NotFound("The file has expired; export it again.")
    if job.state != FileJobState.DONE:
        raise Conflict("The file is not ready yet.")
    path = Path(job.path or "")
    if not path.is_file():
        raise NotFound("The file has expired; export it again.")
    return job, path


def to_out(job: FileJob) -> dict:
    """The API's shape of a file job (its message in Chinese and English)."""
    message = message_en = None
    if job.message:
        message, message_en = bilingual(job.message, **(job.message_params or {}))
    url = f"/api/v1/files/jobs/{job.id}"
    return {
        "id": job.id,
        "direction": job.direction,
        "kind": job.kind,
        "state": job.state,
        "total": job.total,
        "done": job.done,
        "percent": percent(job),
        "filename": job.filename,
        "size_bytes": job.size_bytes,
        "result": job.result,
        "message": message,
        "message_en": message_en,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "expires_at": job.expires_at,
        "url": url,
        "page_url": f"/files/{job.id}",
        "download_url": f"{url}/download"
        if job.direction == "export" and job.state == FileJobState.DONE
        else None,
    }


def percent(job: FileJob) -> int | None:
    """Progress in percent, when the total is known."""
    if job.state == FileJobState.DONE:
        return 100
    if not job.total:
        return None
    return max(0, min(99, int(job.done * 100 / job.total)))


def expire(session: Session, orphan_age: timedelta = timedelta(hours=24)) -> dict[str, int]:
    """Delete the files of jobs past their time, and files no live job refers to (an upload whose
    request did not commit, a half-written export of a worker that died) once they are old."""
    now = clock.now()
    expired = 0
    for job in session.scalars(
        select(FileJob).where(FileJob.state != FileJobState.EXPIRED, FileJob.expires_at < now).limit(1000)
    ):
        if job.state in LIVE:
            continue
        if job.path:
            Path(job.path).unlink(missing_ok=True)
        job.state = (
            FileJobState.EXPIRED.value
        )  # the path stays: it tells the next pass which folder to look in
        expired += 1
    session.flush()
    with_path = FileJob.path.is_not(None)
    kept = set(session.scalars(select(FileJob.path).where(with_path, FileJob.state != FileJobState.EXPIRED)))
    recent = session.scalars(select(FileJob.path).where(with_path).order_by(FileJob.id.desc()).limit(1000))
    folders = {Path(p).parent for p in recent}
    orphans = 0
    cutoff = (now - orphan_age).timestamp()
    for folder in folders:
        for path in folder.glob("*"):
            ours = path.suffix in (".xlsx", ".upload", ".part") and str(path) not in kept
            if ours and path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                orphans += 1
    return {"expired": expired, "orphans": orphans}

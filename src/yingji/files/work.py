"""What the worker does for a file job: write an export to its file with progress, or apply an
uploaded import within its time limit and keep its row-by-row result.

An export reads through a read session of its own and reports progress in short transactions of
its own, so it never holds the job's write transaction (on SQLite, the one write lock) while it
streams tens of thousands of rows. An import writes, so it runs in the job's transaction, inside a
savepoint: rejected, stopped or failed, nothing of it stays, and the job row says why."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.orm import Session

from yingji.auth import audit
from yingji.auth.models import User
from yingji.auth.scope import Principal
from yingji.config import Settings
from yingji.core import clock, deadline, i18n
from yingji.core.db import Actor, Database, database_url, open_database
from yingji.core.errors import ImportRejected, YingjiError
from yingji.core.i18n import N_
from yingji.files import kinds
from yingji.files.models import LIVE, FileJob, FileJobState
from yingji.org import sheets

log = logging.getLogger("yingji.files")
ACTOR = Actor.system("files")
PROGRESS_EVERY_S = 1.0
MAX_ERRORS_KEPT = 1000
FAILED = N_("The job failed; please try again. If it fails again, tell the administrator.")
USER_GONE = N_("The account that asked for this file is disabled.")
GONE = N_("The uploaded file is gone; upload it again.")
_side: dict[str, Database] = {}


def side_database(session: Session) -> Database:
    """The job's database, opened once per process for the transactions a job runs beside its own
    (reads that must not take SQLite's write lock, progress that must show while the job runs)."""
    url = database_url(session, with_password=True)
    db = _side.get(url)
    if db is None:
        db = _side[url] = open_database(Settings(database_url=url, secret_key="-", var_dir=Path(".")))
    return db


def _set(db: Database, job_id: int, **values) -> None:
    with db.writing(ACTOR) as session:
        session.execute(update(FileJob).where(FileJob.id == job_id).values(**values))


def _principal(session: Session, user_id: int) -> Principal | None:
    user = session.get(User, user_id)
    return Principal.of(user) if user is not None and user.active else None


def _fail(message: str, params: dict | None = None, result: dict | None = None) -> dict:
    """The job row's values of a failure: the message id and its parameters (kept as JSON)."""
    plain = {k: v if isinstance(v, int | float | str) else str(v) for k, v in (params or {}).items()}
    return {
        "state": FileJobState.FAILED.value,
        "message": message,
        "message_params": plain or None,
        "result": result,
        "finished_at": clock.now(),
    }


def run_export(session: Session, job_id: int) -> None:
    """Write the export's file under its final name (through a ``.part`` file), with progress."""
    db = side_database(session)
    with db.reading() as s:
        job = s.get(FileJob, job_id)
        principal = _principal(s, job.user_id) if job is not None else None
    if job is None or job.state not in LIVE:
        return
    if principal is None:
        _set(db, job_id, **_fail(USER_GONE))
        return
    _set(db, job_id, state=FileJobState.RUNNING.value, started_at=clock.now(), done=0)
    path = Path(job.path)
    part = path.with_name(path.name + ".part")
    last = [time.monotonic()]

    def progress(n: int) -> None:
        if time.monotonic() - last[0] >= PROGRESS_EVERY_S:
            last[0] = time.monotonic()
            _set(db, job_id, done=n)

    token = i18n.set_locale(job.locale)
    try:
        kind = kinds.export_kind(job.kind)
        with db.reading() as s:
            rows = kind.rows(s, principal, **job.params)
            n = sheets.stream(part, kind.title, kind.columns, rows, job.locale, progress)
        part.replace(path)
        values = {"state": FileJobState.DONE.value, "done": n, "total": n, "size_bytes": path.stat().st_size}
        _set(db, job_id, **values, finished_at=clock.now(), message=None, message_params=None)
    except YingjiError as exc:
        _set(db, job_id, **_fail(exc.message, exc.params))
    except Exception:
        log.exception("export job %s (%s) failed", job_id, job.kind)
        _set(db, job_id, **_fail(FAILED))
    finally:
        i18n.reset_locale(token)
        part.unlink(missing_ok=True)


def run_import(session: Session, job_id: int, time_limit_s: float) -> None:
    """Apply the upload in the job's transaction (a savepoint), within ``time_limit_s``."""
    db = side_database(session)
    with db.reading() as s:
        job = s.get(FileJob, job_id)
    if job is None or job.state not in LIVE:
        return
    # Seen as running while it runs: written before the job's own transaction takes the write lock.
    _set(db, job_id, state=FileJobState.RUNNING.value, started_at=clock.now())
    job = session.get(FileJob, job_id)
    principal = _principal(session, job.user_id)
    path = Path(job.path or "")
    values: dict
    token = i18n.set_locale(job.locale)
    actor = session.info.get("actor")
    try:
        if principal is None:
            values = _fail(USER_GONE)
        elif not path.is_file():
            values = _fail(GONE)
        else:
            values = _apply(session, job, principal, path.read_bytes(), time_limit_s)
    finally:
        session.info["actor"] = actor
        i18n.reset_locale(token)
    for key, value in values.items():
        setattr(job, key, value)
    session.flush()
    path.unlink(missing_ok=True)  # the upload is not kept once applied or refused


def _apply(session: Session, job: FileJob, principal: Principal, data: bytes, time_limit_s: float) -> dict:
    kind = kinds.import_kind(job.kind)
    # The import's rows and its summary are the requester's doing, audited as theirs.
    session.info["actor"] = principal.as_actor()
    try:
        with deadline.limit(time_limit_s), session.begin_nested():
            result = kind.run(session, principal, data, **job.params)
            audit.record(
                session,
                "import",
                kind.entity,
                kind.entity_id(job.params),
                after=result.as_dict(),
                note=f"file={job.filename!s:.100} (file job {job.id})",
            )
    except ImportRejected as exc:
        details = [_plain(d) for d in exc.details[:MAX_ERRORS_KEPT]]
        found = {"errors": details, "error_count": len(exc.details)}
        return _fail(exc.message, exc.params, found)
    except YingjiError as exc:
        return _fail(exc.message, exc.params)
    except Exception:
        log.exception("import job %s (%s) failed", job.id, job.kind)
        return _fail(FAILED)
    counts = result.as_dict()
    rows = sum(v for v in counts.values() if isinstance(v, int))
    return {
        "state": FileJobState.DONE.value,
        "result": counts,
        "done": rows,
        "total": rows,
        "finished_at": clock.now(),
        "message": None,
        "message_params": None,
    }


def _plain(detail: dict) -> dict:
    """A row error as JSON keeps it: message id and parameters, values as text."""
    return {
        "row": detail.get("row"),
        "column": str(detail.get("column") or ""),
        "value": str(detail.get("value") or "")[:200],
        "message": detail.get("message") or "",
        "params": {k: str(v) for k, v in (detail.get("params") or {}).items()},
    }

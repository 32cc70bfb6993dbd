"""What the domains' export and import routes answer: small files at once, as before; large ones as
a file job (API: 202 with the job's URL; a page: to the job's page, which shows its progress).

    return answers.export(request, session, db, principal, "risk_enterprises", {"within": code})

    return await answers.import_answer(request, session, principal, "residents", data, file.filename)

and a page's import form: ``answers.import_page(…, page=page, template="residents/import.html")``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from yingji.auth import audit
from yingji.auth.downloads import audited_download
from yingji.auth.scope import Principal
from yingji.core import deadline
from yingji.core.db import Database
from yingji.core.errors import ImportRejected
from yingji.core.i18n import current_locale
from yingji.files import kinds, service
from yingji.files.models import FileJob
from yingji.org import sheets
from yingji.web.forms import import_errors


def wants_page(request: Request) -> bool:
    """A browser following a link or posting a form (the page links to the API's file URLs)."""
    return "text/html" in request.headers.get("accept", "") and not request.headers.get("authorization")


def job_answer(request: Request, job: FileJob) -> Response:
    """202 with the job (and its URL in ``Location``); a browser goes to the job's page instead."""
    if wants_page(request):
        return RedirectResponse(f"/files/{job.id}", status_code=303)
    out = service.to_out(job)
    return JSONResponse(jsonable(out), status_code=202, headers={"Location": out["url"], "Retry-After": "2"})


def jsonable(out: dict) -> dict:
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in out.items()}


def export(
    request: Request,
    session: Session,
    db: Database,
    principal: Principal,
    kind_name: str,
    params: dict[str, Any],
    *,
    jurisdiction_code: str | None = None,
) -> Response:
    """The export as a download when it is small (rows streamed into the sheet), else a file job."""
    kind = kinds.export_kind(kind_name)
    settings = request.app.state.settings
    total = kind.count(session, principal, **params)
    if total > service.setting(settings, "export_job_rows"):
        job = service.start_export(
            db,
            settings,
            principal,
            kind,
            params,
            total=total,
            jurisdiction_code=jurisdiction_code,
            locale=current_locale(),
        )
        return job_answer(request, job)
    rows = kind.rows(session, principal, **params)
    body = sheets.write(kind.title, kind.columns, rows, current_locale())
    return audited_download(
        db,
        principal,
        body,
        entity=kind.entity,
        filename=kind.filename(params),
        jurisdiction_code=jurisdiction_code,
    )


async def import_job(
    request: Request,
    session: Session,
    principal: Principal,
    kind_name: str,
    data: bytes,
    filename: str | None,
    params: dict[str, Any] | None = None,
) -> FileJob | None:
    """A file job for an upload larger than the setting (None: import it in the request)."""
    settings = request.app.state.settings
    if len(data) <= service.setting(settings, "import_job_kb") * 1024:
        return None
    kind = kinds.import_kind(kind_name)
    await run_in_threadpool(kind.check, session, principal, **(params or {}))
    return await run_in_threadpool(
        service.start_import,
        session,
        settings,
        principal,
        kind,
        data,
        filename,
        params or {},
        current_locale(),
    )


async def import_now(
    request: Request,
    session: Session,
    principal: Principal,
    kind_name: str,
    data: bytes,
    filename: str | None,
    params: dict[str, Any] | None = None,
) -> Any:
    """Import a small upload in the request (under the time limit, all rows or none) and audit it;
    its result. An ``ImportRejected`` (row-by-row errors) goes up to the route."""
    kind = kinds.import_kind(kind_name)
    run = partial(kind.run, **(params or {}))
    result = await run_in_threadpool(timed, request, run, session, principal, data)
    after = result.as_dict()
    note = f"file={filename!s:.100}"
    await run_in_threadpool(audit.record, session, "import", kind.entity, None, after=after, note=note)
    return result


async def import_answer(
    request: Request, session, principal, kind_name: str, data: bytes, filename, params=None, *, shown=None
) -> Response:
    """An import route's answer (``import_job``'s arguments): a file job (202) for a large upload,
    else the import done now as ``{"kind": shown or kind_name, counts}``."""
    job = await import_job(request, session, principal, kind_name, data, filename, params)
    if job is not None:
        return job_answer(request, job)
    result = await import_now(request, session, principal, kind_name, data, filename, params)
    return JSONResponse({"kind": shown or kind_name, **result.as_dict()})


async def import_page(
    request: Request, session, principal, kind_name, data, filename, page, template, ctx=None, params=None
) -> Response:
    """An import form's answer (``import_job``'s arguments): a large upload goes to its file job's
    page (progress and result); a small one is imported now and ``page(request, template, …)`` (a
    domain's page) shows its counts, or its rows' errors (422), with ``ctx``."""
    job = await import_job(request, session, principal, kind_name, data, filename, params)
    if job is not None:
        return RedirectResponse(f"/files/{job.id}", status_code=303)
    try:
        result = await import_now(request, session, principal, kind_name, data, filename, params)
    except ImportRejected as exc:
        errors = import_errors(exc)
        return page(request, template, {"result": None, "errors": errors} | (ctx or {}), status_code=422)
    return page(request, template, {"result": result.as_dict(), "errors": []} | (ctx or {}))


def timed(request: Request, fn: Callable, *args) -> Any:
    """``fn(*args)`` under the import time limit, in a savepoint: stopped, nothing of it stays."""
    session = args[0]
    with deadline.limit(service.time_limit_s(request.app.state.settings)), session.begin_nested():
        return fn(*args)

"""Forces Excel exchange (import, export) and the road network upload."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from yingji.auth import audit
from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import require
from yingji.core.deps import DbSession
from yingji.core.errors import ImportRejected, NotFound, ValidationFailed, YingjiError
from yingji.core.i18n import gettext
from yingji.files import answers
from yingji.forces import exchange
from yingji.forces.views.common import page
from yingji.geo import roads
from yingji.org.api import read_upload
from yingji.web import forms
from yingji.web.forms import in_savepoint

router = APIRouter(include_in_schema=False)


def _exchange_ctx(session, **extra) -> dict:
    return {
        "result": None,
        "errors": [],
        "kind": "teams",
        "kinds": exchange.KINDS,
        "roads": roads.describe(roads.current(session)),
        "road_result": None,
    } | extra


@router.get("/forces/exchange")
def exchange_page(request: Request, principal: CurrentPrincipal, session: DbSession):
    require(principal, Perm.EXPORT)
    return page(request, "forces/exchange.html", _exchange_ctx(session))


@router.post("/forces/exchange/import")
async def exchange_import(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    file: UploadFile,
    kind: Annotated[str, Form()] = "teams",
):
    if kind not in exchange.IMPORTERS:
        raise NotFound()
    data = await read_upload(request, file)
    job = await answers.import_job(request, session, principal, f"forces.{kind}", data, file.filename)
    if job is not None:  # a large file: its job's page shows the progress and the result
        return RedirectResponse(f"/files/{job.id}", status_code=303)
    try:
        result = await run_in_threadpool(
            answers.timed, request, exchange.IMPORTERS[kind], session, principal, data
        )
    except ImportRejected as exc:
        errors = forms.import_errors(exc)
        ctx = await run_in_threadpool(_exchange_ctx, session, errors=errors, kind=kind)
        return page(request, "forces/exchange.html", ctx, status_code=422)
    await run_in_threadpool(
        audit.record,
        session,
        "import",
        f"forces.{kind}",
        None,
        after=result.as_dict(),
        note=f"file={file.filename!s:.100}",
    )
    ctx = await run_in_threadpool(_exchange_ctx, session, result=result.as_dict(), kind=kind)
    return page(request, "forces/exchange.html", ctx)


@router.post("/forces/exchange/roads")
async def exchange_roads(request: Request, principal: CurrentPrincipal, session: DbSession, file: UploadFile):
    data = await read_upload(request, file)
    try:
        row = await run_in_threadpool(
            in_savepoint, session, roads.load, session, principal, data, file.filename or ""
        )
    except ValidationFailed as exc:
        errors = [
            {"row": "", "column": "", "value": file.filename, "text": gettext(d["message"])}
            for d in exc.details
        ]
        ctx = await run_in_threadpool(_exchange_ctx, session, errors=errors)
        return page(request, "forces/exchange.html", ctx, status_code=422)
    except YingjiError:
        raise
    ctx = await run_in_threadpool(_exchange_ctx, session, road_result=roads.describe(row))
    return page(request, "forces/exchange.html", ctx)

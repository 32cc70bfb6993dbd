"""Plan pages, the Excel import of the plan list."""

from __future__ import annotations

from fastapi import APIRouter, Request, UploadFile
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from yingji.auth import audit
from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import require
from yingji.core.deps import DbSession
from yingji.core.errors import ImportRejected
from yingji.core.i18n import gettext
from yingji.files import answers
from yingji.org.api import read_upload
from yingji.plans import exchange
from yingji.plans.views import common

router = APIRouter(include_in_schema=False)


@router.get("/plans/import")
def import_page(request: Request, principal: CurrentPrincipal):
    require(principal, Perm.PLANS_MANAGE)
    return common.page(
        request, "plans/import.html", {"result": None, "errors": [], "columns": exchange.COLUMNS}
    )


@router.post("/plans/import")
async def import_upload(request: Request, principal: CurrentPrincipal, session: DbSession, file: UploadFile):
    data = await read_upload(request, file)
    job = await answers.import_job(request, session, principal, "plans", data, file.filename)
    if job is not None:
        return RedirectResponse(f"/files/{job.id}", status_code=303)
    try:
        result = await run_in_threadpool(
            answers.timed, request, exchange.import_plans, session, principal, data
        )
    except ImportRejected as exc:
        errors = [d | {"text": gettext(d["message"], **(d.get("params") or {}))} for d in exc.details]
        ctx = {"result": None, "errors": errors, "columns": exchange.COLUMNS}
        return common.page(request, "plans/import.html", ctx, status_code=422)
    await run_in_threadpool(
        audit.record,
        session,
        "import",
        "plans",
        None,
        after=result.as_dict(),
        note=f"file={file.filename!s:.100}",
    )
    return common.page(
        request, "plans/import.html", {"result": result.as_dict(), "errors": [], "columns": exchange.COLUMNS}
    )

"""Pages of the officers' register: the list, a new officer, one officer with trainings, coverage, import."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, UploadFile
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import require
from yingji.core.deps import DbSession
from yingji.core.errors import YingjiError
from yingji.damage import officer_sheets, officers
from yingji.damage.schemas import OfficerIn, TrainingIn
from yingji.damage.views.common import error_texts, page, refused
from yingji.files import answers
from yingji.org.api import read_upload
from yingji.org.params import url_code
from yingji.web.forms import in_savepoint

router = APIRouter()
FIELDS = (
    "name",
    "jurisdiction_code",
    "post",
    "position",
    "mobile",
    "backup_phone",
    "beidou_id",
    "since",
    "note",
)


@router.get("/damage/officers")
def officers_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    within: str | None = None,
    post: Annotated[str | None, Query(pattern="^(A|B)?$")] = None,
    q: Annotated[str, Query(max_length=60)] = "",
    page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
):
    result = officers.search(
        session, principal, within=url_code(within), post=post or None, q=q, page=page_no
    )
    ctx = {
        "page": result,
        "rows": officers.outs(session, principal, result.items),
        "within": within or "",
        "post": post or "",
        "q": q,
        "can_manage": principal.can(Perm.DAMAGE_REPORT),
        "form": {"jurisdiction_code": principal.jurisdiction_code, "post": "A"},
        "errors": [],
    }
    return page(request, "damage/officers.html", ctx)


@router.post("/damage/officers")
async def officer_create(request: Request, principal: CurrentPrincipal, session: DbSession):
    form = await request.form()
    values = {k: str(form.get(k, "")).strip() for k in FIELDS}
    try:
        data = OfficerIn(**{k: v for k, v in values.items() if v})
        officer = await run_in_threadpool(in_savepoint, session, officers.create, session, principal, data)
    except (ValidationError, YingjiError) as exc:
        if not refused(exc):
            raise
        result = officers.search(session, principal)
        ctx = {
            "page": result,
            "rows": officers.outs(session, principal, result.items),
            "within": "",
            "post": "",
            "q": "",
            "can_manage": True,
            "form": values,
            "errors": error_texts(exc),
        }
        return page(request, "damage/officers.html", ctx, status_code=422)
    return RedirectResponse(f"/damage/officers/{officer.id}", status_code=303)


@router.get("/damage/officers/coverage")
def coverage_page(
    request: Request, principal: CurrentPrincipal, session: DbSession, within: str | None = None
):
    code = url_code(within)
    return page(
        request,
        "damage/coverage.html",
        {"cov": officers.coverage(session, principal, code), "within": within or ""},
    )


@router.get("/damage/officers/import")
def import_page(request: Request, principal: CurrentPrincipal):
    require(principal, Perm.DAMAGE_REPORT)
    return page(
        request, "damage/import.html", {"result": None, "errors": [], "columns": officer_sheets.COLUMNS}
    )


@router.post("/damage/officers/import")
async def import_upload(request: Request, principal: CurrentPrincipal, session: DbSession, file: UploadFile):
    data = await read_upload(request, file)
    cols = {"columns": officer_sheets.COLUMNS}
    return await answers.import_page(
        request, session, principal, "damage_officers", data, file.filename, page, "damage/import.html", cols
    )


@router.get("/damage/officers/{officer_id:int}")
def officer_page(officer_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    o = officers.get(session, principal, officer_id)
    out = officers.outs(session, principal, [o], with_trainings=True)[0]
    ctx = {"o": out, "can_manage": principal.can(Perm.DAMAGE_REPORT), "errors": []}
    return page(request, "damage/officer.html", ctx)


@router.post("/damage/officers/{officer_id:int}/trainings")
async def training_add(officer_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    form = await request.form()
    values = {k: str(form.get(k, "")).strip() for k in ("on", "course", "hours", "organiser")}
    try:
        data = TrainingIn(**{k: v for k, v in values.items() if v}, passed=form.get("passed") == "1" or None)
        await run_in_threadpool(
            in_savepoint, session, officers.add_training, session, principal, officer_id, data
        )
    except (ValidationError, YingjiError) as exc:
        if not refused(exc):
            raise
        o = officers.get(session, principal, officer_id)
        ctx = {
            "o": officers.outs(session, principal, [o], with_trainings=True)[0],
            "can_manage": True,
            "errors": error_texts(exc),
        }
        return page(request, "damage/officer.html", ctx, status_code=422)
    return RedirectResponse(f"/damage/officers/{officer_id}", status_code=303)

"""Seismic registry pages (/seismic): the registry with staffing coverage and the places lacking a
member, a member with their trainings, the new-member form, Excel import."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, UploadFile
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from yingji.auth import audit
from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import require
from yingji.core.deps import DbSession
from yingji.core.errors import ImportRejected, YingjiError
from yingji.core.i18n import gettext
from yingji.org.api import read_upload
from yingji.org.params import url_code
from yingji.seismic import exchange, registry
from yingji.seismic.api import RoleQ
from yingji.seismic.codes import SeismicRole
from yingji.seismic.schemas import MemberIn, TrainingIn
from yingji.seismic.views.common import page
from yingji.web.forms import errors_with_refusals as form_errors
from yingji.web.forms import in_savepoint

router = APIRouter(include_in_schema=False)


@router.get("/seismic")
def registry_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    role: RoleQ = None,
    within: str | None = None,
    q: Annotated[str, Query(max_length=60)] = "",
    page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
):
    code = url_code(within)
    result = registry.search(session, principal, role=role, within=code, q=q, page=page_no)
    ctx = {
        "page": result,
        "rows": registry.outs(session, principal, result.items),
        "coverage": registry.coverage(session, principal, code, limit=60),
        "role": role or "",
        "within": within or "",
        "q": q,
        "can_manage": principal.can(Perm.TRAINING_MANAGE),
    }
    return page(request, "seismic/registry.html", ctx)


def _member_form(form: dict) -> MemberIn:
    return MemberIn(**{k: (v or None) for k, v in form.items() if k != "csrf_token"})


@router.get("/seismic/members/new")
def member_new(request: Request, principal: CurrentPrincipal, within: str | None = None):
    require(principal, Perm.TRAINING_MANAGE)
    form = {"jurisdiction_code": within or principal.jurisdiction_code, "role": SeismicRole.REPORTER.value}
    return page(request, "seismic/member_form.html", {"form": form, "errors": {}})


@router.post("/seismic/members/new")
async def member_create(request: Request, principal: CurrentPrincipal, session: DbSession):
    form = {k: str(v).strip() for k, v in (await request.form()).items()}
    try:
        data = _member_form(form)
        member = await run_in_threadpool(in_savepoint, session, registry.create, session, principal, data)
    except (ValidationError, YingjiError) as exc:
        return page(request, "seismic/member_form.html", {"form": form, "errors": form_errors(exc)}, 422)
    return RedirectResponse(f"/seismic/members/{member.id}", status_code=303)


def _member_page(request, session, principal, member_id: int, errors=None, status: int = 200):
    member = registry.get(session, principal, member_id)
    ctx = {
        "m": registry.outs(session, principal, [member], trainings=True)[0],
        "errors": errors or {},
        "can_manage": principal.can(Perm.TRAINING_MANAGE) and principal.covers(member.jurisdiction_code),
        "today": registry.today().isoformat(),
    }
    return page(request, "seismic/member.html", ctx, status)


@router.get("/seismic/members/{member_id}")
def member_page(member_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    return _member_page(request, session, principal, member_id)


@router.post("/seismic/members/{member_id}/trainings")
async def training_add(member_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    form = {k: str(v).strip() for k, v in (await request.form()).items()}
    try:
        data = TrainingIn(
            held_on=form.get("held_on") or "",
            course=form.get("course") or "",
            hours=form.get("hours") or 0,
            result=form.get("result") or None,
        )
        await run_in_threadpool(
            in_savepoint, session, registry.add_training, session, principal, member_id, data
        )
    except (ValidationError, YingjiError) as exc:
        errors = form_errors(exc)
        return await run_in_threadpool(_member_page, request, session, principal, member_id, errors, 422)
    return RedirectResponse(f"/seismic/members/{member_id}", status_code=303)


@router.get("/seismic/import")
def import_page(request: Request, principal: CurrentPrincipal):
    require(principal, Perm.TRAINING_MANAGE)
    return page(request, "seismic/import.html", {"result": None, "errors": [], "columns": exchange.COLUMNS})


@router.post("/seismic/import")
async def import_upload(request: Request, principal: CurrentPrincipal, session: DbSession, file: UploadFile):
    data = await read_upload(request, file)
    try:
        result = await run_in_threadpool(
            in_savepoint, session, exchange.import_members, session, principal, data
        )
    except ImportRejected as exc:
        errors = [d | {"text": gettext(d["message"], **(d.get("params") or {}))} for d in exc.details]
        return page(
            request,
            "seismic/import.html",
            {"result": None, "errors": errors, "columns": exchange.COLUMNS},
            422,
        )
    await run_in_threadpool(
        audit.record,
        session,
        "import",
        "seismic_members",
        None,
        after=result.as_dict(),
        note=f"file={file.filename!s:.100}",
    )
    return page(
        request,
        "seismic/import.html",
        {"result": result.as_dict(), "errors": [], "columns": exchange.COLUMNS},
    )

"""Enterprise register pages: list, page, form and Excel import."""

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
from yingji.files import answers
from yingji.org.api import read_upload
from yingji.org.params import url_code
from yingji.risk import (
    assessments,
    dangers,
    enterprises,
    inspections,
    labels,
    settings,
)
from yingji.risk.schemas import EnterpriseIn, EnterprisePatch
from yingji.risk.views.common import form_dict, page, pick, refuse_or_errors
from yingji.web.forms import in_savepoint

router = APIRouter(include_in_schema=False)
ENTERPRISE_FIELDS = (
    "name",
    "credit_code",
    "industry",
    "scale",
    "employees",
    "chemicals",
    "major_hazard_grade",
    "address",
    "lon",
    "lat",
    "jurisdiction_code",
    "grid_code",
    "principal_name",
    "principal_phone",
    "safety_manager_name",
    "safety_manager_phone",
    "enforcement_class",
    "note",
)


# -- enterprises ----------------------------------------------------------------------------
@router.get("/risk/enterprises")
def enterprises_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    q: Annotated[str, Query(max_length=100)] = "",
    within: str | None = None,
    industry: str | None = None,
    enforcement_class: Annotated[str | None, Query(pattern="^[ABCD]?$")] = None,
    level: Annotated[str | None, Query(pattern="^(major|high|general|low)?$")] = None,
    hazardous: bool = False,
    page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
):
    """The enterprise register."""
    found = enterprises.search(
        session,
        principal,
        q=q,
        within=url_code(within),
        industry=industry or None,
        enforcement_class=enforcement_class or None,
        level=level or None,
        hazardous=hazardous,
        page=page_no,
    )
    filters = {
        "q": q,
        "within": within or "",
        "industry": industry or "",
        "enforcement_class": enforcement_class or "",
    }
    filters |= {"level": level or "", "hazardous": hazardous}
    return page(request, "risk/enterprises.html", {"page": found, "f": filters})


def _enterprise_data(form: dict) -> dict:
    data = pick(form, ENTERPRISE_FIELDS)
    data["hazardous_chemicals"] = form.get("hazardous_chemicals") == "on"
    data["major_hazard"] = form.get("major_hazard") == "on"
    return data


@router.get("/risk/enterprises/new")
def enterprise_new(request: Request, principal: CurrentPrincipal, within: str | None = None):
    """The form to register an enterprise."""
    require(principal, Perm.RISK_MANAGE)
    form = {"jurisdiction_code": within or principal.jurisdiction_code, "scale": "small"}
    return page(request, "risk/enterprise_form.html", {"enterprise": None, "form": form, "errors": {}})


@router.post("/risk/enterprises/new")
async def enterprise_create(request: Request, principal: CurrentPrincipal, session: DbSession):
    """Register an enterprise from the form."""
    form = await form_dict(request)
    try:
        data = EnterpriseIn.model_validate(_enterprise_data(form))
        created = await run_in_threadpool(in_savepoint, session, enterprises.create, session, principal, data)
    except (ValidationError, YingjiError) as exc:
        errors = refuse_or_errors(exc)
        ctx = {"enterprise": None, "form": form, "errors": errors}
        return page(request, "risk/enterprise_form.html", ctx, status_code=422)
    return RedirectResponse(f"/risk/enterprises/{created.id}", status_code=303)


@router.get("/risk/enterprises/import")
def import_page(request: Request, principal: CurrentPrincipal):
    """The Excel import page of the register."""
    require(principal, Perm.IMPORT)
    return page(request, "risk/import.html", {"result": None, "errors": []})


@router.post("/risk/enterprises/import")
async def import_upload(request: Request, principal: CurrentPrincipal, session: DbSession, file: UploadFile):
    """Import the register from an .xlsx (all rows or none)."""
    data = await read_upload(request, file)
    return await answers.import_page(
        request, session, principal, "risk_enterprises", data, file.filename, page, "risk/import.html"
    )


@router.get("/risk/enterprises/{enterprise_id}")
def enterprise_page(enterprise_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    """One enterprise: register, risk points, inspections, dangers."""
    e = enterprises.get(session, principal, enterprise_id)
    local = settings.effective(session, e.jurisdiction_code)
    ctx = {
        "e": e,
        "points": assessments.search(session, principal, enterprise_id=e.id, size=200).items,
        "visits": inspections.search(session, principal, enterprise_id=e.id, size=20).items,
        "found": dangers.search(session, principal, enterprise_id=e.id, size=20),
        "place": dangers.place_name(session, e.jurisdiction_code),
        "class_labels": labels.class_labels(local.enforcement),
    }
    return page(request, "risk/enterprise.html", ctx)


@router.get("/risk/enterprises/{enterprise_id}/edit")
def enterprise_edit(enterprise_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    """The form to change an enterprise."""
    require(principal, Perm.RISK_MANAGE)
    e = enterprises.get(session, principal, enterprise_id)
    form = {k: getattr(e, k, None) for k in ENTERPRISE_FIELDS if k != "grid_code"}
    form |= {"hazardous_chemicals": e.hazardous_chemicals, "major_hazard": e.major_hazard}
    form["enforcement_class"] = e.enforcement_class if e.class_fixed else ""
    return page(request, "risk/enterprise_form.html", {"enterprise": e, "form": form, "errors": {}})


@router.post("/risk/enterprises/{enterprise_id}/edit")
async def enterprise_update(
    enterprise_id: int, request: Request, principal: CurrentPrincipal, session: DbSession
):
    """Change an enterprise from the form."""
    form = await form_dict(request)
    try:
        data = _enterprise_data(form)
        data.pop("jurisdiction_code", None)
        data["status"] = form.get("status") or None
        data["enforcement_class"] = form.get("enforcement_class") or None
        patch = EnterprisePatch.model_validate(
            {k: v for k, v in data.items() if v is not None or k == "enforcement_class"}
        )
        await run_in_threadpool(
            in_savepoint, session, enterprises.update, session, principal, enterprise_id, patch
        )
    except (ValidationError, YingjiError) as exc:
        errors = refuse_or_errors(exc)
        e = enterprises.get(session, principal, enterprise_id)
        return page(
            request, "risk/enterprise_form.html", {"enterprise": e, "form": form, "errors": errors}, 422
        )
    return RedirectResponse(f"/risk/enterprises/{enterprise_id}", status_code=303)

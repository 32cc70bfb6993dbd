"""Pages of the register: enterprises (list, page, form, Excel import), risk points with their
assessments, public places, enforcement plans and inspection records."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, UploadFile
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import require
from yingji.core import clock
from yingji.core.deps import DbSession
from yingji.core.errors import ImportRejected, YingjiError
from yingji.files import answers
from yingji.org import places
from yingji.org.api import read_upload
from yingji.org.params import PageNo, url_code
from yingji.risk import (
    assessments,
    dangers,
    enforcement,
    enterprises,
    inspections,
    labels,
    settings,
    tables,
)
from yingji.risk.schemas import AssessmentIn, EnterpriseIn, EnterprisePatch, InspectionIn, PlanIn, RiskPointIn
from yingji.risk.views_common import form_dict, in_savepoint, page, pick, refuse_or_errors
from yingji.web import forms

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
    job = await answers.import_job(request, session, principal, "risk_enterprises", data, file.filename)
    if job is not None:  # a large file: its job's page shows the progress and the result
        return RedirectResponse(f"/files/{job.id}", status_code=303)
    try:
        result = await answers.import_now(
            request, session, principal, "risk_enterprises", data, file.filename
        )
    except ImportRejected as exc:
        errors = forms.import_errors(exc)
        return page(request, "risk/import.html", {"result": None, "errors": errors}, status_code=422)
    return page(request, "risk/import.html", {"result": result.as_dict(), "errors": []})


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


# -- risk points ----------------------------------------------------------------------------
@router.get("/risk/places")
def public_places_page(
    request: Request, principal: CurrentPrincipal, session: DbSession, page_no: PageNo = 1
):
    """The risk points of public places."""
    found = assessments.search(session, principal, public_only=True, page=page_no)
    return page(request, "risk/places.html", {"page": found})


@router.get("/risk/points/new")
def point_new(request: Request, principal: CurrentPrincipal, enterprise_id: int | None = None):
    """The form to add a risk point."""
    require(principal, Perm.RISK_MANAGE)
    form = {"enterprise_id": enterprise_id or "", "jurisdiction_code": principal.jurisdiction_code}
    return page(request, "risk/point_form.html", {"form": form, "errors": {}})


@router.post("/risk/points/new")
async def point_create(request: Request, principal: CurrentPrincipal, session: DbSession):
    """Add a risk point from the form."""
    form = await form_dict(request)
    names = (
        "enterprise_id",
        "place_kind",
        "name",
        "jurisdiction_code",
        "lon",
        "lat",
        "hazards",
        "accident_types",
    )
    names += ("measures", "control_level", "responsible_name", "responsible_phone")
    try:
        data = RiskPointIn.model_validate(pick(form, names))
        point = await run_in_threadpool(
            in_savepoint, session, assessments.create_point, session, principal, data
        )
    except (ValidationError, YingjiError) as exc:
        return page(request, "risk/point_form.html", {"form": form, "errors": refuse_or_errors(exc)}, 422)
    return RedirectResponse(f"/risk/points/{point.id}", status_code=303)


def _point_ctx(
    session, principal, point_id: int, form: dict | None = None, errors: dict | None = None
) -> dict:
    point = assessments.get(session, principal, point_id)
    local = settings.effective(session, point.jurisdiction_code)
    return {
        "point": point,
        "enterprise": enterprises.get(session, principal, point.enterprise_id)
        if point.enterprise_id
        else None,
        "history": assessments.history(session, point),
        "factors": {m: {x: tables.factor_rows(m, x) for x in m} for m in ("LEC", "LS")},
        "local": local,
        "mapping": tables.mapping_labels()[local.lec_mapping],
        "banding": tables.banding_labels()[local.ls_banding],
        "form": form or {"method": "LEC"},
        "errors": errors or {},
    }


@router.get("/risk/points/{point_id}")
def point_page(point_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    """One risk point with its assessments and the assessment form."""
    return page(request, "risk/point.html", _point_ctx(session, principal, point_id))


@router.post("/risk/points/{point_id}/assess")
async def point_assess(point_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    """Record an assessment from the form."""
    form = await form_dict(request)
    method = form.get("method", "LEC")
    values = {"method": method, "l": form.get(f"{method}_l"), "note": form.get("note") or None}
    values |= {"control_level": form.get("control_level") or None}
    values |= {k: form.get(f"{method}_{k}") for k in ("e", "c", "s") if form.get(f"{method}_{k}")}
    try:
        data = AssessmentIn.model_validate(values)
        await run_in_threadpool(in_savepoint, session, assessments.assess, session, principal, point_id, data)
    except (ValidationError, YingjiError) as exc:
        ctx = _point_ctx(session, principal, point_id, form, refuse_or_errors(exc))
        return page(request, "risk/point.html", ctx, status_code=422)
    return RedirectResponse(f"/risk/points/{point_id}", status_code=303)


# -- planned enforcement --------------------------------------------------------------------
def _plans_ctx(session, principal, year, errors: dict | None = None) -> dict:
    plans = enforcement.search(session, principal)
    return {
        "plans": plans,
        "place_names": places.names(session, [p.jurisdiction_code for p in plans]),
        "year": year,
        "errors": errors or {},
    }


@router.get("/risk/plans")
def plans_page(request: Request, principal: CurrentPrincipal, session: DbSession):
    """The enforcement plans and the form to generate one."""
    year = clock.to_local(clock.now()).year
    return page(
        request,
        "risk/plans.html",
        _plans_ctx(session, principal, year),
    )


@router.post("/risk/plans")
async def plan_generate(request: Request, principal: CurrentPrincipal, session: DbSession):
    """Generate or complete a yearly plan from the form."""
    form = await form_dict(request)
    try:
        data = PlanIn.model_validate(
            {
                "jurisdiction_code": form.get("jurisdiction_code") or principal.jurisdiction_code,
                "year": form.get("year"),
            }
        )
        plan, _added = await run_in_threadpool(
            in_savepoint, session, enforcement.generate, session, principal, data.jurisdiction_code, data.year
        )
    except (ValidationError, YingjiError) as exc:
        ctx = _plans_ctx(session, principal, form.get("year"), refuse_or_errors(exc))
        return page(request, "risk/plans.html", ctx, status_code=422)
    return RedirectResponse(f"/risk/plans/{plan.id}", status_code=303)


@router.get("/risk/plans/{plan_id}")
def plan_page(
    plan_id: int,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    month: Annotated[int | None, Query(ge=1, le=12)] = None,
    page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
):
    """One plan: coverage per class and the planned enterprises."""
    plan = enforcement.get(session, principal, plan_id)
    ctx = {
        "plan": plan,
        "cov": enforcement.coverage(session, principal, plan),
        "items": enforcement.items(session, principal, plan, month=month, page=page_no),
        "month": month,
    }
    return page(request, "risk/plan.html", ctx)


# -- inspections ----------------------------------------------------------------------------
@router.get("/risk/inspections/new")
def inspection_new(request: Request, principal: CurrentPrincipal, session: DbSession, enterprise_id: int):
    """The inspection form of an enterprise."""
    require(principal, Perm.INSPECT)
    e = enterprises.get(session, principal, enterprise_id)
    form = {"kind": "planned", "client_key": uuid.uuid4().hex, "inspectors": principal.display_name}
    return page(request, "risk/inspection_form.html", {"e": e, "form": form, "errors": {}})


@router.post("/risk/inspections/new")
async def inspection_create(request: Request, principal: CurrentPrincipal, session: DbSession):
    """Record an inspection from the form."""
    form = await form_dict(request)
    titles = form.get("danger_title") or []
    titles = titles if isinstance(titles, list) else [titles]
    cats = form.get("danger_category") or []
    cats = cats if isinstance(cats, list) else [cats]
    found = [
        {"title": t, "category": c or "other"}
        for t, c in zip(titles, cats + [""] * len(titles), strict=False)
        if t
    ]
    orders = form.get("orders") or []
    try:
        data = InspectionIn.model_validate(
            pick(
                form,
                (
                    "enterprise_id",
                    "kind",
                    "inspectors",
                    "findings",
                    "penalty_cny",
                    "document_no",
                    "client_key",
                ),
            )
            | {"orders": orders if isinstance(orders, list) else [orders], "dangers": found}
        )
        visit = await run_in_threadpool(in_savepoint, session, inspections.record, session, principal, data)
    except (ValidationError, YingjiError) as exc:
        errors = refuse_or_errors(exc)
        raw_id = str(form.get("enterprise_id") or "")
        e = enterprises.get(session, principal, int(raw_id) if raw_id.isdigit() else 0)
        return page(request, "risk/inspection_form.html", {"e": e, "form": form, "errors": errors}, 422)
    return RedirectResponse(f"/risk/inspections/{visit.id}", status_code=303)


@router.get("/risk/inspections/{inspection_id}")
def inspection_page(inspection_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    """One inspection record."""
    visit = inspections.get(session, principal, inspection_id)
    ctx = {
        "visit": visit,
        "e": enterprises.get(session, principal, visit.enterprise_id),
        "found": inspections.found_on(session, visit),
    }
    return page(request, "risk/inspection.html", ctx)

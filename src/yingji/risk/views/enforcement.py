"""Planned enforcement pages: yearly plans and inspection records."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import require
from yingji.core import clock
from yingji.core.deps import DbSession
from yingji.core.errors import YingjiError
from yingji.org import places
from yingji.risk import (
    enforcement,
    enterprises,
    inspections,
)
from yingji.risk.schemas import InspectionIn, PlanIn
from yingji.risk.views.common import form_dict, page, pick, refuse_or_errors
from yingji.web.forms import in_savepoint

router = APIRouter(include_in_schema=False)


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

"""Risk point pages: public places, the risk point form, one point with its assessments."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import require
from yingji.core.deps import DbSession
from yingji.core.errors import YingjiError
from yingji.org.params import PageNo
from yingji.risk import (
    assessments,
    enterprises,
    settings,
    tables,
)
from yingji.risk.schemas import AssessmentIn, RiskPointIn
from yingji.risk.views.common import form_dict, page, pick, refuse_or_errors
from yingji.web.forms import in_savepoint

router = APIRouter(include_in_schema=False)


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

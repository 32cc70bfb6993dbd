"""Planned enforcement API: the yearly plans (双随机 and key classes) and the inspection records."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from yingji.auth.deps import CurrentPrincipal
from yingji.core.deps import DbSession
from yingji.org.params import PageNo, page_json
from yingji.risk import enforcement, inspections
from yingji.risk.schemas import (
    InspectionDetailOut,
    InspectionIn,
    InspectionPage,
    PlanGeneratedOut,
    PlanIn,
    PlanOut,
    PlanSummaryOut,
    answer,
)

router = APIRouter()


# -- planned enforcement and inspections ----------------------------------------------------
@router.get("/risk/plans", response_model=list[PlanSummaryOut])
def list_plans(principal: CurrentPrincipal, session: DbSession, year: int | None = None) -> JSONResponse:
    """Enforcement plans of one's area and of the levels above."""
    return answer(
        [
            {"id": p.id, "year": p.year, "jurisdiction_code": p.jurisdiction_code, "name": p.name}
            for p in enforcement.search(session, principal, year=year)
        ]
    )


@router.post("/risk/plans", status_code=201, response_model=PlanGeneratedOut)
def generate_plan(data: PlanIn, principal: CurrentPrincipal, session: DbSession) -> JSONResponse:
    """Make or complete the yearly plan: every key-class enterprise, a share of the others."""
    plan, added = enforcement.generate(session, principal, data.jurisdiction_code, data.year)
    return answer(
        {"id": plan.id, "year": plan.year, "jurisdiction_code": plan.jurisdiction_code, "added": added}
        | {"coverage": enforcement.coverage(session, principal, plan)},
        201,
    )


@router.get("/risk/plans/{plan_id}", response_model=PlanOut)
def get_plan(
    plan_id: int, principal: CurrentPrincipal, session: DbSession, month: int | None = None, page: PageNo = 1
) -> JSONResponse:
    """A plan with its coverage per class and its items in one's scope."""
    plan = enforcement.get(session, principal, plan_id)
    found = enforcement.items(session, principal, plan, month=month, page=page)
    return answer(
        {
            "id": plan.id,
            "year": plan.year,
            "jurisdiction_code": plan.jurisdiction_code,
            "name": plan.name,
            "classes": plan.classes,
            "coverage": enforcement.coverage(session, principal, plan),
            "items": {
                "total": found.total,
                "page": found.page,
                "items": [
                    {
                        "enterprise_id": item.enterprise_id,
                        "name": name,
                        "class": item.enforcement_class,
                        "reason": item.reason,
                        "planned_month": item.planned_month,
                        "inspection_id": item.inspection_id,
                    }
                    for item, name in found.items
                ],
            },
        }
    )


@router.post("/risk/inspections", status_code=201, response_model=InspectionDetailOut)
def record_inspection(data: InspectionIn, principal: CurrentPrincipal, session: DbSession) -> JSONResponse:
    """Record an inspection visit and the hidden dangers found on it."""
    inspection = inspections.record(session, principal, data)
    return answer(
        inspections.to_out(inspection)
        | {"danger_ids": [d.id for d in inspections.found_on(session, inspection)]},
        201,
    )


@router.get("/risk/inspections", response_model=InspectionPage)
def list_inspections(
    principal: CurrentPrincipal, session: DbSession, enterprise_id: int | None = None, page: PageNo = 1
) -> JSONResponse:
    """Inspection records in scope, newest first."""
    return answer(
        page_json(
            inspections.search(session, principal, enterprise_id=enterprise_id, page=page), inspections.to_out
        )
    )


@router.get("/risk/inspections/{inspection_id}", response_model=InspectionDetailOut)
def get_inspection(inspection_id: int, principal: CurrentPrincipal, session: DbSession) -> JSONResponse:
    """One inspection record with the dangers found on it."""
    inspection = inspections.get(session, principal, inspection_id)
    return answer(
        inspections.to_out(inspection)
        | {"danger_ids": [d.id for d in inspections.found_on(session, inspection)]}
    )

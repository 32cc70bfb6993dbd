"""Dual-prevention API (JSON): enterprises, risk points and assessments, enforcement plans,
inspections, the risk map layer, Excel exchange; hidden dangers and the rest in ``api_dangers``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import require
from yingji.core import caching
from yingji.core.deps import Db, DbSession
from yingji.files import answers
from yingji.files.openapi import EXPORT, IMPORT_JOB
from yingji.geo.api import GEOJSON, parse_bbox
from yingji.org import places
from yingji.org.api import read_upload
from yingji.org.params import PageNo, PageSize, page_json, query_code
from yingji.org.schemas import ImportCountsOut
from yingji.risk import api_dangers, assessments, enforcement, enterprises, inspections, maplayer
from yingji.risk.schemas import AssessmentIn, EnterpriseIn, EnterprisePatch, InspectionIn, PlanIn, RiskPointIn
from yingji.risk.tipoffs import api as tipoffs_api

router = APIRouter(prefix="/api/v1", tags=["risk"])
Level = Annotated[str | None, Query(pattern="^(major|high|general|low)$")]


# -- enterprises ----------------------------------------------------------------------------
@router.get("/risk/enterprises")
def list_enterprises(
    principal: CurrentPrincipal,
    session: DbSession,
    q: Annotated[str, Query(max_length=100)] = "",
    within: str | None = None,
    industry: str | None = None,
    enforcement_class: Annotated[str | None, Query(pattern="^[ABCD]$")] = None,
    level: Level = None,
    hazardous: bool | None = None,
    page: PageNo = 1,
    size: PageSize = 50,
) -> dict:
    """Enterprises in scope, with the register's filters."""
    found = enterprises.search(
        session,
        principal,
        q=q,
        within=query_code(within),
        industry=industry,
        enforcement_class=enforcement_class,
        level=level,
        hazardous=hazardous,
        page=page,
        size=size,
    )
    return page_json(found, lambda e: enterprises.to_out(e, principal))


@router.post("/risk/enterprises", status_code=201)
def create_enterprise(data: EnterpriseIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    """Register an enterprise (its enforcement class follows the local classification)."""
    return enterprises.to_out(enterprises.create(session, principal, data), principal)


@router.get("/risk/enterprises/{enterprise_id}")
def get_enterprise(enterprise_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    """One enterprise with its risk points and how many dangers are open."""
    e = enterprises.get(session, principal, enterprise_id)
    points = assessments.search(session, principal, enterprise_id=e.id, size=200).items
    return enterprises.to_out(e, principal) | {
        "risk_points": [assessments.point_out(p, principal) for p in points],
        "open_dangers": enterprises.open_dangers(session, e.id),
    }


@router.patch("/risk/enterprises/{enterprise_id}")
def update_enterprise(
    enterprise_id: int, patch: EnterprisePatch, principal: CurrentPrincipal, session: DbSession
) -> dict:
    """Change an enterprise; the class is recomputed unless set by hand."""
    return enterprises.to_out(enterprises.update(session, principal, enterprise_id, patch), principal)


@router.post("/risk/enterprises/import", response_model=ImportCountsOut, responses=IMPORT_JOB)
async def import_enterprises(
    request: Request, file: UploadFile, principal: CurrentPrincipal, session: DbSession
) -> Response:
    """An .xlsx of the register: all rows or none (422 with the row errors). A large file is
    imported by a file job: 202 with the job, whose page shows the result row by row."""
    data = await read_upload(request, file)
    job = await answers.import_job(request, session, principal, "risk_enterprises", data, file.filename)
    if job is not None:
        return answers.job_answer(request, job)
    result = await answers.import_now(request, session, principal, "risk_enterprises", data, file.filename)
    return JSONResponse(result.as_dict())


@router.get("/risk/enterprises.xlsx", response_class=Response, responses=EXPORT, response_model=None)
def export_enterprises(
    request: Request, principal: CurrentPrincipal, session: DbSession, db: Db, within: str | None = None
) -> Response:
    """The register in scope as .xlsx (the import's columns); the export is audited. A large one
    (more rows than YINGJI_EXPORT_JOB_ROWS) is written by a file job: 202 with the job."""
    code = query_code(within)
    if code:
        places.get(session, principal, code)
    return answers.export(
        request, session, db, principal, "risk_enterprises", {"within": code}, jurisdiction_code=code
    )


# -- risk points and assessments ------------------------------------------------------------
@router.get("/risk/score")
def score(
    principal: CurrentPrincipal,
    session: DbSession,
    method: Annotated[str, Query(pattern="^(LEC|LS)$")],
    l: float,  # noqa: E741 - the factor's name
    e: float | None = None,
    c: float | None = None,
    s: float | None = None,
    place: str | None = None,
) -> dict:
    """Score L·E·C or L·S under the banding in force at ``place`` (default: one's own), no write."""
    require(principal, Perm.ORG_READ)
    code = query_code(place) or principal.jurisdiction_code
    if code:
        places.get(session, principal, code)
    result = assessments.evaluate(session, code, AssessmentIn(method=method, l=l, e=e, c=c, s=s))
    return {
        "method": result.method,
        "score": result.score,
        "band": result.band,
        "level": result.level,
        "banding": result.banding,
    }


@router.get("/risk/points")
def list_points(
    principal: CurrentPrincipal,
    session: DbSession,
    enterprise_id: int | None = None,
    public: bool = False,
    within: str | None = None,
    level: Level = None,
    page: PageNo = 1,
    size: PageSize = 50,
) -> dict:
    """Risk points in scope (of an enterprise, or public places only)."""
    found = assessments.search(
        session,
        principal,
        enterprise_id=enterprise_id,
        public_only=public,
        within=query_code(within),
        level=level,
        page=page,
        size=size,
    )
    return page_json(found, lambda p: assessments.point_out(p, principal))


@router.post("/risk/points", status_code=201)
def create_point(data: RiskPointIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    """Add a risk point to an enterprise or a public place."""
    return assessments.point_out(assessments.create_point(session, principal, data), principal)


@router.get("/risk/points/{point_id}")
def get_point(point_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    """One risk point with its assessment history."""
    point = assessments.get(session, principal, point_id)
    return assessments.point_out(point, principal) | {
        "assessments": [assessments.assessment_out(a) for a in assessments.history(session, point)]
    }


@router.post("/risk/points/{point_id}/assessments", status_code=201)
def assess_point(point_id: int, data: AssessmentIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    """Record an LEC or LS assessment of a risk point under the local banding."""
    return assessments.assessment_out(assessments.assess(session, principal, point_id, data))


# -- planned enforcement and inspections ----------------------------------------------------
@router.get("/risk/plans")
def list_plans(principal: CurrentPrincipal, session: DbSession, year: int | None = None) -> list[dict]:
    """Enforcement plans of one's area and of the levels above."""
    return [
        {"id": p.id, "year": p.year, "jurisdiction_code": p.jurisdiction_code, "name": p.name}
        for p in enforcement.search(session, principal, year=year)
    ]


@router.post("/risk/plans", status_code=201)
def generate_plan(data: PlanIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    """Make or complete the yearly plan: every key-class enterprise, a share of the others."""
    plan, added = enforcement.generate(session, principal, data.jurisdiction_code, data.year)
    return {"id": plan.id, "year": plan.year, "jurisdiction_code": plan.jurisdiction_code, "added": added} | {
        "coverage": enforcement.coverage(session, principal, plan)
    }


@router.get("/risk/plans/{plan_id}")
def get_plan(
    plan_id: int, principal: CurrentPrincipal, session: DbSession, month: int | None = None, page: PageNo = 1
) -> dict:
    """A plan with its coverage per class and its items in one's scope."""
    plan = enforcement.get(session, principal, plan_id)
    found = enforcement.items(session, principal, plan, month=month, page=page)
    return {
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


@router.post("/risk/inspections", status_code=201)
def record_inspection(data: InspectionIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    """Record an inspection visit and the hidden dangers found on it."""
    inspection = inspections.record(session, principal, data)
    return inspections.to_out(inspection) | {
        "danger_ids": [d.id for d in inspections.found_on(session, inspection)]
    }


@router.get("/risk/inspections")
def list_inspections(
    principal: CurrentPrincipal, session: DbSession, enterprise_id: int | None = None, page: PageNo = 1
) -> dict:
    """Inspection records in scope, newest first."""
    return page_json(
        inspections.search(session, principal, enterprise_id=enterprise_id, page=page), inspections.to_out
    )


@router.get("/risk/inspections/{inspection_id}")
def get_inspection(inspection_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    """One inspection record with the dangers found on it."""
    inspection = inspections.get(session, principal, inspection_id)
    return inspections.to_out(inspection) | {
        "danger_ids": [d.id for d in inspections.found_on(session, inspection)]
    }


# -- the four-colour map layer --------------------------------------------------------------
@router.get("/map/risk", response_class=Response, responses=GEOJSON, response_model=None)
def risk_map(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    bbox: str | None = None,
    min_level: Level = None,
) -> Response:
    """Enterprises and public-place risk points coloured by their highest level (GeoJSON)."""
    body, count, truncated = maplayer.features(session, principal, parse_bbox(bbox), min_level)
    return caching.cached(
        request,
        body,
        media_type=caching.GEOJSON,
        headers={"X-Feature-Count": str(count), "X-Truncated": str(truncated).lower()},
    )


router.include_router(api_dangers.router)
router.include_router(tipoffs_api.router)

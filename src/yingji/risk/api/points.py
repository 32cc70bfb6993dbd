"""Risk points API: scoring (L·E·C, L·S), risk points and their assessments."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import require
from yingji.core.deps import DbSession
from yingji.org import places
from yingji.org.params import PageNo, PageSize, page_json, query_code
from yingji.risk import assessments
from yingji.risk.schemas import (
    AssessmentIn,
    AssessmentOut,
    Level,
    RiskPointDetailOut,
    RiskPointIn,
    RiskPointOut,
    RiskPointPage,
    ScoreOut,
    answer,
)

router = APIRouter()


# -- risk points and assessments ------------------------------------------------------------
@router.get("/risk/score", response_model=ScoreOut)
def score(
    principal: CurrentPrincipal,
    session: DbSession,
    method: Annotated[str, Query(pattern="^(LEC|LS)$")],
    l: float,  # noqa: E741 - the factor's name
    e: float | None = None,
    c: float | None = None,
    s: float | None = None,
    place: str | None = None,
) -> JSONResponse:
    """Score L·E·C or L·S under the banding in force at ``place`` (default: one's own), no write."""
    require(principal, Perm.ORG_READ)
    code = query_code(place) or principal.jurisdiction_code
    if code:
        places.get(session, principal, code)
    result = assessments.evaluate(session, code, AssessmentIn(method=method, l=l, e=e, c=c, s=s))
    return answer(
        {
            "method": result.method,
            "score": result.score,
            "band": result.band,
            "level": result.level,
            "banding": result.banding,
        }
    )


@router.get("/risk/points", response_model=RiskPointPage)
def list_points(
    principal: CurrentPrincipal,
    session: DbSession,
    enterprise_id: int | None = None,
    public: bool = False,
    within: str | None = None,
    level: Level = None,
    page: PageNo = 1,
    size: PageSize = 50,
) -> JSONResponse:
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
    return answer(page_json(found, lambda p: assessments.point_out(p, principal)))


@router.post("/risk/points", status_code=201, response_model=RiskPointOut)
def create_point(data: RiskPointIn, principal: CurrentPrincipal, session: DbSession) -> JSONResponse:
    """Add a risk point to an enterprise or a public place."""
    return answer(assessments.point_out(assessments.create_point(session, principal, data), principal), 201)


@router.get("/risk/points/{point_id}", response_model=RiskPointDetailOut)
def get_point(point_id: int, principal: CurrentPrincipal, session: DbSession) -> JSONResponse:
    """One risk point with its assessment history."""
    point = assessments.get(session, principal, point_id)
    return answer(
        assessments.point_out(point, principal)
        | {"assessments": [assessments.assessment_out(a) for a in assessments.history(session, point)]}
    )


@router.post("/risk/points/{point_id}/assessments", status_code=201, response_model=AssessmentOut)
def assess_point(
    point_id: int, data: AssessmentIn, principal: CurrentPrincipal, session: DbSession
) -> JSONResponse:
    """Record an LEC or LS assessment of a risk point under the local banding."""
    return answer(assessments.assessment_out(assessments.assess(session, principal, point_id, data)), 201)

"""Plans API (/api/v1/plans…). Sections by owner, in this order, so that parallel work merges cleanly."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.downloads import audited_download
from yingji.auth.roles import Perm
from yingji.auth.scope import require
from yingji.core import caching
from yingji.core.deps import Db, DbSession
from yingji.core.i18n import current_locale
from yingji.geo.api import GEOJSON, Zoom
from yingji.org import places, sheets
from yingji.org.params import query_code
from yingji.plans import coverage, coverage_out
from yingji.plans.schemas import CoverageOut

router = APIRouter(prefix="/api/v1", tags=["plans"])


# -- registry: plans, versions and documents, lifecycle, filings, clocks, Excel --------------------------


# -- coverage ---------------------------------------------------------------------------------------
Villages = Annotated[
    bool, Query(description="also count 村(社区) plans (a setting: no national text requires them)")
]


def coverage_of(session, principal, within: str | None, villages: bool, gap_limit: int = coverage.GAP_LIMIT):
    """The coverage within a place the principal may see (404 otherwise), default their own."""
    require(principal, Perm.ORG_READ)
    code = coverage_out.scope_of(principal, within)
    if within:
        places.within(session, principal, within)
    optional = {"village"} if villages else set()
    return coverage.compute(session, code, optional=optional, gap_limit=gap_limit), code


@router.get("/plans/coverage", response_model=CoverageOut)
def plan_coverage(
    principal: CurrentPrincipal,
    session: DbSession,
    within: str | None = None,
    villages: Villages = False,
    gap_limit: Annotated[int, Query(ge=0, le=20_000)] = coverage.GAP_LIMIT,
) -> dict:
    """Which places, units and enterprises have the plans they must have (plans in force only): the
    rate per area and rule against the goal, the gaps with the unit responsible, and the event
    categories no special or department plan covers."""
    result, code = coverage_of(session, principal, query_code(within), villages, gap_limit)
    return coverage_out.to_out(result, coverage_out.scope_name(session, code))


@router.get("/plans/coverage/map", responses=GEOJSON, response_model=None)
def plan_coverage_map(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    zoom: Zoom = None,
    villages: Villages = False,
) -> Response:
    """The counties in scope filled by their plan coverage rate against the goal (the one map)."""
    result, _ = coverage_of(session, principal, None, villages, gap_limit=0)
    body, count = coverage_out.geojson(session, result, zoom)
    return caching.cached(request, body, media_type=caching.GEOJSON, headers={"X-Feature-Count": str(count)})


@router.get("/plans/coverage/gaps.xlsx", response_model=None)
def plan_coverage_gaps(
    principal: CurrentPrincipal,
    session: DbSession,
    db: Db,
    within: str | None = None,
    villages: Villages = False,
) -> Response:
    """The gaps (who lacks which plan, who is responsible, on what basis) as .xlsx (audited)."""
    require(principal, Perm.EXPORT)
    result, code = coverage_of(session, principal, query_code(within), villages, gap_limit=100_000)
    names = {a.code: a.name for a in result.areas}
    body = sheets.write(
        coverage_out.GAP_TITLE,
        coverage_out.GAP_COLUMNS,
        coverage_out.gap_rows(result, names),
        current_locale(),
    )
    return audited_download(
        db,
        principal,
        body,
        entity="plans_coverage",
        filename="plan-coverage-gaps.xlsx",
        jurisdiction_code=code,
    )


# -- digital plans: the response part, activation under a plan --------------------------------------

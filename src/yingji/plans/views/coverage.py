"""Plan pages, coverage: the table (area × rule against the goal), the map and the gaps."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from yingji.auth.deps import CurrentPrincipal
from yingji.core.deps import DbSession
from yingji.core.pagination import Page
from yingji.org.params import url_code
from yingji.plans import coverage_out
from yingji.plans.api import coverage_of
from yingji.web.templating import render

router = APIRouter(include_in_schema=False)
PAGE_GAPS = 500  # the page lists this many gaps, 50 a page; the Excel export has them all
GAPS_PER_PAGE = 50


@router.get("/plans/coverage")
def coverage_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    within: str | None = None,
    villages: Annotated[bool, Query()] = False,
    rule: Annotated[str | None, Query(max_length=40, pattern=r"^[a-z_]+$")] = None,
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
):
    """The coverage table (area × rule against the goal), the map and the gaps with who is responsible."""
    result, code = coverage_of(session, principal, url_code(within), villages, gap_limit=PAGE_GAPS)
    out = coverage_out.to_out(result, coverage_out.scope_name(session, code))
    gaps = [g for g in out["gaps"] if not rule or g["rule"] == rule]
    start = (page - 1) * GAPS_PER_PAGE
    gap_page = Page(items=gaps[start : start + GAPS_PER_PAGE], total=len(gaps), page=page, size=GAPS_PER_PAGE)
    ctx = {
        "cov": out,
        "gaps": gap_page,
        "rule": rule or "",
        "within": within or "",
        "villages": villages,
        "rule_labels": {r["key"]: r["label"] for r in out["rules"]},
        "page_gaps": PAGE_GAPS,
    }
    return render(request, "plans/coverage.html", ctx)

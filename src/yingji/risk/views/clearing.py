"""The dynamic-clearing statistics page (动态清零)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from yingji.auth.deps import CurrentPrincipal
from yingji.core.deps import DbSession
from yingji.org.params import url_code
from yingji.risk import clearing
from yingji.risk.views.common import page

router = APIRouter(include_in_schema=False)


@router.get("/risk/clearing")
def clearing_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    within: str | None = None,
    months: Annotated[int, Query(ge=1, le=36)] = 12,
):
    """The dynamic-clearing statistics."""
    rows = clearing.table(session, principal, months=clearing.months_back(months), within=url_code(within))
    ctx = {"rows": rows, "towns": clearing.by_town(rows), "within": within or "", "months": months}
    return page(request, "risk/clearing.html", ctx)

"""Dual-prevention section pages: the section's address, the overview and the four-colour risk map."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import require
from yingji.core.deps import DbSession
from yingji.risk import (
    overview,
    tables,
)
from yingji.risk.views.common import page

router = APIRouter(include_in_schema=False)


@router.get("/risk")
def risk_root() -> RedirectResponse:
    """The section's address leads to its overview."""
    return RedirectResponse("/risk/overview", status_code=303)


@router.get("/risk/overview")
def overview_page(request: Request, principal: CurrentPrincipal, session: DbSession):
    """The dual-prevention overview of one's area."""
    require(principal, Perm.ORG_READ)
    return page(request, "risk/overview.html", {"c": overview.counts(session, principal)})


@router.get("/risk/map")
def map_page(request: Request, principal: CurrentPrincipal, session: DbSession):
    """The four-colour risk map."""
    require(principal, Perm.ORG_READ)
    return page(request, "risk/map.html", {"level_rows": tables.level_rows()})

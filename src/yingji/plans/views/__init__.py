"""Plan pages: one module per meaning, their routers hung on this one (the one ``app.py`` registers):
the registry and a plan's lifecycle (``registry.py``), filings received (``filings.py``), the
working-day calendar (``calendar.py``), the Excel import (``exchange.py``), coverage (``coverage.py``)
and the digital response part (``response.py``); ``common.py`` what they share."""

from __future__ import annotations

from fastapi import APIRouter

from yingji.auth.roles import Perm
from yingji.core.i18n import N_
from yingji.plans.views import calendar, coverage, exchange, filings, registry, response
from yingji.web import nav

router = APIRouter(include_in_schema=False)
router.include_router(registry.router)
router.include_router(filings.router)
router.include_router(calendar.router)
router.include_router(exchange.router)
router.include_router(coverage.router)
router.include_router(response.router)

nav.SECTIONS.insert(
    2,
    nav.NavSection(
        N_("Plan management"),
        (
            nav.NavItem("plans", N_("Emergency plans"), "/plans", Perm.ORG_READ),
            nav.NavItem("plan_coverage", N_("Plan coverage"), "/plans/coverage", Perm.ORG_READ),
            nav.NavItem("drills", N_("Drills"), "/drills", Perm.ORG_READ),
            nav.NavItem("experts", N_("Experts"), "/experts", Perm.ORG_READ),
        ),
    ),
)

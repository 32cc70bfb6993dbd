"""Plans pages. Sections by owner, in this order, so that parallel work merges cleanly."""

from __future__ import annotations

from fastapi import APIRouter

from yingji.auth.roles import Perm
from yingji.core.i18n import N_
from yingji.plans import pages
from yingji.web import nav

router = APIRouter(include_in_schema=False)


# -- registry: plans, versions and documents, lifecycle, filings, clocks, Excel --------------------------
router.include_router(pages.router)
nav.SECTIONS.insert(
    2,
    nav.NavSection(
        N_("Plan management"),
        (
            nav.NavItem("plans", N_("Emergency plans"), "/plans", Perm.ORG_READ),
            nav.NavItem("drills", N_("Drills"), "/drills", Perm.ORG_READ),
            nav.NavItem("experts", N_("Experts"), "/experts", Perm.ORG_READ),
        ),
    ),
)


# -- coverage ---------------------------------------------------------------------------------------


# -- digital plans: the response part, activation under a plan --------------------------------------

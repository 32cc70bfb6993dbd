"""Assessment pages (desk and phone): schemes, a scheme's ranking, a unit's result with its
explanation and hand scoring, the veto records."""

from __future__ import annotations

from fastapi import APIRouter

from yingji.assessment.views import pages, units
from yingji.auth.roles import Perm
from yingji.core.i18n import N_
from yingji.web import nav

nav.register(
    N_("Supervision and assessment"),
    nav.NavItem("assessment", N_("Performance assessment"), "/assessment", Perm.ORG_READ),
)

router = APIRouter(include_in_schema=False)
router.include_router(pages.router)
router.include_router(units.router)

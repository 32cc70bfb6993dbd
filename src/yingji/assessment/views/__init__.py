"""Assessment pages (desk and phone), one module per meaning, their routers hung on this one (the one
``app.py`` registers): schemes, a scheme's ranking and the veto records (``schemes.py``), a unit's
result with its explanation, hand scoring and vetoes (``units.py``); ``common.py`` what they share."""

from __future__ import annotations

from fastapi import APIRouter

from yingji.assessment.views import schemes, units
from yingji.auth.roles import Perm
from yingji.core.i18n import N_
from yingji.web import nav

nav.register(
    N_("Supervision and assessment"),
    nav.NavItem("assessment", N_("Performance assessment"), "/assessment", Perm.ORG_READ),
)

router = APIRouter(include_in_schema=False)
router.include_router(schemes.router)
router.include_router(units.router)

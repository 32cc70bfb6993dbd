"""Drills pages: one module per meaning, their routers hung on this one (the one ``app.py`` registers):
the year's view (``yearly.py``), a drill's records, evaluation and problems (``evaluation.py``), the
drills themselves (``registry.py``), exercise mode (``exercise.py``); ``common.py`` what they share."""

from __future__ import annotations

from fastapi import APIRouter

from yingji.auth.roles import Perm
from yingji.core.i18n import N_
from yingji.drills.views import evaluation, exercise, registry, yearly
from yingji.web import nav

router = APIRouter(include_in_schema=False)
router.include_router(yearly.router)  # calendar, yearly drill plan, compliance, upward report
router.include_router(evaluation.router)  # records, evaluation, problems
router.include_router(registry.router)
router.include_router(exercise.router)

nav.register(
    N_("Plan management"),  # the section plans.views adds (routers load plans first)
    nav.NavItem("exercise", N_("Exercise control"), "/drills/exercise", Perm.DRILLS_CONTROL),
)

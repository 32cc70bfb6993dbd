"""Readiness pages: the scorecards' table and map (``/readiness``), one place's scorecard with its
confirmations by hand (``/readiness/places/{code}``), and the town HQ meetings (``views/meetings.py``).
One router for ``app.py`` (``readiness.views``)."""

from __future__ import annotations

from fastapi import APIRouter

from yingji.auth.roles import Perm
from yingji.core.i18n import N_
from yingji.readiness.views import cards, meetings
from yingji.web import nav

router = APIRouter(include_in_schema=False)
router.include_router(meetings.router)  # /readiness/meetings… before the scorecards' routes
router.include_router(cards.router)

nav.register(
    N_("Supervision and assessment"),
    nav.NavItem("readiness", N_("Readiness scorecards"), "/readiness", Perm.ORG_READ),
)
nav.register(
    N_("Supervision and assessment"),
    nav.NavItem("readiness_meetings", N_("HQ meetings"), "/readiness/meetings", Perm.ORG_READ),
)

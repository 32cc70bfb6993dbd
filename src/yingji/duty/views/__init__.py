"""Duty pages, one module per meaning: ``rosters`` (the board, rosters, calendars), ``desk`` (the
handover log, leader leave, the call log), ``reports`` (routine reports, their settings and special
periods)."""

from __future__ import annotations

from fastapi import APIRouter

from yingji.auth.roles import Perm
from yingji.core.i18n import N_
from yingji.duty.views import desk, reports, rosters
from yingji.web import nav

router = APIRouter(include_in_schema=False)
# The order the routes were registered in before the split.
router.include_router(desk.router)
router.include_router(reports.router)
router.include_router(rosters.router)

DUTY = N_("Duty")
# The board is /duty; the menu links /duty/board so that it is not highlighted on every duty page.
nav.register(DUTY, nav.NavItem("duty", N_("Duty board"), "/duty/board"))
nav.register(DUTY, nav.NavItem("duty-rosters", N_("Rosters"), "/duty/rosters"))
nav.register(DUTY, nav.NavItem("duty-calendar", N_("Duty calendar"), "/duty/calendar"))
nav.register(DUTY, nav.NavItem("duty-handover", N_("Shift handover"), "/duty/handover", Perm.DUTY_REPORT))
nav.register(DUTY, nav.NavItem("duty-calls", N_("Call log"), "/duty/calls", Perm.DUTY_REPORT))
nav.register(DUTY, nav.NavItem("duty-leave", N_("Leader leave"), "/duty/leave"))
nav.register(DUTY, nav.NavItem("duty-reports", N_("Routine reports"), "/duty/reports"))

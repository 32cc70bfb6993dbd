"""Dual-prevention pages (双重预防), one module per meaning: the section's overview and risk map,
local settings, the enterprise register, risk points, planned enforcement and inspections, the
hidden-danger loop, village meetings and dynamic clearing. One router for ``app.py`` (``risk.views``);
the nav section is here, the tip-offs' entry too (their pages, ``tipoffs/views.py`` with the public
channel, are mounted as the ``risk.tipoffs`` domain)."""

from __future__ import annotations

from fastapi import APIRouter

from yingji.auth.roles import Perm
from yingji.core.i18n import N_
from yingji.risk.views import (
    clearing,
    dangers,
    enforcement,
    enterprises,
    meetings,
    overview,
    points,
    settings,
)
from yingji.web import nav

router = APIRouter(include_in_schema=False)
SECTION = N_("Dual prevention")  # 双重预防
for _item in (
    nav.NavItem("risk", N_("Dual prevention overview"), "/risk/overview"),
    nav.NavItem("risk-enterprises", N_("Enterprises"), "/risk/enterprises"),
    nav.NavItem("risk-map", N_("Risk map"), "/risk/map"),
    nav.NavItem("risk-dangers", N_("Hidden-danger ledger"), "/risk/dangers"),
    nav.NavItem("risk-report", N_("Report a hidden danger"), "/risk/report", Perm.DANGER_REPORT),
    nav.NavItem("risk-tipoffs", N_("Tip-offs and rewards"), "/risk/tipoffs", Perm.DANGER_MANAGE),
    nav.NavItem("risk-plans", N_("Planned enforcement"), "/risk/plans"),
    nav.NavItem("risk-meetings", N_("Village risk meetings"), "/risk/meetings"),
    nav.NavItem("risk-clearing", N_("Dynamic clearing"), "/risk/clearing"),
    nav.NavItem("risk-settings", N_("Risk settings"), "/risk/settings", Perm.RULES_MANAGE),
):
    nav.register(SECTION, _item)

for _module in (
    overview,
    settings,
    enterprises,
    points,
    enforcement,
    dangers,
    meetings,
    clearing,
):
    router.include_router(_module.router)

"""Dual-prevention API (JSON), one module per meaning: the enterprise register, risk points and
their assessments, planned enforcement and inspections, the risk map layer, hidden dangers, village
meetings, dynamic clearing, local settings, and the tip-offs (``tipoffs/api.py``). One router for
``app.py`` (``risk.api``); the modules are included in the order their routes were written."""

from __future__ import annotations

from fastapi import APIRouter

from yingji.risk.api import clearing, dangers, enforcement, enterprises, map_layer, meetings, points, settings
from yingji.risk.tipoffs import api as tipoffs_api

router = APIRouter(prefix="/api/v1", tags=["risk"])
for _module in (
    enterprises,
    points,
    enforcement,
    map_layer,
    dangers,
    meetings,
    clearing,
    settings,
    tipoffs_api,
):
    router.include_router(_module.router)

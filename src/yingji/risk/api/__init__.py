"""Dual-prevention API (JSON), one module per meaning: the enterprise register, risk points and
their assessments, planned enforcement and inspections, the risk map layer, hidden dangers, village
meetings, dynamic clearing and local settings (the tip-offs' API, ``tipoffs/api.py``, is mounted as the
``risk.tipoffs`` domain). One router for ``app.py`` (``risk.api``); the modules are included in the
order their routes were written."""

from __future__ import annotations

from fastapi import APIRouter

from yingji.risk.api import clearing, dangers, enforcement, enterprises, map_layer, meetings, points, settings

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
):
    router.include_router(_module.router)

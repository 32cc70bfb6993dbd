"""Monitoring API (JSON), one module per meaning: hazard points with their patrols and danger
reports, sensors and their series, the map layer, reading ingest, alarm rules and alarms. One
router for ``app.py`` (``monitoring.api``); the modules are included in the order their routes
were written."""

from __future__ import annotations

from fastapi import APIRouter

from yingji.monitoring.api import alarms, map_layer, points, readings, sensors

router = APIRouter(prefix="/api/v1", tags=["monitoring"])
for _module in (points, sensors, map_layer, readings, alarms):
    router.include_router(_module.router)

"""Drills API (/api/v1/drills…): one module per meaning, their routers hung on this one (the one
``app.py`` registers). The year's view comes first, before the routes of one drill."""

from __future__ import annotations

from fastapi import APIRouter

from yingji.drills.api import exercise, registry, yearly

router = APIRouter(prefix="/api/v1", tags=["drills"])
router.include_router(yearly.router)  # /drills/export, /drills/compliance … before /drills/{drill_id}
router.include_router(registry.router)
router.include_router(exercise.router)

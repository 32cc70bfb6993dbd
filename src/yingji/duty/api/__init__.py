"""Duty API (/api/v1/duty), one module per meaning: ``rosters`` (who is on, the board, gaps, rosters
and their Excel), ``desk`` (handover and call logs), ``reports`` (leader leave, routine reports, their
settings and special periods)."""

from __future__ import annotations

from fastapi import APIRouter

from yingji.duty.api import desk, reports, rosters

router = APIRouter(prefix="/api/v1/duty", tags=["duty"])
# The order the routes were registered in before the split (no path of one shadows another's).
router.include_router(reports.router)
router.include_router(rosters.router)
router.include_router(desk.router)

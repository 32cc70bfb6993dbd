"""Damage pages: processes (list, page, report form for desk and phone, report page) and the officers'
register with its coverage. One router for ``app.py`` (``damage.views``)."""

from __future__ import annotations

from fastapi import APIRouter

from yingji.damage.views import events, officers

router = APIRouter(include_in_schema=False)
router.include_router(officers.router)  # /damage/officers… before /damage/{event_id}
router.include_router(events.router)

"""Shelters pages: one module per meaning, their routers hung on this one (the one ``app.py``
registers): the registry at the desk (``registry.py``), the check-in page on a phone (``field.py``);
``common.py`` what they share."""

from __future__ import annotations

from fastapi import APIRouter

from yingji.shelters.views import field, registry

router = APIRouter(include_in_schema=False)
router.include_router(registry.router)
router.include_router(field.router)

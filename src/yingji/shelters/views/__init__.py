"""Shelters pages: the registry (desk) and the check-in page (phone)."""

from __future__ import annotations

from fastapi import APIRouter

from yingji.shelters.views import phone, registry

router = APIRouter(include_in_schema=False)
router.include_router(registry.router)
router.include_router(phone.router)

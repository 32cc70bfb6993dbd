"""Aid pages (desk and phone): programmes, a programme with its survey, list, notices,
distribution and totals, the village's survey on the phone; rebuilding cases and a case's steps."""

from __future__ import annotations

from fastapi import APIRouter

from yingji.aid.views import programmes, rebuild

router = APIRouter(include_in_schema=False)
router.include_router(programmes.router)
router.include_router(rebuild.router)

"""Aid API (/api/v1/…). Every route declares its ``response_model``."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1", tags=["aid"])

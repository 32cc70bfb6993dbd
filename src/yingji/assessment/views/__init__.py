"""Assessment pages (desk and phone): schemes, a scheme's ranking, a unit's result with its
explanation and hand scoring, the veto records."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)

"""Plans API (/api/v1/plans…). Sections by owner, in this order, so that parallel work merges cleanly."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1", tags=["plans"])


# -- registry: plans, versions and documents, lifecycle, filings, clocks, Excel --------------------------


# -- coverage ---------------------------------------------------------------------------------------


# -- digital plans: the response part, activation under a plan --------------------------------------

"""The four-colour risk map layer (GeoJSON)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from yingji.auth.deps import CurrentPrincipal
from yingji.core import caching
from yingji.core.deps import DbSession
from yingji.geo.api import GEOJSON, parse_bbox
from yingji.risk import maplayer
from yingji.risk.schemas import (
    Level,
)

router = APIRouter()


# -- the four-colour map layer --------------------------------------------------------------
@router.get("/map/risk", response_class=Response, responses=GEOJSON, response_model=None)
def risk_map(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    bbox: str | None = None,
    min_level: Level = None,
) -> Response:
    """Enterprises and public-place risk points coloured by their highest level (GeoJSON)."""
    body, count, truncated = maplayer.features(session, principal, parse_bbox(bbox), min_level)
    return caching.cached(
        request,
        body,
        media_type=caching.GEOJSON,
        headers={"X-Feature-Count": str(count), "X-Truncated": str(truncated).lower()},
    )

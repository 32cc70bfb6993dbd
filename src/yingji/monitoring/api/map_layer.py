"""The hazard-point map layer (GeoJSON)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from yingji.auth.deps import CurrentPrincipal
from yingji.core import caching
from yingji.core.deps import DbSession
from yingji.geo.api import GEOJSON, parse_bbox
from yingji.monitoring import maplayer
from yingji.monitoring.models import HAZARD_KINDS

router = APIRouter()
Kind = Annotated[str | None, Query(pattern="^(" + "|".join(HAZARD_KINDS) + ")$")]


# -- the one map -------------------------------------------------------------------------------------
@router.get("/map/hazards", tags=["map"], response_class=Response, responses=GEOJSON, response_model=None)
def map_hazards(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    bbox: str | None = None,
    kind: Kind = None,
    alarmed: bool = False,
) -> Response:
    """Hazard points as GeoJSON (at most 4,000, alarmed first; ``X-Truncated`` says if cut)."""
    body, count, truncated = maplayer.features(
        session, principal, parse_bbox(bbox), kind=kind, alarmed_only=alarmed
    )
    return caching.cached(
        request,
        body,
        media_type=caching.GEOJSON,
        headers={"X-Feature-Count": str(count), "X-Truncated": str(truncated).lower()},
    )

"""Map data: ``/api/v1/map/...``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from yingji.auth.deps import CurrentPrincipal
from yingji.core.deps import DbSession
from yingji.core.errors import ValidationFailed
from yingji.geo import layers

router = APIRouter(prefix="/api/v1/map", tags=["map"])
Level = Annotated[str, Query(pattern="^(province|city|county|town|village|group)$")]


def parse_bbox(bbox: str | None) -> tuple[float, float, float, float] | None:
    if not bbox:
        return None
    try:
        minx, miny, maxx, maxy = (float(x) for x in bbox.split(","))
    except ValueError:
        raise ValidationFailed(
            details=[{"field": "bbox", "message": "Write minLon,minLat,maxLon,maxLat."}]
        ) from None
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise ValidationFailed(details=[{"field": "bbox", "message": "Write minLon,minLat,maxLon,maxLat."}])
    return minx, miny, maxx, maxy


@router.get("/features")
def map_features(
    principal: CurrentPrincipal, session: DbSession, level: Level, bbox: str | None = None
) -> Response:
    """Divisions of one level as GeoJSON (at most 4,000; header ``X-Truncated`` says if cut)."""
    body, count, truncated = layers.features(session, principal, level, parse_bbox(bbox))
    return Response(
        body,
        media_type="application/geo+json",
        headers={"X-Feature-Count": str(count), "X-Truncated": str(truncated).lower()},
    )


@router.get("/points")
def map_points(
    principal: CurrentPrincipal, session: DbSession, level: Level, bbox: str | None = None
) -> dict:
    """Label points of one level, for clustered markers: ``[[code, name, lon, lat], …]``."""
    return {"level": level, "points": layers.points(session, principal, level, parse_bbox(bbox))}


@router.get("/extent")
def map_extent(principal: CurrentPrincipal, session: DbSession) -> dict:
    return {"bbox": layers.extent(session, principal), "zoom": layers.LEVEL_ZOOM}

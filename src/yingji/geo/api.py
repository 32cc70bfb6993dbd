"""Map data: ``/api/v1/map/...``: boundaries by zoom band, labels, server-side clusters of the large
point layers, and the live alarm and warning layers. Every answer carries an ETag and
``Cache-Control`` (core/caching.py): a pan that asks again gets a 304."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from yingji.auth.deps import CurrentPrincipal
from yingji.core import caching
from yingji.core.clock import to_utc
from yingji.core.deps import DbSession
from yingji.core.errors import ValidationFailed
from yingji.geo import clusters, layers, live
from yingji.geo.schemas import ClustersOut, ExtentOut, LabelsOut

router = APIRouter(prefix="/api/v1/map", tags=["map"])
Level = Annotated[str, Query(pattern="^(province|city|county|town|village|group)$")]
Zoom = Annotated[float | None, Query(ge=0, le=22)]
# Map layers answer pre-serialised GeoJSON bytes (cached by ETag, see core/caching.py), so no
# pydantic model builds them; the schema below tells API users what comes back.
GEOJSON = {
    200: {
        "description": "GeoJSON FeatureCollection",
        "content": {
            "application/geo+json": {
                "schema": {
                    "type": "object",
                    "required": ["type", "features"],
                    "properties": {
                        "type": {"const": "FeatureCollection"},
                        "features": {"type": "array", "items": {"type": "object"}},
                    },
                }
            }
        },
    }
}


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


def parse_range(since: datetime | None, until: datetime | None) -> tuple[datetime | None, datetime | None]:
    """A time filter (ISO 8601; naive is UTC); ``until`` before ``since`` is a 422."""
    since = to_utc(since) if since else None
    until = to_utc(until) if until else None
    if since and until and until <= since:
        raise ValidationFailed(details=[{"field": "until", "message": "The end must be after the start."}])
    return since, until


def _counted(count: int, truncated: bool = False) -> dict[str, str]:
    return {"X-Feature-Count": str(count), "X-Truncated": str(truncated).lower()}


@router.get("/features", response_class=Response, responses=GEOJSON, response_model=None)
def map_features(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    level: Level,
    bbox: str | None = None,
    zoom: Zoom = None,
) -> Response:
    """Divisions of one level as GeoJSON, simplified for the zoom band of ``zoom`` (as stored when
    absent); at most 4,000 (header ``X-Truncated`` says if cut). Cacheable for an hour."""
    shared, count, truncated = layers.shared_features(session, principal, level, parse_bbox(bbox), zoom)
    return shared.response(request, kind=caching.STATIC, headers=_counted(count, truncated))


@router.get("/points", response_model=LabelsOut)
def map_points(
    request: Request, principal: CurrentPrincipal, session: DbSession, level: Level, bbox: str | None = None
) -> Response:
    """Label points of one level (place names on the map): ``[[code, name, lon, lat], …]``."""
    points = layers.points(session, principal, level, parse_bbox(bbox))
    body = json.dumps({"level": level, "points": points}, ensure_ascii=False, separators=(",", ":"))
    return caching.cached(request, body, kind=caching.STATIC)


@router.get("/extent", response_model=ExtentOut)
def map_extent(principal: CurrentPrincipal, session: DbSession) -> dict:
    return {"bbox": layers.extent(session, principal), "zoom": layers.LEVEL_ZOOM}


@router.get("/clusters/{layer}", response_model=ClustersOut)
def map_clusters(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    layer: Literal["hazards", "risk", "teams", "stores", "villages"],
    zoom: Annotated[float, Query(ge=0, le=22)],
    bbox: str | None = None,
) -> Response:
    """A large point layer as grid clusters for the box and zoom (count only), in scope; ``raw``
    when few enough to draw from the layer's own endpoint. The box is widened to whole blocks of
    cells, so a small pan asks the same thing again (and gets a 304)."""
    box = parse_bbox(bbox)
    if box is not None:
        box = clusters.snap_bbox(box, zoom)
    answer = clusters.clusters(session, principal, layer, box, zoom)
    body = json.dumps(answer, separators=(",", ":"))
    return caching.cached(request, body, headers={"X-Feature-Count": str(answer["total"])})


@router.get("/alarms", response_class=Response, responses=GEOJSON, response_model=None)
def map_alarms(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    bbox: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Response:
    """Hazard points with alarms (worst level, how many): open ones, or raised in [since, until)."""
    start, end = parse_range(since, until)
    body, count, truncated = live.alarms(session, principal, parse_bbox(bbox), start, end)
    return caching.cached(request, body, media_type=caching.GEOJSON, headers=_counted(count, truncated))


@router.get("/warnings", response_class=Response, responses=GEOJSON, response_model=None)
def map_warnings(
    request: Request, principal: CurrentPrincipal, session: DbSession, zoom: Zoom = None
) -> Response:
    """Areas of the warnings in force that touch one's jurisdiction, by level (红橙黄蓝)."""
    body, count = live.warnings_in_force(session, principal, zoom)
    return caching.cached(request, body, media_type=caching.GEOJSON, headers=_counted(count))

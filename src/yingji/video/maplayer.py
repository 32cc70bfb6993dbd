"""Cameras on the one map: GeoJSON points with their kind and status, in scope and bounding box."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal, in_scope
from yingji.core.i18n import gettext
from yingji.video import codes
from yingji.video.models import Camera

MAX_CAMERAS = 5000


def cameras_geojson(
    session: Session,
    principal: Principal,
    bbox: tuple[float, float, float, float] | None,
    kind: str | None = None,
) -> tuple[str, int, bool]:
    """A FeatureCollection (as text) of located cameras, its size, and whether it was cut."""
    stmt = select(
        Camera.id, Camera.name, Camera.kind, Camera.status, Camera.lon, Camera.lat, Camera.device_id
    ).where(in_scope(Camera.jurisdiction_code, principal), Camera.active, Camera.lon.is_not(None))
    if bbox is not None:
        minx, miny, maxx, maxy = bbox
        stmt = stmt.where(Camera.lon.between(minx, maxx), Camera.lat.between(miny, maxy))
    if kind:
        stmt = stmt.where(Camera.kind == kind)
    rows = session.execute(stmt.order_by(Camera.id).limit(MAX_CAMERAS + 1)).all()
    truncated = len(rows) > MAX_CAMERAS
    kinds = {k.value: gettext(v) for k, v in codes.KIND_LABELS.items()}
    states = {k.value: gettext(v) for k, v in codes.STATUS_LABELS.items()}
    features = [
        {
            "type": "Feature",
            "id": r.id,
            "geometry": {"type": "Point", "coordinates": [r.lon, r.lat]},
            "properties": {
                "id": r.id,
                "name": r.name,
                "device_id": r.device_id,
                "kind": r.kind,
                "kind_label": kinds.get(r.kind, r.kind),
                "status": r.status,
                "status_label": states.get(r.status, r.status),
            },
        }
        for r in rows[:MAX_CAMERAS]
    ]
    body = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
    return body, len(features), truncated

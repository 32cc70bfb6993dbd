"""A domain's point layer on the one map (teams, cameras, shelters, stores …): the located rows of a
query in scope, cut to the bounding box and a limit, as GeoJSON text. The map (static/js/map.js)
fetches, clusters and toggles every layer alike."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

Box = tuple[float, float, float, float]


def in_box(stmt, model, bbox: Box | None):
    """``stmt`` kept to the rows of ``model`` whose lon/lat lie in the box (no box: all)."""
    if bbox is None:
        return stmt
    minx, miny, maxx, maxy = bbox
    return stmt.where(model.lon.between(minx, maxx), model.lat.between(miny, maxy))


def collection(features: list[dict], **dumps: Any) -> str:
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, **dumps)


def layer(session: Session, stmt, limit: int, properties: Callable[[Any], dict]) -> tuple[str, int, bool]:
    """(FeatureCollection text, its size, whether it was cut at ``limit``) of rows with id, lon, lat."""
    rows = session.execute(stmt.limit(limit + 1)).all()
    features = [
        {
            "type": "Feature",
            "id": r.id,
            "geometry": {"type": "Point", "coordinates": [r.lon, r.lat]},
            "properties": properties(r),
        }
        for r in rows[:limit]
    ]
    return collection(features), len(features), len(rows) > limit

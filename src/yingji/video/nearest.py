"""The cameras nearest an incident: a bounding-box prefilter in SQL (widened until enough are found),
then great-circle distances with numpy; plus the village video room of the incident's village."""

from __future__ import annotations

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal, in_scope
from yingji.geo.travel import haversine_km
from yingji.video.codes import CameraKind
from yingji.video.models import Camera

DEFAULT_N = 6
MAX_N = 50
BOXES_DEG = (0.05, 0.2, 0.6)  # ≈ 5, 20, 60 km half-widths at Tongren's latitude


def nearest(
    session: Session, principal: Principal, lon: float, lat: float, n: int = DEFAULT_N
) -> list[tuple[Camera, float]]:
    """Up to ``n`` active cameras in scope nearest (lon, lat), with their distance in metres."""
    n = max(1, min(n, MAX_N))
    rows: list[Camera] = []
    for half in BOXES_DEG:
        stmt = select(Camera).where(
            in_scope(Camera.jurisdiction_code, principal),
            Camera.active,
            Camera.lon.between(lon - half, lon + half),
            Camera.lat.between(lat - half, lat + half),
        )
        rows = list(session.scalars(stmt.limit(5000)))
        if len(rows) >= n:
            break
    if not rows:
        return []
    dist = haversine_km(lon, lat, [c.lon for c in rows], [c.lat for c in rows]) * 1000.0
    order = np.argsort(dist, kind="stable")[:n]
    return [(rows[i], float(dist[i])) for i in order]


def village_room(session: Session, principal: Principal, place_code: str) -> Camera | None:
    """The video room of the village the place lies in (a village or a village group), if any."""
    if len(place_code) < 12:
        return None
    return session.scalar(
        select(Camera)
        .where(
            in_scope(Camera.jurisdiction_code, principal),
            Camera.active,
            Camera.kind == CameraKind.VILLAGE_ROOM.value,
            Camera.jurisdiction_code == place_code[:12],
        )
        .order_by(Camera.id)
        .limit(1)
    )


def distance_m(camera: Camera, lon: float | None, lat: float | None) -> float | None:
    if lon is None or lat is None or camera.lon is None or camera.lat is None:
        return None
    return float(haversine_km(lon, lat, camera.lon, camera.lat)) * 1000.0

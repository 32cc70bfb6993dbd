"""Cameras on the one map: GeoJSON points with their kind and status, in scope and bounding box."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal, in_scope
from yingji.core.i18n import gettext
from yingji.geo import points
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
    stmt = points.in_box(stmt, Camera, bbox)
    if kind:
        stmt = stmt.where(Camera.kind == kind)
    kinds = {k.value: gettext(v) for k, v in codes.KIND_LABELS.items()}
    states = {k.value: gettext(v) for k, v in codes.STATUS_LABELS.items()}

    def properties(r) -> dict:
        return {
            "id": r.id,
            "name": r.name,
            "device_id": r.device_id,
            "kind": r.kind,
            "kind_label": kinds.get(r.kind, r.kind),
            "status": r.status,
            "status_label": states.get(r.status, r.status),
        }

    return points.layer(session, stmt.order_by(Camera.id), MAX_CAMERAS, properties)

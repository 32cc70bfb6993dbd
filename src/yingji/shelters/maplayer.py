"""Shelters on the one map: GeoJSON points with capacity, occupancy and status, in scope and box."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal, in_scope
from yingji.geo import points
from yingji.shelters import labels
from yingji.shelters.models import Shelter

MAX_SHELTERS = 5000


def shelters_geojson(
    session: Session, principal: Principal, bbox: tuple[float, float, float, float] | None
) -> tuple[str, int, bool]:
    """A FeatureCollection (as text) of located shelters, its size, and whether it was cut."""
    stmt = select(
        Shelter.id,
        Shelter.name,
        Shelter.level,
        Shelter.shelter_class,
        Shelter.status,
        Shelter.capacity,
        Shelter.occupancy,
        Shelter.lon,
        Shelter.lat,
    ).where(in_scope(Shelter.jurisdiction_code, principal), Shelter.active, Shelter.lon.is_not(None))
    stmt = points.in_box(stmt, Shelter, bbox)

    def properties(r) -> dict:
        return {
            "id": r.id,
            "name": r.name,
            "level": r.level,
            "level_label": labels.label(labels.LEVEL_LABELS, r.level),
            "class_label": labels.label(labels.CLASS_LABELS, r.shelter_class),
            "status": r.status,
            "status_label": labels.label(labels.STATUS_LABELS, r.status),
            "capacity": r.capacity,
            "occupancy": r.occupancy,
            "free": max(0, r.capacity - r.occupancy),
        }

    return points.layer(session, stmt.order_by(Shelter.id), MAX_SHELTERS, properties)

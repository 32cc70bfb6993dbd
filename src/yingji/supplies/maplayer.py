"""The stores layer of the one map: GeoJSON points with what the popup shows."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal, in_scope
from yingji.geo import points
from yingji.supplies import rules
from yingji.supplies.models import Balance, Warehouse

MAX_STORES = 5000


def stores_geojson(
    session: Session, principal: Principal, bbox: tuple[float, float, float, float] | None
) -> tuple[str, int]:
    """Stores in scope (and in the box) as a FeatureCollection, at most 5,000."""
    units = (
        select(Balance.warehouse_id, func.sum(Balance.qty).label("units"))
        .group_by(Balance.warehouse_id)
        .subquery()
    )
    stmt = (
        select(Warehouse, func.coalesce(units.c.units, 0))
        .outerjoin(units, units.c.warehouse_id == Warehouse.id)
        .where(in_scope(Warehouse.jurisdiction_code, principal), Warehouse.active, Warehouse.lon.is_not(None))
    )
    stmt = points.in_box(stmt, Warehouse, bbox)
    rows = session.execute(stmt.order_by(Warehouse.id).limit(MAX_STORES)).all()
    features = [
        {
            "type": "Feature",
            "id": w.id,
            "geometry": {"type": "Point", "coordinates": [w.lon, w.lat]},
            "properties": {
                "id": w.id,
                "name": w.name,
                "level": w.level,
                "units": int(units_held),
                "area_m2": w.area_m2,
                "area_ok": rules.area_ok(w.level, w.area_m2),
                "road_access": w.road_access,
                "url": f"/supplies/warehouses/{w.id}",
            },
        }
        for w, units_held in rows
    ]
    return points.collection(features), len(features)

"""Where is a point: the deepest division whose polygon contains it.

Descends the tree from the roots: at each level only the children of the division found so far,
whose bounding box holds the point, are tested with shapely — a handful of polygons per level
even at province scale.
"""

from __future__ import annotations

from shapely import Point
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, undefer

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, writable
from yingji.core.errors import ValidationFailed
from yingji.geo.shapes import from_geojson
from yingji.org.models import Jurisdiction


def _children(session: Session, parent: str | None, lon: float, lat: float) -> list[Jurisdiction]:
    """Children of ``parent`` (roots for None) whose bounding box holds the point, or that have none."""
    stmt = (
        select(Jurisdiction)
        .options(undefer(Jurisdiction.geometry))
        .where(
            Jurisdiction.parent_code.is_(None) if parent is None else Jurisdiction.parent_code == parent,
            or_(
                Jurisdiction.min_lon.is_(None),
                and_(
                    Jurisdiction.min_lon <= lon,
                    Jurisdiction.max_lon >= lon,
                    Jurisdiction.min_lat <= lat,
                    Jurisdiction.max_lat >= lat,
                ),
            ),
        )
        .order_by(Jurisdiction.code)
    )
    return list(session.scalars(stmt))


def _search(session: Session, parent: str | None, point: Point, depth: int = 0) -> Jurisdiction | None:
    """Depth-first: a division with a polygon must cover the point; one without (the province row of
    the demo) is passed through and only counts through a covered descendant."""
    if depth > 8:
        return None
    for place in _children(session, parent, point.x, point.y):
        if place.geometry is None:
            below = _search(session, place.code, point, depth + 1)
            if below is not None:
                return below
        elif from_geojson(place.geometry).covers(point):
            return _search(session, place.code, point, depth + 1) or place
    return None


def deepest_at(session: Session, lon: float, lat: float) -> Jurisdiction | None:
    """The deepest division containing (lon, lat), or None outside every known division."""
    return _search(session, None, Point(lon, lat))


def check_point(lon: float | None, lat: float | None) -> None:
    """Both coordinates or neither, and inside the WGS-84 range."""
    if (lon is None) != (lat is None):
        raise ValidationFailed(details=[{"field": "lon", "message": "Give both longitude and latitude."}])
    if lon is not None and not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValidationFailed(details=[{"field": "lon", "message": "The coordinates are out of range."}])


def locate(session: Session, principal: Principal, lon: float, lat: float) -> Jurisdiction:
    """The place of a point the principal may report in; outside every division → 422, outside
    the principal's jurisdiction → 403."""
    check_point(lon, lat)
    place = deepest_at(session, lon, lat)
    if place is None:
        raise ValidationFailed(
            details=[{"field": "lon", "message": "The point lies outside every known division."}]
        )
    writable(principal, place.code, Perm.INCIDENT_REPORT)
    return place

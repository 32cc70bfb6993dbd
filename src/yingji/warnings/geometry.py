"""Warning areas as geometry: CAP polygons and circles to shapely (lon, lat), circles in metres.

CAP writes points as ``lat,lon`` and a circle as ``lat,lon radius_km``; we store circles with the
radius in metres (the Chinese profile's unit) and build them on the sphere with the destination-point
formula, so a 5 km circle is 5 km wide at any latitude (a plain degree buffer would be an ellipse).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from shapely import Polygon, unary_union
from shapely.geometry.base import BaseGeometry

EARTH_RADIUS_M = 6_371_008.8  # IUGG mean radius
CIRCLE_VERTICES = 72


def circle_polygon(lat: float, lon: float, radius_m: float, vertices: int = CIRCLE_VERTICES) -> Polygon:
    """A circle of ``radius_m`` metres around (lat, lon), as a polygon on the sphere."""
    if radius_m <= 0:
        return Polygon()
    phi1 = math.radians(lat)
    lam1 = math.radians(lon)
    delta = radius_m / EARTH_RADIUS_M
    points = []
    for i in range(vertices):
        theta = 2 * math.pi * i / vertices
        phi2 = math.asin(
            math.sin(phi1) * math.cos(delta) + math.cos(phi1) * math.sin(delta) * math.cos(theta)
        )
        lam2 = lam1 + math.atan2(
            math.sin(theta) * math.sin(delta) * math.cos(phi1),
            math.cos(delta) - math.sin(phi1) * math.sin(phi2),
        )
        points.append((math.degrees(lam2), math.degrees(phi2)))
    return Polygon(points)


def polygon_from_latlon(points: Sequence[Sequence[float]]) -> Polygon:
    """A CAP polygon (list of [lat, lon], first = last) as a shapely polygon in (lon, lat)."""
    poly = Polygon([(float(p[1]), float(p[0])) for p in points])
    if not poly.is_valid:
        poly = poly.buffer(0)
    return poly


def area_union(
    polygons: Iterable[Sequence[Sequence[float]]], circles: Iterable[Sequence[float]]
) -> BaseGeometry:
    """Union of polygons ([[lat, lon], …]) and circles ([lat, lon, radius_m])."""
    shapes: list[BaseGeometry] = [polygon_from_latlon(p) for p in polygons if len(p) >= 4]
    shapes += [circle_polygon(float(c[0]), float(c[1]), float(c[2])) for c in circles]
    shapes = [s for s in shapes if not s.is_empty]
    if not shapes:
        return Polygon()
    return unary_union(shapes)

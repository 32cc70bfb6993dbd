"""Partitioning polygons and writing compact GeoJSON.

Used by the demo to give towns, villages and village groups deterministic areas inside their
real county polygon: seeds spread by Lloyd relaxation, then a clipped Voronoi partition.
"""

from __future__ import annotations

import json

import numpy as np
import shapely
from shapely.geometry import MultiPoint, shape
from shapely.geometry.base import BaseGeometry

PRECISION = 5  # decimal degrees: ~1 m, plenty for a map and a point-in-polygon test


def from_geojson(geometry: dict | str) -> BaseGeometry:
    geom = shape(json.loads(geometry) if isinstance(geometry, str) else geometry)
    return geom if geom.is_valid else shapely.make_valid(geom)


def to_geojson(geom: BaseGeometry) -> str:
    rounded = shapely.transform(geom, lambda xy: np.round(xy, PRECISION))
    return shapely.to_geojson(rounded)


def random_points_in(polygon: BaseGeometry, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` uniform random points inside ``polygon`` (rejection sampling, vectorised)."""
    if n <= 0:
        return np.empty((0, 2))
    minx, miny, maxx, maxy = polygon.bounds
    shapely.prepare(polygon)
    found: list[np.ndarray] = []
    have = 0
    area_ratio = max(polygon.area / max((maxx - minx) * (maxy - miny), 1e-12), 0.05)
    for _ in range(100):
        k = int((n - have) / area_ratio * 1.5) + 8
        xy = np.column_stack([rng.uniform(minx, maxx, k), rng.uniform(miny, maxy, k)])
        inside = xy[shapely.contains_xy(polygon, xy[:, 0], xy[:, 1])]
        found.append(inside)
        have += len(inside)
        if have >= n:
            break
    points = np.concatenate(found)[:n]
    if len(points) < n:  # a sliver polygon: fall back to points on its surface
        extra = np.array([polygon.representative_point().coords[0]] * (n - len(points)))
        points = np.concatenate([points, extra + rng.normal(0, 1e-6, extra.shape)])
    return points


def voronoi_cells(polygon: BaseGeometry, seeds: np.ndarray) -> np.ndarray:
    """One polygonal cell per seed (same order), clipped to ``polygon``."""
    if len(seeds) == 1:
        return np.array([polygon], dtype=object)
    cells = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=polygon, ordered=True)
    parts = np.array(shapely.get_parts(cells), dtype=object)
    if len(parts) != len(seeds):  # duplicate seeds collapse: nudge and retry
        jitter = np.random.default_rng(len(seeds)).normal(0, 1e-7, seeds.shape)
        return voronoi_cells(polygon, seeds + jitter)
    clipped = shapely.intersection(parts, polygon)
    return np.array([_polygonal(g) for g in clipped], dtype=object)


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    polys = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(polys) if polys else geom.buffer(1e-5)


def partition(
    polygon: BaseGeometry, n: int, rng: np.random.Generator, relax: int = 2
) -> tuple[np.ndarray, np.ndarray]:
    """Split ``polygon`` into ``n`` compact cells. Returns (cells, label points)."""
    seeds = random_points_in(polygon, n, rng)
    cells = voronoi_cells(polygon, seeds)
    for _ in range(relax):
        centroids = shapely.get_coordinates(shapely.point_on_surface(cells)) if n > 1 else seeds
        seeds = shapely.get_coordinates(shapely.centroid(cells))
        # A centroid can fall outside a concave cell; keep those seeds on the cell's surface.
        outside = ~shapely.contains_xy(polygon, seeds[:, 0], seeds[:, 1])
        seeds[outside] = centroids[outside]
        cells = voronoi_cells(polygon, seeds)
    labels = shapely.get_coordinates(shapely.point_on_surface(cells))
    return cells, labels

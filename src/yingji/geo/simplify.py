"""Boundaries simplified for a zoom band, coordinates rounded, computed once per shape and band.

A county outline as stored is ~135 KB of GeoJSON; at city zoom a pixel is ~500 m wide, so most of
its vertices fall on the same pixel. Each zoom band has a tolerance (about a third of a pixel at the
band's closest zoom) and a number of decimals (a tenth of that tolerance is plenty). The simplified
text is kept in memory keyed on the code, the band and a checksum of the stored text, so an edited
boundary is simplified again and an unchanged one costs one checksum.
"""

from __future__ import annotations

import json
import threading
import zlib
from collections import OrderedDict

import numpy as np
import shapely
from shapely.geometry import mapping

# band → (lowest zoom of the band, tolerance in degrees, decimals kept)
BANDS: dict[int, tuple[float, float, int]] = {
    0: (0, 0.004, 3),  # province / city overview (zoom < 9)
    1: (9, 0.001, 4),  # county (9–10)
    2: (11, 0.0002, 5),  # town (11–12)
    3: (13, 0.0, 5),  # village and closer: as stored, rounded
}
CACHE_SIZE = 40_000  # shapes × bands; villages at band 2–3 dominate

_cache: OrderedDict[tuple[str, int, int], str] = OrderedDict()
_lock = threading.Lock()


def band_of(zoom: float | None) -> int:
    """The band of a zoom level (None: the finest)."""
    if zoom is None:
        return max(BANDS)
    band = 0
    for b, (low, _tol, _dec) in BANDS.items():
        if zoom >= low:
            band = b
    return band


def _round(geom, decimals: int):
    coords = shapely.get_coordinates(geom)
    return shapely.set_coordinates(geom, np.round(coords, decimals))


def simplify_text(geometry: str, band: int) -> str:
    """GeoJSON geometry text simplified for ``band``."""
    _low, tolerance, decimals = BANDS[band]
    geom = shapely.from_geojson(geometry)
    if tolerance:
        simpler = shapely.simplify(geom, tolerance, preserve_topology=True)
        if not simpler.is_empty:
            geom = simpler
    geom = _round(geom, decimals)
    return json.dumps(mapping(geom), separators=(",", ":"))


def simplified(code: str, geometry: str, band: int) -> str:
    """The cached simplified text of one stored shape."""
    key = (code, band, zlib.crc32(geometry.encode()))
    with _lock:
        text = _cache.get(key)
        if text is not None:
            _cache.move_to_end(key)
            return text
    text = simplify_text(geometry, band)
    with _lock:
        _cache[key] = text
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return text


def vertices(geometry_text: str) -> int:
    """How many vertices a GeoJSON geometry has (tests, the bench)."""
    return int(shapely.get_num_coordinates(shapely.from_geojson(geometry_text)))

"""Map layers of the organisation: divisions and grid cells as GeoJSON, villages as points.

Geometry is stored as GeoJSON text and spliced into the response as is: no parse, no re-dump.
"""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal, in_scope
from yingji.core import caching
from yingji.core.compress import Shared
from yingji.core.pagecache import ScopedCache
from yingji.geo.simplify import band_of, simplified
from yingji.org.models import Jurisdiction

MAX_FEATURES = 4000
# A level's shapes in a box are the same for every user of one jurisdiction (a city's duty room
# opens the same first view): built and compressed once, dropped at the commit of any division
# write (in this process, and on PostgreSQL in the others; SHAPES_SECONDS at most elsewhere).
SHAPES_SECONDS = 300.0
shapes = ScopedCache("geo.features", {"jurisdictions"}, SHAPES_SECONDS, entries=64)
LEVEL_ZOOM = {"county": 0, "town": 9, "village": 11, "group": 13}


def _bbox_filter(stmt, bbox: tuple[float, float, float, float] | None):
    if bbox is None:
        return stmt
    minx, miny, maxx, maxy = bbox
    return stmt.where(
        Jurisdiction.max_lon >= minx,
        Jurisdiction.min_lon <= maxx,
        Jurisdiction.max_lat >= miny,
        Jurisdiction.min_lat <= maxy,
    )


def features(
    session: Session,
    principal: Principal,
    level: str,
    bbox: tuple[float, float, float, float] | None,
    zoom: float | None = None,
) -> tuple[str, int, bool]:
    """A GeoJSON FeatureCollection (as text), its size, and whether it was cut at the limit.
    Shapes are simplified for the zoom band of ``zoom`` (as stored, rounded, without one)."""
    band = band_of(zoom)
    stmt = select(
        Jurisdiction.code,
        Jurisdiction.name,
        Jurisdiction.level,
        Jurisdiction.lon,
        Jurisdiction.lat,
        Jurisdiction.geometry,
    ).where(
        Jurisdiction.level == level,
        Jurisdiction.geometry.is_not(None),
        in_scope(Jurisdiction.code, principal),
    )
    rows = session.execute(_bbox_filter(stmt, bbox).order_by(Jurisdiction.code).limit(MAX_FEATURES + 1)).all()
    truncated = len(rows) > MAX_FEATURES
    parts = []
    for code, name, lvl, lon, lat, geometry in rows[:MAX_FEATURES]:
        props = json.dumps(
            {"code": code, "name": name, "level": lvl, "lon": _r(lon), "lat": _r(lat)},
            ensure_ascii=False,
            separators=(",", ":"),
        )
        shape = simplified(code, geometry, band)
        parts.append(f'{{"type":"Feature","id":"{code}","geometry":{shape},"properties":{props}}}')
    body = '{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}"
    return body, len(parts), truncated


def shared_features(
    session: Session,
    principal: Principal,
    level: str,
    bbox: tuple[float, float, float, float] | None,
    zoom: float | None = None,
) -> tuple[Shared, int, bool]:
    """``features`` as a body shared by the users of the principal's jurisdiction."""

    def build() -> tuple[Shared, int, bool]:
        body, count, truncated = features(session, principal, level, bbox, zoom)
        return Shared(body, caching.GEOJSON), count, truncated

    # the database in the key: a test process opens several with the same division codes
    key = (str(session.get_bind().url), level, bbox, band_of(zoom))
    return shapes.get_or_build(principal.jurisdiction_code or "", build, key=key)


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 5)


def shapes_of(session: Session, codes: list[str]) -> str | None:
    """The divisions ``codes`` as a GeoJSON FeatureCollection (text), or None when none has a shape
    (a warning's geocoded area on its page; the page already checked that the user may see it)."""
    if not codes:
        return None
    rows = session.execute(
        select(Jurisdiction.code, Jurisdiction.name, Jurisdiction.geometry).where(
            Jurisdiction.code.in_(sorted(set(codes))[:MAX_FEATURES]), Jurisdiction.geometry.is_not(None)
        )
    ).all()
    if not rows:
        return None
    parts = [
        f'{{"type":"Feature","id":"{code}","geometry":{geometry},"properties":'
        f"{json.dumps({'code': code, 'name': name}, ensure_ascii=False)}}}"
        for code, name, geometry in rows
    ]
    return '{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}"


def points(
    session: Session, principal: Principal, level: str, bbox: tuple[float, float, float, float] | None
) -> list[list]:
    """[code, name, lon, lat] rows for clustering markers."""
    stmt = select(Jurisdiction.code, Jurisdiction.name, Jurisdiction.lon, Jurisdiction.lat).where(
        Jurisdiction.level == level, Jurisdiction.lon.is_not(None), in_scope(Jurisdiction.code, principal)
    )
    if bbox is not None:
        minx, miny, maxx, maxy = bbox
        stmt = stmt.where(Jurisdiction.lon.between(minx, maxx), Jurisdiction.lat.between(miny, maxy))
    rows = session.execute(stmt.order_by(Jurisdiction.code).limit(50_000))
    return [[code, name, _r(lon), _r(lat)] for code, name, lon, lat in rows]


def extent(session: Session, principal: Principal) -> list[float] | None:
    """[minx, miny, maxx, maxy] of what the principal sees, to open the map on it."""
    j = session.get(Jurisdiction, principal.jurisdiction_code) if principal.jurisdiction_code else None
    if j is None or j.min_lon is None:
        return None
    return [j.min_lon, j.min_lat, j.max_lon, j.max_lat]

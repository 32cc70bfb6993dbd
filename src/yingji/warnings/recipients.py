"""Who a warning would reach, for the compose page: the delivery domain's preview (counts by
channel and by town) when it is installed, else the grid cells our own area intersection finds."""

from __future__ import annotations

import importlib

from shapely import from_geojson
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from yingji.org.models import GridCell, Jurisdiction
from yingji.warnings.models import Warning


def _delivery_preview():
    try:
        module = importlib.import_module("yingji.delivery.targeting")
    except ImportError:
        return None
    return getattr(module, "preview", None)


def cells_in_area(session: Session, warning: Warning) -> dict:
    """Grid cells under the area's division codes or whose place intersects its drawn geometry."""
    codes = warning.area_codes()
    area = warning.area_geometry()
    places: set[str] = set()
    if not area.is_empty:
        min_lon, min_lat, max_lon, max_lat = area.bounds
        rows = session.execute(
            select(Jurisdiction.code, Jurisdiction.geometry).where(
                Jurisdiction.level == "village",
                Jurisdiction.code.startswith(warning.jurisdiction_code),
                Jurisdiction.max_lon >= min_lon,
                Jurisdiction.min_lon <= max_lon,
                Jurisdiction.max_lat >= min_lat,
                Jurisdiction.min_lat <= max_lat,
            )
        ).all()
        places = {code for code, geo in rows if geo and from_geojson(geo).intersects(area)}
    prefixes = list(places) + codes
    if not prefixes:
        return {"source": "warnings", "cells": 0, "villages": 0, "by_channel": {}, "by_town": {}}
    conds = [GridCell.jurisdiction_code.startswith(p) for p in prefixes]
    cells = session.scalars(select(GridCell.jurisdiction_code).where(or_(*conds))).all()
    by_town: dict[str, int] = {}
    for code in cells:
        by_town[code[:9]] = by_town.get(code[:9], 0) + 1
    villages = {c[:12] for c in cells if len(c) >= 12}
    return {
        "source": "warnings",
        "cells": len(cells),
        "villages": len(villages),
        "by_channel": {},
        "by_town": by_town,
    }


def preview(session: Session, warning: Warning) -> dict:
    """Counts by channel and by town from delivery, or the cell count of our own intersection."""
    delivered = _delivery_preview()
    if delivered is not None:
        try:
            result = dict(delivered(session, warning))
        except ImportError:
            result = None
        if result is not None:
            result.setdefault("source", "delivery")
            return result
    return cells_in_area(session, warning)

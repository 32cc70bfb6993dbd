"""Large point layers as clusters computed on the server: a grid in degrees sized for the zoom,
one SQL ``GROUP BY`` of the cell indices (portable: integer casts, no spatial extension), scoped.
The grid of the whole scope is kept half a minute, then cut to the box. Below ``RAW_LIMIT`` points
in the box, or from ``RAW_ZOOM`` on, the client asks the layer's own endpoint for the raw points
instead (the answer says ``raw``).

A cluster is ``[lon, lat, count, hot]`` at the mean of its points: a count and no colour, so on the
map only status colours (grade, level, readiness) mean something. ``hot`` counts the points whose
status must not hide in a count (major risks of the four-colour map; 0 for other layers): the map
writes it in red beside the count.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from sqlalchemy import Integer, case, cast, func, literal, select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal, in_scope
from yingji.monitoring.models import PointStatus
from yingji.risk.models import EnterpriseStatus

CELL_PX = 64  # a cluster stands for the points of a ~64-pixel square
# The grid of a whole jurisdiction is kept a short while per (layer, scope, zoom): a pan then costs
# a filter in memory, not a scan of 70,000 rows. Half a minute old at most; these layers (hazard
# points, enterprises, villages, teams, stores) change by the day, and the live ones are not here.
KEEP_S = 30.0
KEEP_ENTRIES = 128
RAW_LIMIT = 300  # fewer points than this in the box: draw them, don't cluster
RAW_ZOOM = 14  # from this zoom on a screen holds few enough points


def cell_degrees(zoom: float) -> float:
    """The side of a grid cell in degrees at ``zoom`` (256-pixel Web Mercator tiles)."""
    return CELL_PX * 360.0 / (256.0 * 2 ** int(zoom))


def snap_bbox(bbox: tuple[float, float, float, float], zoom: float) -> tuple[float, float, float, float]:
    """The box widened to whole blocks of 8×8 cells, so a small pan asks the same URL again."""
    block = cell_degrees(zoom) * 8
    minx, miny, maxx, maxy = bbox

    def down(v: float, offset: float) -> float:
        return int((v + offset) / block) * block - offset

    return (
        max(-180.0, round(down(minx, 180), 6)),
        max(-90.0, round(down(miny, 90), 6)),
        min(180.0, round(down(maxx, 180) + block, 6)),
        min(90.0, round(down(maxy, 90) + block, 6)),
    )


# -- the layers: (model, lon column, lat column, extra where clauses[, hot condition]) ------------------
MAJOR = 4  # risk/tables.py: major 4 … low 1


def _hazards():
    from yingji.monitoring.models import HazardPoint

    return [(HazardPoint, HazardPoint.lon, HazardPoint.lat, [HazardPoint.status == PointStatus.ACTIVE])]


def _risk():
    from yingji.risk.models import Enterprise, RiskPoint

    return [
        (
            Enterprise,
            Enterprise.lon,
            Enterprise.lat,
            [Enterprise.status != EnterpriseStatus.CLOSED],
            Enterprise.risk_rank >= MAJOR,
        ),
        (
            RiskPoint,
            RiskPoint.lon,
            RiskPoint.lat,
            [RiskPoint.enterprise_id.is_(None), RiskPoint.active],
            RiskPoint.risk_rank >= MAJOR,
        ),
    ]


def _teams():
    from yingji.forces.models import Team

    return [(Team, Team.lon, Team.lat, [Team.active])]


def _stores():
    from yingji.supplies.models import Warehouse

    return [(Warehouse, Warehouse.lon, Warehouse.lat, [Warehouse.active])]


def _villages():
    from yingji.org.models import Jurisdiction

    return [(Jurisdiction, Jurisdiction.lon, Jurisdiction.lat, [Jurisdiction.level == "village"])]


LAYERS: dict[str, Callable[[], list]] = {
    "hazards": _hazards,
    "risk": _risk,
    "teams": _teams,
    "stores": _stores,
    "villages": _villages,
}


def _scope_column(model):
    return model.code if model.__tablename__ == "jurisdictions" else model.jurisdiction_code


_kept: OrderedDict[tuple[str, str, int], tuple[float, list[list]]] = OrderedDict()
_kept_lock = threading.Lock()


def forget() -> None:
    """Drop the kept grids (tests that add points and count them again at once)."""
    with _kept_lock:
        _kept.clear()


def _grid(session: Session, principal: Principal, layer: str, zoom: int) -> list[list]:
    """Every cell of the layer in the principal's scope: ``[lon, lat, count, hot]``, kept a while."""
    key = (layer, principal.jurisdiction_code, zoom)
    now = time.monotonic()
    with _kept_lock:
        hit = _kept.get(key)
        if hit is not None and now - hit[0] < KEEP_S:
            return hit[1]
    cells = _count_cells(session, principal, layer, zoom)
    with _kept_lock:
        _kept[key] = (now, cells)
        _kept.move_to_end(key)
        while len(_kept) > KEEP_ENTRIES:
            _kept.popitem(last=False)
    return cells


def _count_cells(session: Session, principal: Principal, layer: str, zoom: int) -> list[list]:
    cell = cell_degrees(zoom)
    cells: dict[tuple[int, int], list] = {}
    for model, lon, lat, where, *hot in LAYERS[layer]():
        conds = [in_scope(_scope_column(model), principal), lon.is_not(None), lat.is_not(None), *where]
        # +180/+90 keeps the values positive; the cast truncates on SQLite and rounds on PostgreSQL:
        # either way one fixed grid, and every point falls in exactly one cell
        cx = cast((lon + 180.0) / cell, Integer).label("cx")
        cy = cast((lat + 90.0) / cell, Integer).label("cy")
        hot_sum = func.sum(case((hot[0], 1), else_=0)) if hot else literal(0)
        stmt = (
            select(
                cx, cy, func.count().label("n"), func.sum(lon).label("sx"), func.sum(lat).label("sy"), hot_sum
            )
            .where(*conds)
            .group_by(cx, cy)
        )
        for x, y, n, sx, sy, h in session.execute(stmt):
            acc = cells.setdefault((x, y), [0, 0.0, 0.0, 0])
            acc[0] += n
            acc[1] += sx
            acc[2] += sy
            acc[3] += int(h or 0)
    return [
        [round(sx / n, 5), round(sy / n, 5), n, h] for (n, sx, sy, h) in (cells[k] for k in sorted(cells))
    ]


def clusters(
    session: Session,
    principal: Principal,
    layer: str,
    bbox: tuple[float, float, float, float] | None,
    zoom: float,
) -> dict:
    """``{layer, zoom, total, raw, cell, clusters: [[lon, lat, count, hot], …]}`` for the box (scoped):
    the cells whose points' mean lies in the box."""
    cells = _grid(session, principal, layer, int(zoom))
    if bbox is not None:
        minx, miny, maxx, maxy = bbox
        cells = [c for c in cells if minx <= c[0] <= maxx and miny <= c[1] <= maxy]
    total = sum(c[2] for c in cells)
    raw = zoom >= RAW_ZOOM or total <= RAW_LIMIT
    return {
        "layer": layer,
        "zoom": int(zoom),
        "total": total,
        "raw": raw,
        "cell": round(cell_degrees(zoom), 6),
        "clusters": [] if raw else cells,
    }

"""Targeting: a warning's area (polygon, circle, division codes) → the grid cells it covers.

Spatial intersection is set-based and descends the tree: towns whose bounding box meets the area are
tested at once with shapely's vectorised predicates; a town inside the area brings its whole subtree
(one code range), a town that only overlaps it is opened and its villages tested the same way, then
their village groups (the level-3 grid cells). A village group counts when the area holds its label
point, or when the overlap is at least ``MIN_OVERLAP`` of the group or of the area (a small circle
round a hazard point inside one group), so a polygon drawn along a boundary does not pick up the
neighbours it merely touches. Division codes take whole subtrees.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from yingji.org import codes as division_codes
from yingji.org.models import GridCell, Jurisdiction

MIN_OVERLAP = 0.05  # share of a village group's area the warning area must cover
CHUNK = 2000  # codes per IN list


@dataclass
class Target:
    """What a warning reaches: level-3 cells (id, code), and the villages and towns they lie in."""

    cells: list[tuple[int, str]] = field(default_factory=list)
    covered: list[str] = field(default_factory=list)  # whole subtrees inside the area (prefixes)

    @property
    def villages(self) -> list[str]:
        return sorted({code[:12] for _, code in self.cells})

    @property
    def towns(self) -> list[str]:
        return sorted({code[:9] for _, code in self.cells})

    def summary(self) -> dict:
        return {
            "cells": len(self.cells),
            "villages": len(self.villages),
            "towns": len(self.towns),
            "covered": self.covered[:50],
        }


def _candidates(session: Session, area: BaseGeometry, level: str, parents: list[str] | None):
    """Rows (code, geometry, lon, lat) of ``level`` whose bbox meets the area, under ``parents``."""
    minx, miny, maxx, maxy = area.bounds
    base = select(Jurisdiction.code, Jurisdiction.geometry, Jurisdiction.lon, Jurisdiction.lat).where(
        Jurisdiction.level == level,
        Jurisdiction.max_lon >= minx,
        Jurisdiction.min_lon <= maxx,
        Jurisdiction.max_lat >= miny,
        Jurisdiction.min_lat <= maxy,
    )
    if parents is None:
        return session.execute(base).all()
    rows = []
    for i in range(0, len(parents), CHUNK):
        rows += session.execute(base.where(Jurisdiction.parent_code.in_(parents[i : i + CHUNK]))).all()
    return rows


def _classify(area: BaseGeometry, rows, leaf: bool) -> tuple[list[str], list[str]]:
    """(inside, partial) codes. At the leaf level partial ones that overlap enough are inside."""
    rows = [r for r in rows if r.geometry]
    if not rows:
        return [], []
    geoms = shapely.from_geojson(np.array([r.geometry for r in rows], dtype=object), on_invalid="ignore")
    valid = ~shapely.is_missing(geoms)
    inside = valid & shapely.contains(area, geoms)
    touching = valid & ~inside & shapely.intersects(area, geoms)
    if leaf:
        idx = np.flatnonzero(touching)
        if len(idx):
            cut = geoms[idx]
            fixed = np.where(shapely.is_valid(cut), cut, shapely.make_valid(cut))
            common = shapely.area(shapely.intersection(area, fixed))
            share = np.maximum(
                common / np.maximum(shapely.area(fixed), 1e-15), common / max(area.area, 1e-15)
            )
            xs = np.array([rows[i].lon if rows[i].lon is not None else np.nan for i in idx], dtype=float)
            ys = np.array([rows[i].lat if rows[i].lat is not None else np.nan for i in idx], dtype=float)
            label_in = shapely.contains_xy(area, xs, ys)
            inside[idx[(share >= MIN_OVERLAP) | label_in]] = True
        return [r.code for r, ok in zip(rows, inside, strict=True) if ok], []
    return (
        [r.code for r, ok in zip(rows, inside, strict=True) if ok],
        [r.code for r, ok in zip(rows, touching, strict=True) if ok],
    )


def spatial_prefixes(session: Session, area: BaseGeometry) -> list[str]:
    """Codes of the maximal subtrees the area covers (towns, villages, or single village groups)."""
    if area is None or area.is_empty:
        return []
    area = area if area.is_valid else shapely.make_valid(area)
    shapely.prepare(area)
    covered: list[str] = []
    inside, partial = _classify(area, _candidates(session, area, "town", None), leaf=False)
    covered += inside
    if partial:
        inside, partial = _classify(area, _candidates(session, area, "village", partial), leaf=False)
        covered += inside
    if partial:
        inside, _ = _classify(area, _candidates(session, area, "group", partial), leaf=True)
        covered += inside
    return sorted(covered)


def code_prefixes(area_codes: list[str]) -> list[str]:
    """Normalised division codes (12-digit or significant form); unknown forms are skipped."""
    out = []
    for raw in area_codes or []:
        try:
            out.append(division_codes.normalise(str(raw)))
        except ValueError:
            continue
    return out


def _minimal(prefixes: list[str]) -> list[str]:
    """Drop prefixes already inside another one."""
    out: list[str] = []
    for p in sorted(set(prefixes), key=lambda c: (len(c), c)):
        if not any(p.startswith(q) for q in out):
            out.append(p)
    return sorted(out)


def cells_under(session: Session, prefixes: list[str]) -> list[tuple[int, str]]:
    """Level-3 grid cells in the given subtrees."""
    cells: list[tuple[int, str]] = []
    for i in range(0, len(prefixes), 200):
        part = prefixes[i : i + 200]
        conds = []
        for p in part:
            low, high = division_codes.subtree_bounds(p)
            conds.append(and_(GridCell.code >= low, GridCell.code < high))
        stmt = select(GridCell.id, GridCell.code).where(GridCell.level == 3, or_(*conds))
        cells += [(r.id, r.code) for r in session.execute(stmt)]
    return sorted(set(cells), key=lambda c: c[1])


def resolve(session: Session, area: BaseGeometry | None, area_codes: list[str] | None = None) -> Target:
    """The level-3 cells a warning reaches, by its geometry and its division codes."""
    prefixes = _minimal(spatial_prefixes(session, area) + code_prefixes(area_codes or []))
    return Target(cells=cells_under(session, prefixes), covered=prefixes)


def resolve_warning(session: Session, warning) -> Target:
    """Targeting of a warning through its agreed interface (``area_geometry()``, ``area_codes()``)."""
    geometry = warning.area_geometry() if hasattr(warning, "area_geometry") else None
    area_codes = list(warning.area_codes()) if hasattr(warning, "area_codes") else []
    return resolve(session, geometry, area_codes)


def names_of(session: Session, codes: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for i in range(0, len(codes), CHUNK):
        rows = session.execute(
            select(Jurisdiction.code, Jurisdiction.name).where(Jurisdiction.code.in_(codes[i : i + CHUNK]))
        )
        out.update({c: n for c, n in rows})
    return out


def count_rows(session: Session, stmt) -> int:
    return session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


def preview(session: Session, warning) -> dict:
    """Who the warning would reach: counts by channel and by town (the compose page's preview)."""
    from yingji.delivery.preview import preview_target

    return preview_target(session, resolve_warning(session, warning))

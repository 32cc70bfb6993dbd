"""Live layers of the one map that no single domain draws: alarms (hazard points with alarms, by
their worst level, open ones or those raised in a time range) and the areas of warnings in force,
filled by level (红橙黄蓝).

Warnings are scoped by area, not by issuer: a town officer sees the city's warning that covers the
town, cut to the town (its shape stands in for the ancestor's), and no area of another town.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from yingji.auth.scope import Principal, in_scope
from yingji.core import clock
from yingji.geo.simplify import band_of, simplified
from yingji.org.models import Jurisdiction

MAX_ALARM_POINTS = 2000
MAX_WARNING_SHAPES = 2000
LEVEL_RANK = {"red": 4, "orange": 3, "yellow": 2, "blue": 1}


def _dump(features: list[dict]) -> str:
    return json.dumps(
        {"type": "FeatureCollection", "features": features}, ensure_ascii=False, separators=(",", ":")
    )


def alarms(
    session: Session,
    principal: Principal,
    bbox: tuple[float, float, float, float] | None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> tuple[str, int, bool]:
    """Hazard points with alarms as GeoJSON: open alarms, or every alarm raised in [since, until)."""
    from yingji.monitoring.alarms import LEVEL_ORDER
    from yingji.monitoring.models import OPEN_STATES, Alarm, HazardPoint

    conds = [in_scope(Alarm.jurisdiction_code, principal), Alarm.hazard_point_id.is_not(None)]
    if since is None and until is None:
        conds.append(Alarm.state.in_(OPEN_STATES))
    if since is not None:
        conds.append(Alarm.raised_at >= since)
    if until is not None:
        conds.append(Alarm.raised_at < until)
    worst = (
        select(
            Alarm.hazard_point_id.label("pid"),
            func.max(LEVEL_ORDER).label("rank"),
            func.count().label("n"),
            func.max(Alarm.raised_at).label("last"),
        )
        .where(*conds)
        .group_by(Alarm.hazard_point_id)
        .subquery()
    )
    stmt = (
        select(
            HazardPoint.id,
            HazardPoint.name,
            HazardPoint.code,
            HazardPoint.lon,
            HazardPoint.lat,
            worst.c.rank,
            worst.c.n,
            worst.c.last,
        )
        .join(worst, worst.c.pid == HazardPoint.id)
        .where(HazardPoint.lon.is_not(None))
    )
    if bbox is not None:
        minx, miny, maxx, maxy = bbox
        stmt = stmt.where(HazardPoint.lon.between(minx, maxx), HazardPoint.lat.between(miny, maxy))
    rows = session.execute(
        stmt.order_by(worst.c.rank.desc(), worst.c.last.desc()).limit(MAX_ALARM_POINTS + 1)
    ).all()
    level_of = {v: k for k, v in LEVEL_RANK.items()}
    feats = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(r.lon, 5), round(r.lat, 5)]},
            "properties": {
                "id": r.id,
                "name": r.name,
                "code": r.code,
                "level": level_of.get(r.rank, "blue"),
                "alarms": r.n,
                "last": r.last.isoformat() if r.last else None,
                "url": f"/monitoring/points/{r.id}",
            },
        }
        for r in rows[:MAX_ALARM_POINTS]
    ]
    return _dump(feats), len(feats), len(rows) > MAX_ALARM_POINTS


def _scoped_codes(codes: list[str], principal: Principal) -> list[str]:
    """Area codes as the principal may see them: inside the scope as they are; an ancestor of the
    principal's own place stands for that place; anything else is dropped."""
    own = principal.jurisdiction_code
    out: list[str] = []
    for code in codes:
        if principal.covers(code):
            out.append(code)
        elif own.startswith(code) and own not in out:
            out.append(own)
    return out


def warnings_in_force(session: Session, principal: Principal, zoom: float | None = None) -> tuple[str, int]:
    """Areas of warnings in force that touch the principal's scope, one feature per division,
    the highest level on top (drawn last)."""
    from yingji.warnings.codes import WarningStatus
    from yingji.warnings.models import Warning, WarningInfo

    now = clock.now()
    own = principal.jurisdiction_code
    ancestors = [own[:n] for n in (2, 4, 6, 9, 12) if n < len(own)]
    stmt = (
        select(Warning)
        .where(
            Warning.status == WarningStatus.PUBLISHED,
            or_(Warning.expires.is_(None), Warning.expires > now),
            or_(in_scope(Warning.jurisdiction_code, principal), Warning.jurisdiction_code.in_(ancestors)),
        )
        .options(selectinload(Warning.infos).selectinload(WarningInfo.areas))
        .order_by(Warning.id)
    )
    best: dict[str, Warning] = {}
    for w in session.scalars(stmt):
        for code in _scoped_codes(w.area_codes(), principal):
            held = best.get(code)
            if held is None or LEVEL_RANK.get(w.level or "", 0) > LEVEL_RANK.get(held.level or "", 0):
                best[code] = w
    if not best:
        return _dump([]), 0
    codes = sorted(best)[:MAX_WARNING_SHAPES]
    band = band_of(zoom)
    rows = session.execute(
        select(Jurisdiction.code, Jurisdiction.name, Jurisdiction.geometry).where(
            Jurisdiction.code.in_(codes), Jurisdiction.geometry.is_not(None)
        )
    ).all()
    rows.sort(key=lambda r: LEVEL_RANK.get(best[r.code].level or "", 0))  # the most serious drawn last
    parts = []
    for code, name, geometry in rows:
        w = best[code]
        props = json.dumps(
            {
                "id": w.id,
                "code": code,
                "place": name,
                "level": w.level,
                "headline": ("【演练】" if w.drill_id else "") + (w.headline or w.event or ""),
                "drill": w.drill_id is not None,
                "url": f"/warnings/{w.id}",
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )
        parts.append(
            f'{{"type":"Feature","geometry":{simplified(code, geometry, band)},"properties":{props}}}'
        )
    return '{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}", len(parts)

"""The four-colour risk map (红橙黄蓝) on the one map: enterprises coloured by the highest level of
their risk points, and the risk points of public places, as GeoJSON points in a bounding box.

The most serious first: with more than the limit in view, red and orange are always drawn and
the answer says it was cut (``X-Truncated``). ``min_level`` thins the map when zoomed out."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal, in_scope
from yingji.geo import points
from yingji.risk import tables
from yingji.risk.models import Enterprise, EnterpriseStatus, RiskPoint

MAX_FEATURES = 4000


def features(
    session: Session,
    principal: Principal,
    bbox: tuple[float, float, float, float] | None,
    min_level: str | None = None,
) -> tuple[str, int, bool]:
    """(FeatureCollection text, number of features, truncated)."""
    min_rank = tables.level_rank(min_level) if min_level else 1
    ent = points.in_box(
        select(
            Enterprise.id,
            Enterprise.name,
            Enterprise.lon,
            Enterprise.lat,
            Enterprise.risk_level,
            Enterprise.risk_rank,
            Enterprise.industry,
            Enterprise.hazardous_chemicals,
            Enterprise.major_hazard,
        ).where(
            in_scope(Enterprise.jurisdiction_code, principal),
            Enterprise.risk_rank >= min_rank,
            Enterprise.lon.is_not(None),
            Enterprise.status != EnterpriseStatus.CLOSED,
        ),
        Enterprise,
        bbox,
    ).order_by(Enterprise.risk_rank.desc(), Enterprise.id)
    pts = points.in_box(
        select(
            RiskPoint.id,
            RiskPoint.name,
            RiskPoint.lon,
            RiskPoint.lat,
            RiskPoint.level,
            RiskPoint.risk_rank,
            RiskPoint.place_kind,
        ).where(
            in_scope(RiskPoint.jurisdiction_code, principal),
            RiskPoint.enterprise_id.is_(None),
            RiskPoint.active,
            RiskPoint.risk_rank >= min_rank,
            RiskPoint.lon.is_not(None),
        ),
        RiskPoint,
        bbox,
    ).order_by(RiskPoint.risk_rank.desc(), RiskPoint.id)
    rows = [("enterprise", r) for r in session.execute(ent.limit(MAX_FEATURES + 1))]
    rows += [("place", r) for r in session.execute(pts.limit(MAX_FEATURES + 1))]
    rows.sort(key=lambda kr: -kr[1].risk_rank)
    truncated = len(rows) > MAX_FEATURES
    industries, kinds = tables.industries(), tables.place_kinds()
    out = []
    for kind, r in rows[:MAX_FEATURES]:
        level = r.risk_level if kind == "enterprise" else r.level
        props = {
            "kind": kind,
            "id": r.id,
            "name": r.name,
            "level": level,
            "colour": tables.level_colour(level),
            "label": tables.level_labels().get(level, ""),
            "what": industries.get(r.industry, "") if kind == "enterprise" else kinds.get(r.place_kind, ""),
            "url": f"/risk/enterprises/{r.id}" if kind == "enterprise" else f"/risk/points/{r.id}",
        }
        if kind == "enterprise":
            props["hazardous"] = bool(r.hazardous_chemicals or r.major_hazard)
        out.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [r.lon, r.lat]},
                "properties": props,
            }
        )
    body = points.collection(out)
    return body, len(out), truncated

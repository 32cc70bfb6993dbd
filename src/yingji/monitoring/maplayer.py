"""Hazard points and their open alarms on the one map: GeoJSON points in a bounding box, in scope."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal, in_scope
from yingji.geo import points
from yingji.monitoring.alarms import LEVEL_ORDER
from yingji.monitoring.models import OPEN_STATES, Alarm, HazardPoint, PointStatus

MAX_FEATURES = 4000
RANK_LEVEL = {4: "red", 3: "orange", 2: "yellow", 1: "blue"}


def features(
    session: Session,
    principal: Principal,
    bbox: tuple[float, float, float, float] | None,
    *,
    kind: str | None = None,
    alarmed_only: bool = False,
) -> tuple[str, int, bool]:
    """(GeoJSON text, feature count, truncated). Points with an open alarm come first."""
    worst = (
        select(
            Alarm.hazard_point_id.label("pid"), func.max(LEVEL_ORDER).label("rank"), func.count().label("n")
        )
        .where(Alarm.state.in_(OPEN_STATES), in_scope(Alarm.jurisdiction_code, principal))
        .group_by(Alarm.hazard_point_id)
        .subquery()
    )
    stmt = (
        select(
            HazardPoint.id,
            HazardPoint.code,
            HazardPoint.name,
            HazardPoint.kind,
            HazardPoint.lon,
            HazardPoint.lat,
            HazardPoint.threatened_people,
            worst.c.rank,
            worst.c.n,
        )
        .outerjoin(worst, worst.c.pid == HazardPoint.id)
        .where(
            in_scope(HazardPoint.jurisdiction_code, principal),
            HazardPoint.status == PointStatus.ACTIVE,
            HazardPoint.lon.is_not(None),
        )
    )
    stmt = points.in_box(stmt, HazardPoint, bbox)
    if kind:
        stmt = stmt.where(HazardPoint.kind == kind)
    if alarmed_only:
        stmt = stmt.where(worst.c.rank.is_not(None))
    stmt = stmt.order_by(func.coalesce(worst.c.rank, 0).desc(), HazardPoint.id).limit(MAX_FEATURES + 1)
    rows = session.execute(stmt).all()
    truncated = len(rows) > MAX_FEATURES
    rows = rows[:MAX_FEATURES]
    feats = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [r.lon, r.lat]},
            "properties": {
                "id": r.id,
                "code": r.code,
                "name": r.name,
                "kind": r.kind,
                "people": r.threatened_people,
                "alarm": RANK_LEVEL.get(r.rank),
                "alarms": r.n or 0,
            },
        }
        for r in rows
    ]
    body = points.collection(feats, separators=(",", ":"))
    return body, len(feats), truncated

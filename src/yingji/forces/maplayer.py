"""Teams on the one map: GeoJSON points with their readiness, filtered by scope and bounding box."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal, in_scope
from yingji.core.i18n import gettext
from yingji.forces import codes
from yingji.forces.models import Team
from yingji.geo import points

MAX_TEAMS = 5000


def teams_geojson(
    session: Session,
    principal: Principal,
    bbox: tuple[float, float, float, float] | None,
    readiness: str | None = None,
) -> tuple[str, int, bool]:
    """A FeatureCollection (as text) of located teams, its size, and whether it was cut at the limit."""
    stmt = select(
        Team.id,
        Team.name,
        Team.kind,
        Team.readiness,
        Team.member_count,
        Team.lon,
        Team.lat,
        Team.capabilities,
    ).where(in_scope(Team.jurisdiction_code, principal), Team.active, Team.lon.is_not(None))
    stmt = points.in_box(stmt, Team, bbox)
    if readiness:
        stmt = stmt.where(Team.readiness == readiness)
    labels = {k: gettext(v.label) for k, v in codes.TEAM_KINDS.items()}
    states = {k: gettext(v) for k, v in codes.READINESS.items()}

    def properties(r) -> dict:
        return {
            "id": r.id,
            "name": r.name,
            "kind": r.kind,
            "kind_label": labels.get(r.kind, r.kind),
            "group": codes.group_of(r.kind),
            "readiness": r.readiness,
            "readiness_label": states.get(r.readiness, r.readiness),
            "members": r.member_count,
            "capabilities": codes.split_codes(r.capabilities),
        }

    return points.layer(session, stmt.order_by(Team.id), MAX_TEAMS, properties)

"""Loading a road network (GeoJSON lines) for travel times; the newest loaded network is the one used."""

from __future__ import annotations

import json

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from yingji.auth import audit
from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, require
from yingji.core import clock
from yingji.core.errors import Forbidden, ValidationFailed
from yingji.geo.models import RoadNetwork
from yingji.geo.travel import RoadGraph, RoadNetworkInvalid

PROBLEMS = {
    "not_geojson": {"field": "file", "message": "The file is not a GeoJSON object."},
    "bad_coordinate": {"field": "file", "message": "A road has a coordinate that is not a number pair."},
    "out_of_bounds": {
        "field": "file",
        "message": "A road has a coordinate outside longitude/latitude bounds.",
    },
    "no_lines": {"field": "file", "message": "The file holds no road lines (GeoJSON LineString features)."},
}
CITY_LEVEL = 4  # a road network serves a whole city: only city-level (or higher) users load one


def _check(principal: Principal) -> None:
    require(principal, Perm.FORCES_MANAGE)
    if len(principal.jurisdiction_code) > CITY_LEVEL:
        raise Forbidden("Only the city level may load a road network.")


def load(session: Session, principal: Principal, data: bytes, name: str) -> RoadNetwork:
    """Parse GeoJSON lines into a graph and store it; from now on travel times follow the roads."""
    _check(principal)
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValidationFailed(details=[PROBLEMS["not_geojson"]]) from None
    try:
        graph = RoadGraph.from_geojson(doc)
    except RoadNetworkInvalid as exc:
        raise ValidationFailed(details=[PROBLEMS.get(exc.reason, PROBLEMS["not_geojson"])]) from None
    row = RoadNetwork(
        name=name[:200] or "roads",
        loaded_at=clock.now(),
        loaded_by=principal.username,
        node_count=graph.node_count,
        edge_count=graph.edge_count,
        graph=graph.to_bytes(),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        "roads.load",
        "road_networks",
        row.id,
        jurisdiction_code=principal.jurisdiction_code,
        after={"name": row.name, "nodes": row.node_count, "edges": row.edge_count},
    )
    return row


def current(session: Session) -> RoadNetwork | None:
    """The network in use (the newest), without its graph bytes."""
    return session.scalar(select(RoadNetwork).order_by(RoadNetwork.id.desc()).limit(1))


def clear(session: Session, principal: Principal) -> int:
    """Forget every loaded network: travel times go back to the straight-line estimate."""
    _check(principal)
    count = session.execute(delete(RoadNetwork)).rowcount
    audit.record(session, "roads.clear", "road_networks", None, after={"deleted": count})
    return count


def describe(row: RoadNetwork | None) -> dict:
    if row is None:
        return {"method": "straight_line", "network": None}
    return {
        "method": "road_network",
        "network": {
            "id": row.id,
            "name": row.name,
            "loaded_at": row.loaded_at,
            "loaded_by": row.loaded_by,
            "nodes": row.node_count,
            "edges": row.edge_count,
        },
    }

"""The nearest open shelters with room for a village (or a point), by travel time (``geo.travel``):
from the village's centre (its label point in the division table) to every open shelter in scope
whose free places cover the people to move (the village's residents, or a given number)."""

from __future__ import annotations

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal, in_scope
from yingji.core.errors import ValidationFailed
from yingji.geo.travel import haversine_km, model_for
from yingji.org import codes as division_codes
from yingji.org import places
from yingji.residents.models import Resident
from yingji.shelters import labels
from yingji.shelters.codes import ShelterStatus
from yingji.shelters.models import Shelter


def people_of(session: Session, code: str) -> int:
    """Active residents registered in a place's subtree."""
    low, high = division_codes.subtree_bounds(code)
    return int(
        session.scalar(
            select(func.count()).where(
                Resident.jurisdiction_code >= low, Resident.jurisdiction_code < high, Resident.active
            )
        )
        or 0
    )


def nearest(
    session: Session,
    principal: Principal,
    *,
    code: str | None = None,
    lon: float | None = None,
    lat: float | None = None,
    needed: int | None = None,
    limit: int = 10,
) -> dict:
    """Open shelters in scope with ``needed`` free places, by minutes from the origin."""
    origin: dict = {}
    if code:
        place = places.get(session, principal, code)
        if place.lon is None or place.lat is None:
            raise ValidationFailed(details=[{"field": "code", "message": "The place has no location."}])
        lon, lat = place.lon, place.lat
        origin = {"code": place.code, "name": place.name}
        if needed is None:
            needed = people_of(session, place.code)
    elif lon is None or lat is None:
        raise ValidationFailed(
            details=[{"field": "code", "message": "Give a village or a point (lon, lat)."}]
        )
    needed = max(1, int(needed or 1))
    origin |= {"lon": lon, "lat": lat}
    rows = session.execute(
        select(
            Shelter.id,
            Shelter.code,
            Shelter.name,
            Shelter.jurisdiction_code,
            Shelter.lon,
            Shelter.lat,
            Shelter.capacity,
            Shelter.occupancy,
            Shelter.status,
        ).where(
            in_scope(Shelter.jurisdiction_code, principal),
            Shelter.active,
            Shelter.status == ShelterStatus.OPEN.value,
            Shelter.lon.is_not(None),
            Shelter.capacity - Shelter.occupancy >= needed,
        )
    ).all()
    if not rows:
        return {"origin": origin, "needed": needed, "items": []}
    dest = np.array([[r.lon, r.lat] for r in rows], dtype=float)
    model = model_for(session, code or principal.jurisdiction_code)
    minutes = model.minutes_matrix(np.array([[lon, lat]]), dest)[0]
    km = haversine_km(lon, lat, dest[:, 0], dest[:, 1])
    order = np.argsort(minutes, kind="stable")[:limit]
    names = places.names(session, {rows[i].jurisdiction_code for i in order})
    items = [
        {
            "shelter_id": rows[i].id,
            "code": rows[i].code,
            "name": rows[i].name,
            "jurisdiction_name": names.get(rows[i].jurisdiction_code, ""),
            "minutes": round(float(minutes[i]), 1),
            "distance_km": round(float(km[i]), 2),
            "free": int(rows[i].capacity - rows[i].occupancy),
            "capacity": int(rows[i].capacity),
            "status": rows[i].status,
            "status_label": labels.label(labels.STATUS_LABELS, rows[i].status),
            "method": model.method,
        }
        for i in order
    ]
    return {"origin": origin, "needed": needed, "items": items}

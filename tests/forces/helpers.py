"""Builders of forces test data: teams through the API, incidents as rows, a small fresh city."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from yingji.core import clock
from yingji.core.db import Actor
from yingji.incidents.models import Incident
from yingji.org.models import Jurisdiction


def code(prefix: str = "T") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def key() -> str:
    return uuid.uuid4().hex


def new_team(client, jurisdiction_code: str, **fields) -> dict:
    """A team registered through the API (201 expected)."""
    body = {
        "code": code(),
        "name": "测试救援队",
        "kind": "village_volunteer",
        "jurisdiction_code": jurisdiction_code,
    }
    r = client.post("/api/v1/forces/teams", json=body | fields)
    assert r.status_code == 201, r.text
    return r.json()


def add_members(client, team_id: int, n: int, **fields) -> list[dict]:
    out = []
    for i in range(n):
        body = {"name": f"队员{i}", "mobile": f"139{uuid.uuid4().int % 10**8:08d}"} | fields
        r = client.post(f"/api/v1/forces/teams/{team_id}/members", json=body)
        assert r.status_code == 201, r.text
        out.append(r.json())
    return out


def new_incident(
    db, jurisdiction_code: str, *, lon=None, lat=None, category="natural.flood_drought", status="verified"
):
    """An incident row (the incidents service belongs to another domain; tests only need the row)."""
    now = clock.now()
    with db.writing(Actor.system("tests")) as session:
        incident = Incident(
            number=f"T-{uuid.uuid4().hex[:16]}",
            title="测试险情",
            category=category,
            jurisdiction_code=jurisdiction_code,
            lon=lon,
            lat=lat,
            occurred_at=now,
            received_at=now,
            status=status,
        )
        session.add(incident)
        session.flush()
        return incident.id


def place_point(db, code_: str) -> tuple[float, float]:
    with db.reading() as session:
        j = session.scalar(select(Jurisdiction).where(Jurisdiction.code == code_))
        return j.lon, j.lat

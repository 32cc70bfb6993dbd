"""Helpers of the drills tests: plans made directly (the plans helper's registry is not here), and
drills through the API."""

from __future__ import annotations

import uuid
from datetime import date

from yingji.core.db import Actor
from yingji.plans.models import Plan


def make_plan(
    city,
    code: str,
    kind: str = "special",
    *,
    state: str = "filed",
    issued_on: date | None = None,
    title: str | None = None,
) -> int:
    with city.db.writing(Actor.system("tests")) as session:
        plan = Plan(
            code=f"T-{uuid.uuid4().hex[:12]}",
            title=title or f"测试{kind}应急预案",
            kind=kind,
            jurisdiction_code=code,
            issuer="测试人民政府",
            event_categories=[],
            state=state,
            version_no=1,
            # a plan in force has its issue date (the plans import refuses one without: the Excel
            # round trip reads this shared city after these tests)
            issued_on=issued_on
            or (None if state in ("drafting", "review", "approval") else date(2025, 3, 1)),
        )
        session.add(plan)
        session.flush()
        return plan.id


def drill_body(place: str, **extra) -> dict:
    return {
        "jurisdiction_code": place,
        "title": f"防汛应急演练{uuid.uuid4().hex[:6]}",
        "form": "live",
        "scope": "comprehensive",
        "purpose": "test",
        "planned_on": "2026-06-15",
        "place": "镇政府广场",
    } | extra


def held_drill(client, place: str, at: str = "2026-06-15T02:00:00Z", **extra) -> dict:
    """A drill planned and held (ended) at ``at`` through the API."""
    r = client.post("/api/v1/drills", json=drill_body(place, planned_on=at[:10], **extra))
    assert r.status_code == 201, r.text
    drill = r.json()
    r = client.post(f"/api/v1/drills/{drill['id']}/state", json={"state": "running", "at": at})
    assert r.status_code == 200, r.text
    r = client.post(f"/api/v1/drills/{drill['id']}/state", json={"state": "ended", "at": at})
    assert r.status_code == 200, r.text
    return r.json()

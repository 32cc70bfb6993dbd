"""Helpers of the aid tests: a programme in the test city's county, households surveyed, and the
programme walked to distribution (the notice backdated: its period is a setting, not the test's)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select

from yingji.aid.models import AidNotice
from yingji.core.db import Actor


def key() -> str:
    return f"t-{uuid.uuid4().hex[:20]}"


def new_programme(api, city, user: str = "county", **extra) -> dict:
    body = {
        "title": "测试冬春救助",
        "kind": "winter_spring",
        "jurisdiction_code": city.county_a,
        "season": "2026-2027",
        "standard_yuan_per_person": 200,
    } | extra
    r = api(user).post("/api/v1/aid/programmes", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def survey(client, programme_id: int, village: str, name: str | None = None, **extra) -> dict:
    body = {
        "jurisdiction_code": village,
        "head_name": name or f"测{uuid.uuid4().hex[:4]}",
        "household": f"T{uuid.uuid4().hex[:10]}",
        "family_size": 3,
        "people_in_need": 2,
        "family_type": "dibao",
        "needs": {"food": "1", "heating": "1"},
    } | extra
    r = client.post(f"/api/v1/aid/programmes/{programme_id}/recipients", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def backdate_notices(
    city, programme_id: int | None = None, case_id: int | None = None, days: int = 30
) -> None:
    with city.db.writing(Actor.system("tests")) as session:
        q = select(AidNotice)
        q = (
            q.where(AidNotice.programme_id == programme_id)
            if programme_id
            else q.where(AidNotice.rebuild_case_id == case_id)
        )
        for n in session.scalars(q):
            n.posted_on -= timedelta(days=days)
            n.until -= timedelta(days=days)


def to_distributing(api, city, programme_id: int, ids: list[int]) -> None:
    county = api("county")
    assert (
        county.post(f"/api/v1/aid/programmes/{programme_id}/verify", json={"recipient_ids": ids}).status_code
        == 200
    )
    assert (
        county.post(f"/api/v1/aid/programmes/{programme_id}/move", json={"to": "listing"}).status_code == 200
    )
    assert (
        county.post(f"/api/v1/aid/programmes/{programme_id}/move", json={"to": "notice"}).status_code == 200
    )
    backdate_notices(city, programme_id)
    r = county.post(f"/api/v1/aid/programmes/{programme_id}/move", json={"to": "approved"})
    assert r.status_code == 200, r.text
    assert (
        county.post(f"/api/v1/aid/programmes/{programme_id}/move", json={"to": "distributing"}).status_code
        == 200
    )

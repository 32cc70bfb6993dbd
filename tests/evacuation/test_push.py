"""The order's tally is pushed where the change happened, so watchers below the issuer hear it: a
county's order marked in one group reaches the town officer and the village leader there."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from yingji.core import clock
from yingji.evacuation import push
from yingji.events.models import EventLog

from .conftest import households, issue


def _tally_events(db, order_id: int, after: int) -> list[str]:
    with db.reading() as session:
        rows = session.execute(
            select(EventLog.jurisdiction_code, EventLog.payload).where(
                EventLog.kind == "evacuation.tally", EventLog.id > after
            )
        ).all()
    return [code for code, payload in rows if payload.get("order_id") == order_id]


def test_places_are_the_narrowest_level_with_few_places():
    groups = [f"520602002001{n:03d}" for n in range(1, 4)]
    assert push.places(groups) == ["520602002001"]
    many = [f"520602{t:03d}{v:03d}001" for t in range(1, 4) for v in range(1, 5)]  # 12 villages, 3 towns
    assert push.places(many) == ["520602001", "520602002", "520602003"]
    assert push.places([]) == []


def test_a_county_order_marked_in_a_group_is_pushed_at_its_village(city, api):
    order_id = issue(city.db, "county", [city.town_a])
    with city.db.reading() as session:
        last = session.scalar(select(EventLog.id).order_by(EventLog.id.desc()).limit(1)) or 0
    house = households(city.db, order_id, city.village_a)[0]
    mark = {
        "household_id": house.id,
        "state": "moved",
        "marked_at": clock.now().isoformat(),
        "client_key": uuid.uuid4().hex,
    }
    r = api("county").post(f"/api/v1/evacuation/orders/{order_id}/marks", json={"marks": [mark]})
    assert r.status_code == 200 and r.json()["results"][0]["outcome"] == "applied"
    codes = _tally_events(city.db, order_id, last)
    # the village of the household: the town officer and the village leader there cover it, the county too
    assert codes == [house.jurisdiction_code[:12]]
    assert codes[0].startswith(city.town_a) and codes[0].startswith(city.county_a)

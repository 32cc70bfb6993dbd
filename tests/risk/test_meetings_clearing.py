"""The monthly village risk meeting (one per village and month, reported to the town) and the
dynamic-clearing statistics per town and month with their Excel export."""

from __future__ import annotations

from sqlalchemy import select

from tests.risk.conftest import danger, key, step, to_rectifying
from yingji.auth.models import User
from yingji.notify.models import InboxMessage
from yingji.risk.dangers import today


def test_a_village_meeting_is_recorded_and_reported(city, api):
    leader = api("gridleader")
    d = danger(api("gridworker"), title="水塘无警示牌", category="drowning")
    month = f"{today().year - 3}-{today().month:02d}"  # before the demo's year of meetings
    body = {
        "jurisdiction_code": city.village_a,
        "month": month,
        "held_on": f"{month}-10",
        "host": "村级应急协管员",
        "minutes": "研判本月防溺水风险",
        "decisions": "三日内设置警示牌",
        "danger_ids": [d["id"]],
        "client_key": key(),
    }
    r = leader.post("/api/v1/risk/meetings", json=body)
    assert r.status_code == 201, r.text
    meeting = r.json()
    assert meeting["danger_ids"] == [d["id"]] and meeting["reported_at"] is None
    assert leader.post("/api/v1/risk/meetings", json=body).json()["id"] == meeting["id"]  # same key
    twice = leader.post("/api/v1/risk/meetings", json=body | {"client_key": key()})
    assert twice.status_code == 409
    reported = leader.post(f"/api/v1/risk/meetings/{meeting['id']}/report").json()
    assert reported["reported_at"] is not None
    with city.db.reading() as session:
        uid = session.scalar(select(User.id).where(User.username == "town"))
        subjects = session.scalars(select(InboxMessage.subject).where(InboxMessage.user_id == uid)).all()
    assert any(month in s for s in subjects)
    events = api("town").get(f"/api/v1/risk/dangers/{d['id']}").json()["events"]
    assert "meeting" in [e["action"] for e in events]


def test_meetings_are_for_villages_in_scope_and_months_gone_by(city, api):
    leader = api("gridleader")
    base = {"host": "协管员", "minutes": "会议记录", "client_key": key()}
    town = leader.post(
        "/api/v1/risk/meetings",
        json=base | {"jurisdiction_code": city.town_a, "month": "2020-01", "held_on": "2020-01-15"},
    )
    assert town.status_code == 404  # the town is above the grid leader's village
    future = leader.post(
        "/api/v1/risk/meetings",
        json=base | {"jurisdiction_code": city.village_a, "month": "2999-01", "held_on": "2999-01-15"},
    )
    assert future.status_code == 422
    mismatch = leader.post(
        "/api/v1/risk/meetings",
        json=base | {"jurisdiction_code": city.village_a, "month": "2020-01", "held_on": "2020-02-01"},
    )
    assert mismatch.status_code == 422
    cover = api("town").get("/api/v1/risk/meetings").json()["coverage"]
    assert cover["villages"] > 0 and cover["held"] <= cover["villages"]


def test_clearing_statistics_per_town_and_month(city, api):
    town = api("town")
    before = {
        r["town_code"]: r for r in town.get("/api/v1/risk/clearing", params={"months": 1}).json()["towns"]
    }
    mine = before.get(city.town_a, {"found": 0, "rectified": 0, "open": 0})
    closed = danger(api("gridworker"))
    to_rectifying(town, closed["id"])
    step(town, closed["id"], "report_done", note="完成")
    step(town, closed["id"], "accept")
    step(town, closed["id"], "close")
    danger(api("gridworker"))
    after = {
        r["town_code"]: r for r in town.get("/api/v1/risk/clearing", params={"months": 1}).json()["towns"]
    }
    row = after[city.town_a]
    assert row["found"] == mine["found"] + 2
    assert row["rectified"] == mine["rectified"] + 1 and row["open"] == mine["open"] + 1
    assert row["cleared"] is False and 0 <= row["rate"] <= 1
    assert set(after) == {city.town_a}  # a town sees its own statistics only
    county_rows = api("county").get("/api/v1/risk/clearing").json()["towns"]
    assert {r["town_code"] for r in county_rows} >= {city.town_a, city.town_b}
    xlsx = town.get("/api/v1/risk/clearing.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"

"""The handover log: open items carry over until closed; the incoming officer confirms."""

from __future__ import annotations

import uuid
from datetime import timedelta

from tests.duty.conftest import local


def test_open_items_carry_over_until_closed(api, city, crew_factory, clock):
    crew = crew_factory()
    town = api("town")
    base = f"/api/v1/duty/rosters/{crew.roster_id}/handovers"
    clock.freeze(local(2031, 6, 1, 8, 0))  # the shift of 31 May is still on
    key = uuid.uuid4().hex
    first = town.post(
        base,
        json={
            "summary": "夜间降雨,巡查正常。",
            "new_items": ["核实道路积水", "跟踪滑坡点"],
            "client_key": key,
        },
    )
    assert first.status_code == 201, first.text
    h1 = first.json()
    assert h1["shift_date"] == "2031-05-31" and len(h1["opened"]) == 2
    retry = town.post(
        base,
        json={
            "summary": "夜间降雨,巡查正常。",
            "new_items": ["核实道路积水", "跟踪滑坡点"],
            "client_key": key,
        },
    )
    assert retry.status_code == 200 and retry.json()["id"] == h1["id"] and len(retry.json()["opened"]) == 2
    assert town.post(base, json={"summary": "再写一次"}).status_code == 409  # one log per shift

    listing = town.get(base).json()
    assert [i["text"] for i in listing["open_items"]] == ["核实道路积水", "跟踪滑坡点"]
    assert listing["shift_date_now"] == "2031-05-31"

    clock.advance(timedelta(days=1))  # the next shift hands over: closes one, adds one
    carried = {i["text"]: i["id"] for i in listing["open_items"]}
    second = town.post(
        base,
        json={"summary": "平稳。", "close_item_ids": [carried["核实道路积水"]], "new_items": ["督促补报"]},
    )
    assert second.status_code == 201, second.text
    assert second.json()["shift_date"] == "2031-06-01"
    assert [i["text"] for i in second.json()["closed"]] == ["核实道路积水"]
    open_now = [i["text"] for i in town.get(base).json()["open_items"]]
    assert open_now == ["跟踪滑坡点", "督促补报"]

    closed_again = town.post(
        base, json={"summary": "x", "shift_date": "2031-06-02", "close_item_ids": [carried["核实道路积水"]]}
    )
    assert closed_again.status_code == 422
    item = town.post(f"/api/v1/duty/handover-items/{carried['跟踪滑坡点']}/close", json={"note": "已排除"})
    assert item.status_code == 200 and item.json()["closed_at"]
    assert town.post(f"/api/v1/duty/handover-items/{carried['跟踪滑坡点']}/close", json={}).status_code == 409


def test_the_incoming_officer_confirms_once(api, city, crew_factory, clock):
    crew = crew_factory()
    clock.freeze(local(2031, 6, 10, 12, 0))
    h = api("town").post(f"/api/v1/duty/rosters/{crew.roster_id}/handovers", json={"summary": "正常"}).json()
    assert h["confirmed_at"] is None
    clock.advance(timedelta(minutes=30))
    ok = api("county").post(f"/api/v1/duty/handovers/{h['id']}/confirm", json={"note": "已接班"})
    assert ok.status_code == 200 and ok.json()["confirmed_at"] and ok.json()["confirm_note"] == "已接班"
    again = api("town").post(f"/api/v1/duty/handovers/{h['id']}/confirm", json={"note": "又一次"}).json()
    assert again["confirmed_at"] == ok.json()["confirmed_at"] and again["confirm_note"] == "已接班"


def test_handover_scope(api, city, crew_factory):
    crew = crew_factory(city.town_a)
    h = api("town").post(
        f"/api/v1/duty/rosters/{crew.roster_id}/handovers", json={"summary": "正常", "new_items": ["甲"]}
    )
    assert h.status_code == 201
    other = api("town_b")
    assert other.get(f"/api/v1/duty/rosters/{crew.roster_id}/handovers").status_code == 404
    assert (
        other.post(f"/api/v1/duty/rosters/{crew.roster_id}/handovers", json={"summary": "x"}).status_code
        == 403
    )
    assert other.post(f"/api/v1/duty/handovers/{h.json()['id']}/confirm", json={}).status_code == 403
    item = h.json()["opened"][0]["id"]
    assert other.post(f"/api/v1/duty/handover-items/{item}/close", json={}).status_code == 403
    assert (
        api("viewer")
        .post(f"/api/v1/duty/rosters/{crew.roster_id}/handovers", json={"summary": "x"})
        .status_code
        == 403
    )
    assert (
        api("town").post(f"/api/v1/duty/rosters/{crew.roster_id}/handovers", json={"summary": ""}).status_code
        == 422
    )

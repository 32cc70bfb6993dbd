"""The shift hand-over hands the outgoing officer's items by name to the incoming officer in the same
act; confirming the shift accepts them. The call log: filters, the outcome once, Excel."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from tests.incidents.conftest import point_in
from tests.ownership.conftest import owned_rows, user_id
from yingji.duty.models import Roster


def _roster_of(city, code: str) -> int:
    with city.db.reading() as session:
        return session.scalar(select(Roster.id).where(Roster.jurisdiction_code == code).order_by(Roster.id))


def test_the_outgoing_officer_hands_their_items_to_the_incoming_one_in_the_same_act(city, api, people, clock):
    duty, duty2 = api("duty"), api(people["duty2"])
    calls = [
        duty.post("/api/v1/duty/calls", json={"summary": f"来电{i}", "caller_name": "李四"}).json()["id"]
        for i in range(2)
    ]
    roster_id = _roster_of(city, city.city)
    assert roster_id is not None
    duty2_id = user_id(city.db, people["duty2"])
    body = {"summary": "本班平稳", "shift_date": "2040-01-0" + str(uuid.uuid4().int % 9 + 1)}
    # items chosen but nobody named: refused, nothing written
    r = duty.post(f"/api/v1/duty/rosters/{roster_id}/handovers", json=body | {"hand_all": True})
    assert r.status_code == 422
    assert [o.owner_user_id for c in calls for o in owned_rows(city.db, "call", c)] == [
        user_id(city.db, "duty")
    ] * 2
    # someone who may not take a call (another county's town officer) is refused as a whole
    r = duty.post(
        f"/api/v1/duty/rosters/{roster_id}/handovers",
        json=body | {"hand_all": True, "to_user_id": user_id(city.db, "town_b")},
    )
    assert r.status_code == 403
    r = duty.post(
        f"/api/v1/duty/rosters/{roster_id}/handovers",
        json=body | {"hand_owned_ids": [owned_rows(city.db, "call", calls[0])[0].id], "to_user_id": duty2_id},
    )
    assert r.status_code in (200, 201), r.text
    handover_id = r.json()["id"]
    assert owned_rows(city.db, "call", calls[0])[0].owner_user_id == duty2_id
    assert owned_rows(city.db, "call", calls[1])[0].owner_user_id == user_id(
        city.db, "duty"
    )  # kept: not ticked
    pending = duty2.get("/api/v1/ownership/mine").json()["pending"]
    assert [p["shift_handover_id"] for p in pending if p["item_id"] == calls[0]] == [handover_id]
    assert duty2.post(f"/api/v1/duty/handovers/{handover_id}/confirm", json={}).status_code == 200
    assert not [p for p in duty2.get("/api/v1/ownership/mine").json()["pending"] if p["item_id"] == calls[0]]
    # another county's desk lists nothing of it
    assert calls[0] not in [c["id"] for c in api("town_b").get("/api/v1/duty/calls").json()["items"]]


def test_a_call_settles_once_and_exports(city, api):
    duty = api("duty")
    call = duty.post("/api/v1/duty/calls", json={"summary": "咨询防汛", "caller_phone": "13900002222"}).json()
    r = duty.post(f"/api/v1/duty/calls/{call['id']}/outcome", json={"outcome": "transferred"})
    assert r.status_code == 422  # where to: named
    r = duty.post(
        f"/api/v1/duty/calls/{call['id']}/outcome", json={"outcome": "incident", "incident_number": "x"}
    )
    assert r.status_code == 422
    lon, lat = point_in(city.db, city.village_a)
    inc = (
        api("town")
        .post("/api/v1/incidents", json={"category": "accident.fire", "lon": lon, "lat": lat})
        .json()
    )
    r = duty.post(
        f"/api/v1/duty/calls/{call['id']}/outcome",
        json={"outcome": "incident", "incident_number": inc["number"]},
    )
    assert r.status_code == 200 and r.json()["incident_id"] == inc["id"]
    r = duty.post(f"/api/v1/duty/calls/{call['id']}/outcome", json={"outcome": "advised"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "call_settled"
    listed = duty.get("/api/v1/duty/calls", params={"outcome": "incident", "q": "咨询防汛"}).json()
    assert [c["id"] for c in listed["items"]] == [call["id"]]
    assert duty.get("/api/v1/duty/calls", params={"outcome": "nope"}).status_code == 422
    assert (
        api("town").post("/api/v1/duty/calls", json={"summary": "x"}).status_code == 201
    )  # a town desk logs too
    assert api("viewer").post("/api/v1/duty/calls", json={"summary": "x"}).status_code == 403

"""The API: a grid worker's phone flow (my tasks → households → a batch of marks → results), the
tally and the unaccounted with masked phones, scope (404 / 403), moves (409), bad input (422)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from yingji.core import clock

from .conftest import issue


def _marks(households, state="moved", minutes=0):
    at = clock.now() - timedelta(minutes=30 - minutes)
    return {
        "marks": [
            {"household_id": h, "state": state, "marked_at": at.isoformat(), "client_key": uuid.uuid4().hex}
            for h in households
        ]
    }


def test_phone_flow(city, api):
    order_id = issue(city.db, "town", [city.village_a])
    phone = api("gridworker")
    mine = [t for t in phone.get("/api/v1/evacuation/tasks/mine").json() if t["order_id"] == order_id]
    assert len(mine) == 1 and mine[0]["order_title"] and mine[0]["jurisdiction_code"].startswith(city.group_a)
    houses = phone.get(f"/api/v1/evacuation/tasks/{mine[0]['id']}/households").json()
    assert houses and all(h["jurisdiction_code"].startswith(city.group_a) for h in houses)
    batch = _marks([h["id"] for h in houses])
    r = phone.post(f"/api/v1/evacuation/orders/{order_id}/marks", json=batch)
    assert r.status_code == 200, r.text
    assert {x["outcome"] for x in r.json()["results"]} == {"applied"}
    again = phone.post(f"/api/v1/evacuation/orders/{order_id}/marks", json=batch)  # the outbox resent
    assert {x["outcome"] for x in again.json()["results"]} == {"repeat"}
    tally = api("town").get(f"/api/v1/evacuation/orders/{order_id}/tally").json()
    assert tally["moved"]["households"] == len(houses)
    assert tally["level"] == "group" and tally["rows"]
    assert tally["threatened"]["households"] == sum(
        tally[b]["households"] for b in ("moved", "sheltered", "safe_elsewhere", "unaccounted", "returned")
    )
    county = api("county").get(
        f"/api/v1/evacuation/orders/{order_id}/tally", params={"within": city.county_a}
    )
    assert county.json()["level"] == "town"
    # the grid worker's own view is their group
    own = phone.get(f"/api/v1/evacuation/orders/{order_id}/tally").json()
    assert own["threatened"]["households"] == len(houses) == own["moved"]["households"]
    left = api("town").get(f"/api/v1/evacuation/orders/{order_id}/unaccounted").json()
    assert tally["unaccounted"]["households"] == 0 or left
    assert all(not x["jurisdiction_code"].startswith(city.group_a) for x in left)
    if left:
        assert any(x["workers"] for x in left)


def test_masked_phones_for_the_viewer(city, api):
    order_id = issue(city.db, "town", [city.group_a])
    rows = api("viewer").get(f"/api/v1/evacuation/orders/{order_id}/unaccounted").json()
    assert rows
    for row in rows:
        assert row["mobile"] is None or "*" in row["mobile"]
        assert all("*" in w for w in row["workers"] if any(ch.isdigit() for ch in w))


def test_scope_and_bad_input(city, api):
    order_id = issue(city.db, "town", [city.group_a])
    other = api("town_b")
    assert other.get(f"/api/v1/evacuation/orders/{order_id}").status_code == 404
    assert other.post(f"/api/v1/evacuation/orders/{order_id}/marks", json=_marks([1])).status_code == 404
    assert other.get(f"/api/v1/evacuation/orders/{order_id}/tally").status_code == 404
    r = api("town").post("/api/v1/evacuation/orders", json={"title": "越界", "area_codes": [city.town_b]})
    assert r.status_code == 403 and r.json()["error"]["code"] == "out_of_jurisdiction"
    r = api("gridworker").post(
        "/api/v1/evacuation/orders", json={"title": "越权", "area_codes": [city.group_a]}
    )
    assert r.status_code == 403
    r = api("town").post("/api/v1/evacuation/orders", json={"title": "坏", "area_codes": ["abc"]})
    assert r.status_code == 422
    assert api("town").post(f"/api/v1/evacuation/orders/{order_id}/lift", json={}).status_code == 422
    assert (
        api("gridworker")
        .post(f"/api/v1/evacuation/orders/{order_id}/lift", json={"note": "解除"})
        .status_code
        == 403
    )
    assert api("town").post(f"/api/v1/evacuation/orders/{order_id}/close").status_code == 409
    r = api("town").post(f"/api/v1/evacuation/orders/{order_id}/lift", json={"note": "预警解除"})
    assert r.status_code == 200 and r.json()["state"] == "lifted"
    r = api("town").post(f"/api/v1/evacuation/orders/{order_id}/lift", json={"note": "预警解除"})
    assert r.status_code == 409 and r.json()["error"]["message"]
    assert api("town").post(f"/api/v1/evacuation/orders/{order_id}/close").status_code == 200
    tasks = api("town").get(f"/api/v1/evacuation/orders/{order_id}/tasks").json()
    h = api("town").get(f"/api/v1/evacuation/tasks/{tasks[0]['id']}/households").json()[0]["id"]
    r = api("gridworker").post(f"/api/v1/evacuation/orders/{order_id}/marks", json=_marks([h]))
    assert r.json()["results"][0]["outcome"] == "refused"
    too_many = {"marks": _marks(list(range(501)))["marks"]}
    assert (
        api("gridworker").post(f"/api/v1/evacuation/orders/{order_id}/marks", json=too_many).status_code
        == 422
    )


def test_orders_list(city, api):
    order_id = issue(city.db, "town", [city.group_a])
    listed = api("gridworker").get("/api/v1/evacuation/orders", params={"state": "active"}).json()
    assert order_id in [o["id"] for o in listed["items"]]
    assert order_id not in [o["id"] for o in api("town_b").get("/api/v1/evacuation/orders").json()["items"]]

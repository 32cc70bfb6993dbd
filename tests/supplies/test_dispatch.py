"""Supplies for an incident: stores ranked by travel time with the reason; a request becomes
documents in one step, idempotently, on the incident timeline; several demand points allocated."""

from __future__ import annotations

from sqlalchemy import select

from tests.supplies.conftest import balance, key, make_incident, make_store, place, receive
from yingji.incidents.models import TimelineEvent
from yingji.supplies.models import Warehouse


def _stores_near(city, code: str, n: int, item: str = "C14-01") -> list[int]:
    ids = []
    for qty in range(n):
        s = make_store(city.db, "village", code)
        receive(city.db, s, [{"item_code": item, "qty": 2 + qty}])
        ids.append(s)
    return ids


def test_recommendations_are_ranked_by_travel_time_with_a_reason(city, api):
    v = place(city.db, city.village_a)
    _stores_near(city, city.village_a, 2)
    incident = make_incident(city.db, city.village_a, v.lon + 0.01, v.lat)
    r = api("commander").get(f"/api/v1/incidents/{incident}/supplies/recommend?items=C14-01:3")
    assert r.status_code == 200, r.text
    stores = r.json()["stores"]
    assert len(stores) >= 2
    minutes = [s["minutes"] for s in stores]
    assert minutes == sorted(minutes)
    assert "分钟" in stores[0]["reason"] and "橡皮艇" in stores[0]["reason"]
    assert sum(p["qty"] for p in r.json()["plan"]) == 3
    assert (
        api("commander").get(f"/api/v1/incidents/{incident}/supplies/recommend?items=nonsense").status_code
        == 422
    )
    assert (
        api("town_b").get(f"/api/v1/incidents/{incident}/supplies/recommend?items=C14-01:1").status_code
        == 404
    )


def test_a_request_becomes_documents_once_and_is_on_the_timeline(city, api):
    v = place(city.db, city.village_a)
    near = make_store(city.db, "village", city.village_a)
    receive(city.db, near, [{"item_code": "C23-01", "qty": 2}])
    incident = make_incident(city.db, city.village_a, v.lon, v.lat)
    c = api("commander")
    body = {"client_key": key(), "mode": "issue", "lines": [{"item_code": "C23-01", "qty": 2}]}
    first = c.post(f"/api/v1/incidents/{incident}/supplies/requests", json=body)
    assert first.status_code == 201, first.text
    docs = first.json()["documents"]
    assert docs and all(d["kind"] == "issue" and d["incident_id"] == incident for d in docs)
    assert sum(line["qty"] for d in docs for line in d["lines"]) == 2
    again = c.post(f"/api/v1/incidents/{incident}/supplies/requests", json=body)
    assert again.status_code == 200 and [d["id"] for d in again.json()["documents"]] == [
        d["id"] for d in docs
    ]
    with city.db.reading() as session:
        events = session.scalars(
            select(TimelineEvent).where(
                TimelineEvent.incident_id == incident, TimelineEvent.kind == "supplies"
            )
        ).all()
    assert len(events) == 1 and "破拆" in events[0].summary
    assert (
        api("viewer")
        .post(f"/api/v1/incidents/{incident}/supplies/requests", json=body | {"client_key": key()})
        .status_code
        == 403
    )


def test_a_transfer_request_sends_stock_to_a_store_near_the_scene(city, api):
    v = place(city.db, city.village_a)
    source = make_store(city.db, "town", city.town_a)
    receive(city.db, source, [{"item_code": "C26-02", "qty": 3}])
    target = make_store(city.db, "village", city.village_a)
    incident = make_incident(city.db, city.village_a, v.lon, v.lat)
    body = {
        "client_key": key(),
        "mode": "transfer",
        "to_warehouse_id": target,
        "lines": [{"item_code": "C26-02", "qty": 5}],
    }
    r = api("commander").post(f"/api/v1/incidents/{incident}/supplies/requests", json=body)
    assert r.status_code == 201, r.text
    out = r.json()
    assert all(d["kind"] == "transfer" and d["to_warehouse_id"] == target for d in out["documents"])
    assert out["unmet"] == [] or out["unmet"][0]["item_code"] == "C26-02"
    assert balance(city.db, target, "C26-02") == 0  # in transit until the village confirms


def test_allocation_of_several_points(city, api):
    v = place(city.db, city.village_a)
    t = place(city.db, city.town_a)
    body = {
        "within": city.county_a,
        "demands": [
            {"name": "安置点甲", "lon": v.lon, "lat": v.lat, "items": {"C06-01": 30, "C05-01": 4}},
            {"name": "安置点乙", "lon": t.lon + 0.05, "lat": t.lat, "items": {"C06-01": 20}},
        ],
    }
    r = api("commander").post("/api/v1/supplies/allocation", json=body)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["optimal_cost"] <= out["greedy_cost"] + 1e-6 and out["stores"] > 0
    shipped = sum(f["qty"] for f in out["optimal"]["flows"])
    assert shipped == sum(f["qty"] for f in out["greedy"]["flows"]) > 0
    with city.db.reading() as session:
        names = {
            w.name
            for w in session.scalars(
                select(Warehouse).where(Warehouse.jurisdiction_code.startswith(city.county_a))
            )
        }
    assert {f["warehouse"] for f in out["optimal"]["flows"]} <= names
    assert api("viewer").post("/api/v1/supplies/allocation", json=body).status_code == 403

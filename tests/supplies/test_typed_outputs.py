"""The supplies API's typed answers are the bytes the untyped routes sent (keys in order, nulls,
numbers as they were)."""

from __future__ import annotations

from tests.forces.typed_outputs import same_bytes
from yingji.supplies import api as supplies_api


def test_supplies_answers_keep_their_bytes(app, api, tokens, city):
    duty = api("duty")
    stores = duty.get("/api/v1/supplies/warehouses", params={"size": 5}).json()["items"]
    assert stores, "the demo city has stores"
    detail = duty.get(f"/api/v1/supplies/warehouses/{stores[0]['id']}").json()
    urls = [
        "/api/v1/supplies/catalogue",
        "/api/v1/supplies/warehouses?size=5",
        *[f"/api/v1/supplies/warehouses/{s['id']}" for s in stores],
        "/api/v1/supplies/incoming",
        "/api/v1/supplies/gaps",
        "/api/v1/supplies/gaps?by=store",
        "/api/v1/supplies/reserve-standards",
        "/api/v1/supplies/expiring?days=3650",
        "/api/v1/supplies/maintenance/tasks",
        "/api/v1/supplies/maintenance/tasks?status=done",
    ]
    if detail["stock"]:
        card = f"/api/v1/supplies/warehouses/{stores[0]['id']}/cards/{detail['stock'][0]['item_code']}"
        urls.append(card)
        first = duty.get(card).json()["items"]
        if first and first[0]["document_id"]:
            urls.append(f"/api/v1/supplies/documents/{first[0]['document_id']}")
    same_bytes(app, supplies_api.router, tokens["duty"], urls)


def test_the_optimiser_answers_keep_their_bytes(app, api, tokens, city):
    """Stores offered for an incident (GET) and several demand points allocated (POST): the typed
    answers are the untyped ones (the solver's own time aside)."""
    from fastapi.testclient import TestClient

    from tests.forces.typed_outputs import untyped_app
    from tests.supplies.conftest import make_incident, make_store, place, receive

    v = place(city.db, city.village_a)
    store = make_store(city.db, "village", city.village_a)
    receive(city.db, store, [{"item_code": "C14-01", "qty": 3}, {"item_code": "C06-01", "qty": 40}])
    incident = make_incident(city.db, city.village_a, v.lon + 0.01, v.lat)
    same_bytes(
        app,
        supplies_api.router,
        tokens["commander"],
        [f"/api/v1/incidents/{incident}/supplies/recommend?items=C14-01:5,C06-01:10"],
    )
    bare = untyped_app(app, supplies_api.router)
    path = "/api/v1/supplies/allocation"
    route = next(r for r in supplies_api.router.routes if getattr(r, "path", "") == path)
    bare.add_api_route(route.path, route.endpoint, methods=["POST"], response_model=None)
    body = {
        "within": city.county_a,
        "demands": [
            {"name": "安置点甲", "lon": v.lon, "lat": v.lat, "items": {"C06-01": 30, "C14-01": 2}},
            {"name": "安置点乙", "lon": v.lon + 0.05, "lat": v.lat, "items": {"C06-01": 20}},
        ],
    }
    answers = []
    for client in (TestClient(bare), TestClient(app)):
        client.headers["Authorization"] = f"Bearer {tokens['commander']}"
        r = client.post(path, json=body)
        assert r.status_code == 200, r.text
        out = r.json()
        for plan in ("optimal", "greedy"):
            out[plan].pop("seconds")
        answers.append((out, list(out)))
    assert answers[0] == answers[1]

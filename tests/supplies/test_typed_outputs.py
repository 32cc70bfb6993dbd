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

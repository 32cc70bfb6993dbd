"""The supplies API on the demo city: scope (a village keeper moves only their store's stock),
idempotent documents, stock cards, gap report and its export, the stores map layer."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import select

from tests.supplies.conftest import balance, key, make_store, place, receive
from yingji.supplies.models import Warehouse


def town_store(city) -> int:
    with city.db.reading() as session:
        return session.scalar(select(Warehouse.id).where(Warehouse.code == f"CK{city.town_a}"))


def test_a_village_keeper_moves_only_their_own_store(city, keeper_login, api):
    k = keeper_login(city.village_a, "village")
    body = {
        "client_key": key(),
        "warehouse_id": k.warehouse_id,
        "lines": [{"item_code": "C11-01", "qty": 50}],
    }
    r = k.client.post("/api/v1/supplies/receipts", json=body)
    assert r.status_code == 201, r.text
    assert r.json()["lines"][0]["qty"] == 50 and balance(city.db, k.warehouse_id, "C11-01") == 50
    # Another store in the same village: visible, but not theirs to move.
    other = make_store(city.db, "village", city.village_a)
    assert k.client.get(f"/api/v1/supplies/warehouses/{other}").status_code == 200
    r = k.client.post("/api/v1/supplies/receipts", json=body | {"client_key": key(), "warehouse_id": other})
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_a_keeper"
    # A store of another town: not found when read, refused when written.
    far = make_store(city.db, "town", city.town_b)
    assert k.client.get(f"/api/v1/supplies/warehouses/{far}").status_code == 404
    r = k.client.post("/api/v1/supplies/issues", json=body | {"client_key": key(), "warehouse_id": far})
    assert r.status_code == 403 and r.json()["error"]["code"] == "out_of_jurisdiction"
    # Read-only users move nothing.
    r = api("viewer").post("/api/v1/supplies/receipts", json=body | {"client_key": key()})
    assert r.status_code == 403


def test_the_demo_keeper_keeps_the_town_store(city, api):
    store = town_store(city)
    c = api("keeper")
    detail = c.get(f"/api/v1/supplies/warehouses/{store}").json()
    assert detail["can_move"] is True and detail["keepers"]
    r = c.post(
        "/api/v1/supplies/receipts",
        json={"client_key": key(), "warehouse_id": store, "lines": [{"item_code": "C29-01", "qty": 3}]},
    )
    assert r.status_code == 201


def test_retries_and_reused_keys_over_the_api(city, api):
    store = make_store(city.db, "town", city.town_a)
    receive(city.db, store, [{"item_code": "C02-01", "qty": 30}])
    c = api("town")
    body = {"client_key": key(), "warehouse_id": store, "lines": [{"item_code": "C02-01", "qty": 4}]}
    first = c.post("/api/v1/supplies/issues", json=body)
    again = c.post("/api/v1/supplies/issues", json=body)
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["id"] == first.json()["id"] and again.json()["replayed"] is True
    assert balance(city.db, store, "C02-01") == 26
    r = c.post("/api/v1/supplies/issues", json=body | {"lines": [{"item_code": "C02-01", "qty": 5}]})
    assert r.status_code == 409 and r.json()["error"]["code"] == "client_key_reused"
    r = c.post(
        "/api/v1/supplies/issues",
        json=body | {"client_key": key(), "lines": [{"item_code": "C02-01", "qty": 99}]},
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_enough_stock"
    assert "26" in r.json()["error"]["message"]
    r = c.post("/api/v1/supplies/issues", json=body | {"client_key": "x", "lines": []})
    assert r.status_code == 422
    card = c.get(f"/api/v1/supplies/warehouses/{store}/cards/C02-01").json()
    assert [(x["delta"], x["balance"]) for x in card["items"]] == [(-4, 26), (30, 30)]


def test_transfer_and_confirmation_over_the_api(city, api):
    a = make_store(city.db, "town", city.town_a)
    b = make_store(city.db, "village", city.village_a)
    receive(city.db, a, [{"item_code": "C12-01", "qty": 10}])
    c = api("town")
    t = c.post(
        "/api/v1/supplies/transfers",
        json={
            "client_key": key(),
            "warehouse_id": a,
            "to_warehouse_id": b,
            "lines": [{"item_code": "C12-01", "qty": 6}],
        },
    ).json()
    assert t["status"] == "in_transit" and t["lines"][0]["in_transit"] == 6
    assert any(d["id"] == t["id"] for d in c.get(f"/api/v1/supplies/incoming?warehouse_id={b}").json())
    r = c.post(
        f"/api/v1/supplies/transfers/{t['id']}/receive",
        json={"client_key": key(), "lines": [{"line_no": 1, "received": 5, "returned": 1}]},
    )
    assert r.status_code == 200 and r.json()["status"] == "received"
    assert balance(city.db, a, "C12-01") == 5 and balance(city.db, b, "C12-01") == 5


def test_gap_report_and_its_export(city, api):
    c = api("county")
    towns = c.get(f"/api/v1/supplies/gaps?within={city.county_a}").json()["towns"]
    assert towns and all(t["code"].startswith(city.county_a) for t in towns)
    assert sum(len(t["villages_without_store"]) for t in towns) >= 0
    everywhere = api("admin").get("/api/v1/supplies/gaps").json()["towns"]
    assert sum(len(t["villages_without_store"]) for t in everywhere) > 0  # 2,911 of 2,947 villages have one
    stores = c.get(f"/api/v1/supplies/gaps?within={city.town_a}&by=store").json()["stores"]
    assert any(s["missing"] for s in stores)
    r = c.get(f"/api/v1/supplies/gaps.xlsx?within={city.town_a}")
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.content)).active
    assert sheet.cell(1, 2).value == "储备库(室)" and sheet.max_row > 1
    assert api("town").get(f"/api/v1/supplies/gaps?within={city.town_other_county}").status_code == 404


def test_reserve_standard_override_changes_the_gap(city, api):
    store = make_store(city.db, "village", city.village_a)
    c = api("town")
    before = next(
        s
        for s in c.get(f"/api/v1/supplies/gaps?within={city.village_a}&by=store").json()["stores"]
        if s["warehouse_id"] == store
    )
    assert before["missing"]["C11-01"] == 30
    r = c.put(
        "/api/v1/supplies/reserve-standards",
        json={"jurisdiction_code": city.village_a, "level": "village", "item_code": "C11-01", "quantity": 80},
    )
    assert r.status_code == 200
    after = next(
        s
        for s in c.get(f"/api/v1/supplies/gaps?within={city.village_a}&by=store").json()["stores"]
        if s["warehouse_id"] == store
    )
    assert after["missing"]["C11-01"] == 80
    assert (
        api("keeper")
        .put(
            "/api/v1/supplies/reserve-standards",
            json={
                "jurisdiction_code": city.village_a,
                "level": "village",
                "item_code": "C11-01",
                "quantity": 1,
            },
        )
        .status_code
        == 403
    )


def test_area_check_and_the_map_layer(city, api):
    small = make_store(city.db, "village", city.village_a, area=20)
    c = api("town")
    assert c.get(f"/api/v1/supplies/warehouses/{small}").json()["area_ok"] is False
    listed = c.get(f"/api/v1/supplies/warehouses?area_short=true&within={city.village_a}").json()["items"]
    assert small in [w["id"] for w in listed]
    v = place(city.db, city.village_a)
    bbox = f"{v.lon - 0.2},{v.lat - 0.2},{v.lon + 0.2},{v.lat + 0.2}"
    r = c.get(f"/api/v1/map/stores?bbox={bbox}")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/geo+json")
    features = r.json()["features"]
    assert small in [f["properties"]["id"] for f in features]
    assert all(f["geometry"]["type"] == "Point" for f in features)
    assert c.get("/api/v1/map/stores?bbox=1,2").status_code == 422


def test_catalogue_has_32_categories(city, api):
    body = api("viewer").get("/api/v1/supplies/catalogue").json()
    assert len(body["categories"]) == 32 and body["categories"][0]["name"] == "个体防护"
    assert all(cat["items"] for cat in body["categories"])


def test_catalogue_item_codes_are_written_only_by_the_owning_level(api):
    """Item codes are one namespace for every store: a town or county officer could squat codes
    the whole city then cannot use (issue 10)."""
    item = {"code": "LOCAL-TENT-9", "name": "本地帐篷", "category": "C01", "unit": "顶"}
    for user in ("town", "county", "keeper", "viewer"):
        r = api(user).post("/api/v1/supplies/catalogue/items", json=item)
        assert r.status_code == 403, (user, r.text)
    assert "LOCAL-TENT-9" not in api("staff").get("/api/v1/supplies/catalogue").text
    r = api("staff").post("/api/v1/supplies/catalogue/items", json=item)  # city department staff
    assert r.status_code == 201, r.text
    assert api("admin").post("/api/v1/supplies/catalogue/items", json=item).status_code == 409

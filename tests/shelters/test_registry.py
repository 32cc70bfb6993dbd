"""The shelter registry: register, read, change in scope and audited; capacity from area per class;
status moves along the one table (409 out of order), close refused while people are in."""

from __future__ import annotations

from sqlalchemy import select

from tests.shelters.conftest import key, shelter_body
from yingji.auth.models import AuditEntry
from yingji.shelters import standards
from yingji.shelters.models import ShelterEvent


def test_register_read_change_in_scope_and_audited(city, api):
    town = api("town")
    r = town.post("/api/v1/shelters", json=shelter_body(city.town_a))
    assert r.status_code == 201, r.text
    s = r.json()
    assert s["code"].startswith(f"BN{city.town_a[:6]}-")
    assert s["capacity"] == 2500 and not s["capacity_stated"]  # 5000 m² ÷ 2.0 m² (short term)
    assert (
        s["status"] == "closed" and s["status_label"] == "未启用" and s["class_label"] == "固定避难场所(短期)"
    )
    assert s["service_radius_m"] == 2000

    assert api("county").get(f"/api/v1/shelters/{s['id']}").status_code == 200
    assert api("town_b").get(f"/api/v1/shelters/{s['id']}").status_code == 404
    assert api("town_b").patch(f"/api/v1/shelters/{s['id']}", json={"name": "x"}).status_code == 404
    assert api("gridleader").post("/api/v1/shelters", json=shelter_body(city.village_a)).status_code == 403
    assert town.post("/api/v1/shelters", json=shelter_body(city.town_b)).status_code == 403

    changed = town.patch(
        f"/api/v1/shelters/{s['id']}", json={"usable_area_m2": 9000, "shelter_class": "long"}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["capacity"] == 2000  # 9000 ÷ 4.5
    stated = town.patch(f"/api/v1/shelters/{s['id']}", json={"capacity": 1234}).json()
    assert stated["capacity"] == 1234 and stated["capacity_stated"]
    back = town.patch(f"/api/v1/shelters/{s['id']}", json={"capacity": None}).json()
    assert back["capacity"] == 2000 and not back["capacity_stated"]

    listed = town.get("/api/v1/shelters", params={"within": city.town_a, "shelter_class": "long"}).json()
    assert s["id"] in [i["id"] for i in listed["items"]]
    assert s["id"] not in [i["id"] for i in api("town_b").get("/api/v1/shelters").json()["items"]]

    detail = api("viewer").get(f"/api/v1/shelters/{s['id']}").json()
    assert detail["managers"][0]["mobile"] == "139****1111"  # viewer lacks contact.phone
    assert any(f["key"] == "lodging_area" and f["required"] and not f["present"] for f in detail["checklist"])

    with city.db.reading() as session:
        actions = session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.entity == "shelters", AuditEntry.entity_id == str(s["id"]))
            .order_by(AuditEntry.id)
        ).all()
    assert actions[0] == "create" and "update" in actions


def test_bad_input_is_a_clear_error(city, api):
    town = api("town")
    r = town.post("/api/v1/shelters", json=shelter_body(city.town_a, facilities={"jacuzzi": True}))
    assert r.status_code == 422
    r = town.post("/api/v1/shelters", json=shelter_body(city.town_a, level="galaxy"))
    assert r.status_code == 422 and r.json()["error"]["message"]
    code = f"DUP{key()[:8]}"
    assert town.post("/api/v1/shelters", json=shelter_body(city.town_a, code=code)).status_code == 201
    dup = town.post("/api/v1/shelters", json=shelter_body(city.town_a, code=code))
    assert dup.status_code == 409 and dup.json()["error"]["message_en"]


def test_capacity_from_area_by_class():
    assert standards.capacity(1000, None, "emergency") == 1000  # default 1.0 m² (0.5–1.0, unconfirmed)
    assert standards.capacity(1000, None, "short") == 500
    assert standards.capacity(1000, None, "medium") == 333
    assert standards.capacity(1000, None, "long") == 222
    assert standards.capacity(1000, 2.5, "long") == 400  # the registry's own area per person
    assert standards.capacity(None, None, "long") == 0
    t = standards.table()
    assert t["version"] and t["source"] and t["min_site_area_m2"]["value"] == 2000


def test_area_setting(monkeypatch):
    monkeypatch.setenv("YINGJI_SHELTER_AREA_EMERGENCY", "0.5")
    assert standards.capacity(1000, None, "emergency") == 2000


def test_status_moves_and_close_with_people(city, api, make_shelter):
    town = api("town")
    s = make_shelter(opened=False, usable_area_m2=100)  # 50 places
    again_closed = town.post(f"/api/v1/shelters/{s['id']}/close", json={})
    assert again_closed.status_code == 409 and "未启用" in again_closed.json()["error"]["message"]
    opened = town.post(f"/api/v1/shelters/{s['id']}/open", json={"order_id": 77, "note": "暴雨"})
    assert opened.json()["status"] == "open"
    assert town.post(f"/api/v1/shelters/{s['id']}/open", json={}).status_code == 409
    c = town.post(
        f"/api/v1/shelters/{s['id']}/checkins", json={"client_key": key(), "name": "张三", "people": 3}
    )
    assert c.status_code == 201, c.text
    refused = town.post(f"/api/v1/shelters/{s['id']}/close", json={})
    assert refused.status_code == 409 and refused.json()["error"]["message_en"].startswith("3 people")
    closed = town.post(f"/api/v1/shelters/{s['id']}/close", json={"override_note": "转移到县中心"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    with city.db.reading() as session:
        kinds = session.scalars(
            select(ShelterEvent.kind).where(ShelterEvent.shelter_id == s["id"]).order_by(ShelterEvent.id)
        ).all()
        first = session.scalar(
            select(ShelterEvent).where(ShelterEvent.shelter_id == s["id"]).order_by(ShelterEvent.id)
        )
        overrides = session.scalars(
            select(AuditEntry.note).where(
                AuditEntry.entity == "shelters",
                AuditEntry.entity_id == str(s["id"]),
                AuditEntry.action == "override",
            )
        ).all()
    assert kinds == ["opened", "closed"] and first.order_id == 77
    assert overrides and "转移到县中心" in overrides[0]


def test_open_without_capacity_refused(api, make_shelter):
    s = make_shelter(opened=False, usable_area_m2=0)
    r = api("town").post(f"/api/v1/shelters/{s['id']}/open", json={})
    assert r.status_code == 409


def test_inspection_and_removal(api, make_shelter):
    town = api("town")
    s = make_shelter(opened=False)
    r = town.post(
        f"/api/v1/shelters/{s['id']}/inspections",
        json={"on": "2026-11-30", "by_name": "检查员", "passed": False, "note": "标志缺失"},
    )
    assert r.status_code == 201, r.text
    detail = town.get(f"/api/v1/shelters/{s['id']}").json()
    assert detail["inspections"][0]["note"] == "标志缺失" and detail["last_inspected_at"]
    assert detail["events"][0]["kind"] == "inspected"
    assert (
        api("viewer").post(f"/api/v1/shelters/{s['id']}/inspections", json={"on": "2026-11-30"}).status_code
        == 403
    )
    assert town.delete(f"/api/v1/shelters/{s['id']}").status_code == 204
    assert town.get(f"/api/v1/shelters/{s['id']}").status_code == 404

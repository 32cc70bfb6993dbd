"""People through the API: validation, conflicts, audit."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import unique_mobile
from yingji.auth.models import AuditEntry


def test_create_update_deactivate_person_with_audit(api, city):
    town = api("town")
    mobile = unique_mobile()
    r = town.post(
        "/api/v1/people",
        json={
            "name": "张测试",
            "gender": "F",
            "mobile": mobile,
            "jurisdiction_code": city.village_a,
            "title": "灾害信息员",
        },
    )
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    r = town.patch(f"/api/v1/people/{pid}", json={"title": "应急网格员"})
    assert r.status_code == 200 and r.json()["title"] == "应急网格员"
    assert town.delete(f"/api/v1/people/{pid}").status_code == 204
    assert town.get("/api/v1/people", params={"q": mobile}).json()["total"] == 0
    with city.db.reading() as session:
        entries = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity == "people", AuditEntry.entity_id == str(pid))
            .order_by(AuditEntry.id)
        ).all()
    assert [e.action for e in entries] == ["create", "update", "update"]
    assert all(e.actor == "town" for e in entries)
    assert entries[0].after["mobile"] == mobile
    assert entries[1].before == {"title": "灾害信息员"} and entries[1].after == {"title": "应急网格员"}
    assert entries[2].after == {"active": False}
    assert entries[0].jurisdiction_code == city.village_a


def test_audit_log_api_is_scoped_and_permissioned(api, city):
    town = api("town")
    pid = town.post("/api/v1/people", json={"name": "审计", "jurisdiction_code": city.town_a}).json()["id"]
    assert api("duty").get("/api/v1/audit").status_code == 403
    log = api("county").get("/api/v1/audit", params={"entity": "people", "entity_id": str(pid)}).json()
    assert log["total"] == 1 and log["items"][0]["action"] == "create"
    other_county = (
        api("admin").get("/api/v1/audit", params={"entity": "people", "entity_id": str(pid)}).json()
    )
    assert other_county["total"] == 1


def test_bad_input_gets_clear_bilingual_errors(api, city):
    town = api("town")
    r = town.post("/api/v1/people", json={"name": "", "mobile": "12345", "jurisdiction_code": "xx"})
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["message"] == "提交的数据有误。" and err["message_en"] == "The submitted data is not valid."
    assert {d["field"] for d in err["details"]} >= {"name", "mobile", "jurisdiction_code"}
    r = town.post("/api/v1/people", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert town.get("/api/v1/people/not-a-number").status_code == 422
    assert town.get("/api/v1/people", params={"page": 0}).status_code == 422
    assert (
        town.post("/api/v1/people", json={"name": "x", "jurisdiction_code": "520602999999"}).status_code
        == 403
    )
    r = town.post("/api/v1/people", json={"name": "x", "jurisdiction_code": city.town_a, "extra": 1})
    assert r.status_code == 422


def test_mobile_numbers_are_unique(api, city):
    town = api("town")
    mobile = unique_mobile()
    assert (
        town.post(
            "/api/v1/people", json={"name": "甲", "mobile": mobile, "jurisdiction_code": city.town_a}
        ).status_code
        == 201
    )
    r = town.post("/api/v1/people", json={"name": "乙", "mobile": mobile, "jurisdiction_code": city.town_a})
    assert r.status_code == 409
    assert mobile in r.json()["error"]["message"]


def test_search_by_name_number_and_place(api, city):
    duty = api("duty")
    first = duty.get("/api/v1/people", params={"within": city.village_a}).json()["items"][0]
    by_name = duty.get("/api/v1/people", params={"q": first["name"], "within": city.town_a}).json()
    assert first["id"] in [p["id"] for p in by_name["items"]]
    by_number = duty.get("/api/v1/people", params={"q": first["mobile"][:7]}).json()
    assert first["id"] in [p["id"] for p in by_number["items"]]
    workers = duty.get("/api/v1/people", params={"grid_role": "worker", "within": city.group_a}).json()
    assert workers["total"] >= 1
    assert all(p["jurisdiction_code"] == city.group_a for p in workers["items"])

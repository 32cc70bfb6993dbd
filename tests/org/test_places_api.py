"""Places, grid and units through the API, with counts that add up."""

from __future__ import annotations

from sqlalchemy import func, select

from yingji.org.models import GridAssignment, Jurisdiction


def test_tree_counts_add_up(api, city):
    kids = api("duty").get(f"/api/v1/jurisdictions/{city.county_a}/children").json()
    with city.db.reading() as session:
        villages = session.scalar(
            select(func.count()).where(
                Jurisdiction.level == "village", Jurisdiction.code.startswith(city.county_a)
            )
        )
        workers = session.scalar(
            select(func.count(func.distinct(GridAssignment.person_id))).where(
                GridAssignment.role == "worker", GridAssignment.jurisdiction_code.startswith(city.county_a)
            )
        )
    assert sum(k["counts"]["village"] for k in kids) == villages
    assert sum(k["counts"]["grid_workers"] for k in kids) == workers
    place = api("duty").get(f"/api/v1/jurisdictions/{city.county_a}").json()
    assert place["division_code"] == city.county_a + "000000"
    assert place["counts"]["village"] == villages


def test_jurisdiction_search_and_bad_codes(api, city):
    found = api("duty").get("/api/v1/jurisdictions", params={"q": "碧江"}).json()
    assert found[0]["code"] == city.county_a
    r = api("duty").get("/api/v1/jurisdictions/not-a-code")
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["message"] == "不是有效的区划代码。"


def test_grid_cells_three_levels(api, city):
    for level in (1, 2, 3):
        page = api("duty").get("/api/v1/grid-cells", params={"level": level, "within": city.town_a}).json()
        assert page["total"] > 0
        assert all(c["level"] == level for c in page["items"])
    cell = api("duty").get("/api/v1/grid-cells", params={"level": 3, "q": city.group_a}).json()["items"][0]
    assert cell["leaders"] and cell["workers"]
    town_cell = (
        api("duty").get("/api/v1/grid-cells", params={"level": 1, "q": city.town_a}).json()["items"][0]
    )
    assert len(town_cell["leaders"]) == 2  # 书记 and 乡镇长: the town's two grid leaders


def test_assign_and_unassign_grid_worker(api, city):
    town = api("town")
    cell = town.get("/api/v1/grid-cells", params={"level": 3, "q": city.group_a}).json()["items"][0]
    person = town.post(
        "/api/v1/people", json={"name": "新网格员", "jurisdiction_code": city.group_a, "title": "应急网格员"}
    ).json()
    r = town.post(
        f"/api/v1/grid-cells/{cell['id']}/assignments", json={"person_id": person["id"], "role": "worker"}
    )
    assert r.status_code == 201
    again = town.post(
        f"/api/v1/grid-cells/{cell['id']}/assignments", json={"person_id": person["id"], "role": "worker"}
    )
    assert again.status_code == 409
    assert again.json()["error"]["message"] == "此人已在该网格担任此角色。"
    bad_role = town.post(
        f"/api/v1/grid-cells/{cell['id']}/assignments", json={"person_id": person["id"], "role": "boss"}
    )
    assert bad_role.status_code == 422
    assert town.delete(f"/api/v1/grid-assignments/{r.json()['id']}").status_code == 204
    workers = town.get(f"/api/v1/grid-cells/{cell['id']}").json()["workers"]
    assert person["id"] not in [w["person_id"] for w in workers]


def test_units_hq_structure(api, city):
    duty = api("duty")
    hqs = duty.get("/api/v1/units", params={"kind": "special_hq", "within": city.city, "size": 200}).json()
    city_hqs = [u for u in hqs["items"] if u["jurisdiction_code"] == city.city]
    assert len(city_hqs) == 17
    names = {u["name"] for u in city_hqs}
    for topic in (
        "生产安全事故",
        "煤矿生产安全事故",
        "抗震救灾",
        "森林防灭火",
        "防汛抗旱",
        "地质灾害",
        "道路交通",
        "危险化学品",
        "消防",
    ):
        assert any(topic in n for n in names), topic
    flood = next(u for u in city_hqs if u["topic"] == "flood_drought")
    detail = duty.get(f"/api/v1/units/{flood['id']}").json()
    assert detail["positions"][0]["title"] == "指挥长"
    assert any(m["role"] == "lead" and "水务局" in m["member"] for m in detail["memberships"])
    assert detail["responsibilities"]
    committee = duty.get(
        "/api/v1/units", params={"kind": "emergency_committee", "within": city.town_a}
    ).json()
    chairs = [p for p in committee["items"][0]["positions"] if p["title"] == "主任"]
    assert len(chairs) == 2  # 双主任


def test_create_and_update_unit_with_responsibilities(api, city):
    county = api("county")
    unit = {
        "code": "520602-TEST-1",
        "name": "碧江区测试成员单位",
        "kind": "member_unit",
        "jurisdiction_code": city.county_a,
        "responsibilities": ["负责辖区防汛物资调运", "参与森林火灾扑救"],
    }
    r = county.post("/api/v1/units", json=unit)
    assert r.status_code == 201, r.text
    body = r.json()
    assert [x["topics"] for x in body["responsibilities"]] == ["flood_drought", "forest_fire"]
    assert county.post("/api/v1/units", json=unit).status_code == 409
    patched = county.patch(f"/api/v1/units/{body['id']}", json={"responsibilities": ["负责地质灾害巡查"]})
    assert [x["text"] for x in patched.json()["responsibilities"]] == ["负责地质灾害巡查"]
    bad = county.post("/api/v1/units", json=unit | {"code": "520602-TEST-2", "kind": "secret_police"})
    assert bad.status_code == 422
    outside = county.post(
        "/api/v1/units", json=unit | {"code": "520602-TEST-3", "jurisdiction_code": city.county_b}
    )
    assert outside.status_code == 403

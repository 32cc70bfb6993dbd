"""Planned enforcement: the yearly plan covers every key-class enterprise (and regenerating it adds
the new ones), inspections count toward it and bring their hidden dangers into the loop."""

from __future__ import annotations

from tests.risk.conftest import enterprise, key
from yingji.risk.dangers import today


def test_the_plan_covers_every_key_enterprise(city, api):
    county = api("county")
    year = today().year + 3  # a year of its own: nothing else plans it
    r = county.post("/api/v1/risk/plans", json={"jurisdiction_code": city.county_a, "year": year})
    assert r.status_code == 201, r.text
    plan = r.json()
    assert plan["coverage"]["key_missing"] == 0 and plan["added"] > 0
    key_rows = [c for c in plan["coverage"]["classes"] if c["key"]]
    assert key_rows and all(c["planned"] == c["enterprises"] for c in key_rows)
    sampled = [c for c in plan["coverage"]["classes"] if not c["key"] and c["enterprises"] > 50]
    assert all(0 < c["planned"] < c["enterprises"] for c in sampled)

    newcomer = enterprise(api("town"), city.village_a, major_hazard=True, major_hazard_grade=4)
    assert newcomer["enforcement_class"] == "A"
    missing = county.get(f"/api/v1/risk/plans/{plan['id']}").json()["coverage"]["key_missing"]
    assert missing == 1
    again = county.post("/api/v1/risk/plans", json={"jurisdiction_code": city.county_a, "year": year}).json()
    assert again["id"] == plan["id"] and again["added"] == 1 and again["coverage"]["key_missing"] == 0

    town_view = api("town").get(f"/api/v1/risk/plans/{plan['id']}").json()  # the town's part of it
    assert all(i["enterprise_id"] for i in town_view["items"]["items"])
    assert town_view["coverage"]["classes"][0]["enterprises"] < again["coverage"]["classes"][0]["enterprises"]
    town_post = api("town").post(
        "/api/v1/risk/plans", json={"jurisdiction_code": city.county_a, "year": year}
    )
    assert town_post.status_code == 404  # the county is not a place the town sees
    leader_post = api("gridleader").post(
        "/api/v1/risk/plans", json={"jurisdiction_code": city.village_a, "year": year}
    )
    assert leader_post.status_code == 403
    assert api("town_b").get(f"/api/v1/risk/plans/{plan['id']}").status_code == 200
    assert (
        api("county")
        .post("/api/v1/risk/plans", json={"jurisdiction_code": city.county_b, "year": year})
        .status_code
        == 404
    )


def test_an_inspection_counts_and_brings_its_dangers(city, api):
    county, town = api("county"), api("town")
    e = enterprise(town, city.village_a, industry="non_coal_mine", scale="small")
    assert e["enforcement_class"] == "A"
    plan = county.post(
        "/api/v1/risk/plans", json={"jurisdiction_code": city.county_a, "year": today().year}
    ).json()
    body = {
        "enterprise_id": e["id"],
        "kind": "planned",
        "inspectors": "张三、李四",
        "findings": "边坡台阶超高",
        "orders": ["rectify", "fine"],
        "penalty_cny": 20000,
        "dangers": [
            {"title": "采场边坡超高超陡", "category": "geological"},
            {"title": "炸药库台账不全", "category": "management"},
        ],
        "client_key": key(),
    }
    r = town.post("/api/v1/risk/inspections", json=body)
    assert r.status_code == 201, r.text
    visit = r.json()
    assert visit["dangers_found"] == 2 and len(visit["danger_ids"]) == 2
    again = town.post("/api/v1/risk/inspections", json=body).json()
    assert again["id"] == visit["id"]  # same client key, same record
    dangers = [town.get(f"/api/v1/risk/dangers/{i}").json() for i in visit["danger_ids"]]
    assert {d["status"] for d in dangers} == {"registered"} and {d["source"] for d in dangers} == {
        "inspection"
    }
    items = county.get(f"/api/v1/risk/plans/{plan['id']}", params={"page": 1}).json()
    mine = county.get("/api/v1/risk/inspections", params={"enterprise_id": e["id"]}).json()
    assert mine["total"] == 1
    cov = {
        c["class"]: c for c in county.get(f"/api/v1/risk/plans/{plan['id']}").json()["coverage"]["classes"]
    }
    assert cov["A"]["inspected"] >= 1 and items["coverage"]["key_missing"] == 0
    bad = town.post("/api/v1/risk/inspections", json=body | {"orders": ["shoot"], "client_key": key()})
    assert bad.status_code == 422
    assert (
        api("gridworker").post("/api/v1/risk/inspections", json=body | {"client_key": key()}).status_code
        == 404
    )
    assert (
        api("gridleader").post("/api/v1/risk/inspections", json=body | {"client_key": key()}).status_code
        == 403
    )

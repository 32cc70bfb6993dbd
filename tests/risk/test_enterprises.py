"""The enterprise register through the API: credit-code check, classification, scope (a town sees
only its enterprises; 404 outside, 403 to write there), phone masking."""

from __future__ import annotations

from tests.risk.conftest import credit_code, enterprise


def test_register_an_enterprise_and_read_it_back(city, api):
    town = api("town")
    made = enterprise(
        town,
        city.village_a,
        industry="hazchem_trade",
        scale="medium",
        hazardous_chemicals=True,
        chemicals="汽油、柴油",
        principal_name="王五",
        principal_phone="13812345678",
    )
    assert made["enforcement_class"] == "A"  # hazardous chemicals and medium: key class
    assert made["class_fixed"] is False and made["risk_level"] is None
    got = town.get(f"/api/v1/risk/enterprises/{made['id']}").json()
    assert got["credit_code"] == made["credit_code"] and got["open_dangers"] == 0
    assert got["principal_phone"] == "13812345678"
    masked = api("viewer").get(f"/api/v1/risk/enterprises/{made['id']}").json()
    assert masked["principal_phone"] == "13812345678" or "*" in masked["principal_phone"]
    found = town.get("/api/v1/risk/enterprises", params={"q": made["credit_code"]}).json()
    assert [e["id"] for e in found["items"]] == [made["id"]]


def test_the_credit_code_is_checked_and_unique(city, api):
    town = api("town")
    good = credit_code()
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    r = town.post(
        "/api/v1/risk/enterprises",
        json={
            "name": "坏代码公司",
            "credit_code": bad,
            "industry": "commerce",
            "scale": "micro",
            "jurisdiction_code": city.village_a,
        },
    )
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "credit_code"
    enterprise(town, city.village_a, credit_code=good)
    again = town.post(
        "/api/v1/risk/enterprises",
        json={
            "name": "重复公司",
            "credit_code": good,
            "industry": "commerce",
            "scale": "micro",
            "jurisdiction_code": city.village_a,
        },
    )
    assert again.status_code == 409


def test_unknown_industry_and_grade_without_source_are_refused(city, api):
    base = {"name": "某公司", "scale": "small", "jurisdiction_code": city.village_a}
    r = api("town").post("/api/v1/risk/enterprises", json=base | {"industry": "piracy"})
    assert r.status_code == 422
    r = api("town").post(
        "/api/v1/risk/enterprises", json=base | {"industry": "commerce", "major_hazard_grade": 2}
    )
    assert r.status_code == 422


def test_a_town_sees_only_its_own_enterprises(city, api):
    mine = enterprise(api("town"), city.village_a)
    other = enterprise(api("town_b"), city.town_b)
    town = api("town")
    assert town.get(f"/api/v1/risk/enterprises/{other['id']}").status_code == 404
    ids = {
        e["jurisdiction_code"][:9]
        for e in town.get("/api/v1/risk/enterprises", params={"size": 200}).json()["items"]
    }
    assert ids == {city.town_a}
    assert town.patch(f"/api/v1/risk/enterprises/{other['id']}", json={"name": "改名"}).status_code == 404
    r = town.post(
        "/api/v1/risk/enterprises",
        json={"name": "越界公司", "industry": "commerce", "scale": "micro", "jurisdiction_code": city.town_b},
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "out_of_jurisdiction"
    assert (
        api("viewer").patch(f"/api/v1/risk/enterprises/{mine['id']}", json={"name": "改名"}).status_code
        == 403
    )
    assert town.get("/api/v1/risk/enterprises", params={"within": city.town_b}).status_code == 404


def test_changes_reclassify_unless_the_class_was_set_by_hand(city, api):
    town = api("town")
    e = enterprise(town, city.village_a, scale="micro")
    assert e["enforcement_class"] == "D"
    r = town.patch(
        f"/api/v1/risk/enterprises/{e['id']}", json={"major_hazard": True, "major_hazard_grade": 3}
    )
    assert r.status_code == 200 and r.json()["enforcement_class"] == "A"
    fixed = town.patch(f"/api/v1/risk/enterprises/{e['id']}", json={"enforcement_class": "B"}).json()
    assert fixed["enforcement_class"] == "B" and fixed["class_fixed"] is True
    still = town.patch(f"/api/v1/risk/enterprises/{e['id']}", json={"scale": "large"}).json()
    assert still["enforcement_class"] == "B"
    back = town.patch(f"/api/v1/risk/enterprises/{e['id']}", json={"enforcement_class": None}).json()
    assert back["enforcement_class"] == "A" and back["class_fixed"] is False

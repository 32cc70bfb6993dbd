"""Risk points and their LEC / LS assessments under the local settings; the enterprise takes the
highest level; the settings are set per jurisdiction and inherited below."""

from __future__ import annotations

from tests.risk.conftest import enterprise


def point(client, enterprise_id: int, name: str = "配电室") -> dict:
    r = client.post("/api/v1/risk/points", json={"enterprise_id": enterprise_id, "name": name})
    assert r.status_code == 201, r.text
    return r.json()


def test_assessments_set_the_point_and_the_enterprise_level(city, api):
    town = api("town")
    e = enterprise(town, city.village_a)
    p1, p2 = point(town, e["id"]), point(town, e["id"], "仓库")
    r = town.post(
        f"/api/v1/risk/points/{p1['id']}/assessments", json={"method": "LEC", "l": 10, "e": 1, "c": 7}
    )
    assert r.status_code == 201 and r.json()["score"] == 70 and r.json()["band"] == "general"
    assert town.get(f"/api/v1/risk/enterprises/{e['id']}").json()["risk_level"] == r.json()["level"]
    r2 = town.post(f"/api/v1/risk/points/{p2['id']}/assessments", json={"method": "LS", "l": 5, "s": 4})
    assert r2.status_code == 201 and r2.json()["level"] == "major" and r2.json()["colour"] == "red"
    got = town.get(f"/api/v1/risk/enterprises/{e['id']}").json()
    assert got["risk_level"] == "major" and got["risk_colour"] == "red"
    detail = town.get(f"/api/v1/risk/points/{p2['id']}").json()
    assert detail["control_level"] == "company" and len(detail["assessments"]) == 1
    bad = town.post(
        f"/api/v1/risk/points/{p1['id']}/assessments", json={"method": "LEC", "l": 4, "e": 1, "c": 7}
    )
    assert bad.status_code == 422


def test_banding_follows_the_local_setting(city, api):
    """The county switches to mapping B and the alternative LS banding; the town below inherits it."""
    county, town = api("county"), api("town")
    e = enterprise(town, city.village_a)
    p = point(town, e["id"])
    try:
        assert town.put(f"/api/v1/risk/settings/{city.town_a}", json={"lec_mapping": "B"}).status_code == 403
        r = county.put(
            f"/api/v1/risk/settings/{city.county_a}",
            json={"lec_mapping": "B", "ls_banding": "alternative", "source": "测试文件"},
        )
        assert r.status_code == 200, r.text
        inherited = town.get(f"/api/v1/risk/settings/{city.village_a}").json()
        assert inherited["lec_mapping"] == "B" and inherited["set_by"]["lec_mapping"] == city.county_a
        a = town.post(
            f"/api/v1/risk/points/{p['id']}/assessments", json={"method": "LEC", "l": 10, "e": 1, "c": 7}
        )
        assert a.json()["level"] == "low" and a.json()["banding"] == "LEC:B"  # D = 70 under B
        s = town.get("/api/v1/risk/score", params={"method": "LS", "l": 2, "s": 5, "place": city.village_a})
        assert s.json()["level"] == "high"  # R = 10: 较大 under the alternative banding
        own = town.get("/api/v1/risk/score", params={"method": "LS", "l": 2, "s": 5, "place": city.town_b})
        assert own.status_code == 404  # another town's settings are not the town's to read
    finally:
        county.put(f"/api/v1/risk/settings/{city.county_a}", json={"lec_mapping": None, "ls_banding": None})
    back = town.post(
        f"/api/v1/risk/points/{p['id']}/assessments", json={"method": "LEC", "l": 10, "e": 1, "c": 7}
    )
    assert back.json()["level"] == "general" and back.json()["banding"] == "LEC:A"


def test_public_places_and_scope(city, api):
    town = api("town")
    r = town.post(
        "/api/v1/risk/points",
        json={
            "place_kind": "waters",
            "name": "测试河段",
            "jurisdiction_code": city.village_a,
            "lon": 109.2,
            "lat": 27.7,
        },
    )
    assert r.status_code == 201
    pid = r.json()["id"]
    assert api("town_b").get(f"/api/v1/risk/points/{pid}").status_code == 404
    assert (
        api("town_b")
        .post(f"/api/v1/risk/points/{pid}/assessments", json={"method": "LS", "l": 1, "s": 1})
        .status_code
        == 404
    )
    assert (
        town.post(
            "/api/v1/risk/points", json={"name": "无类型", "jurisdiction_code": city.village_a}
        ).status_code
        == 422
    )
    assert (
        api("gridleader")  # may see it, may not assess it
        .post(f"/api/v1/risk/points/{pid}/assessments", json={"method": "LS", "l": 1, "s": 1})
        .status_code
        == 403
    )


def test_the_risk_map_colours_by_the_highest_level(city, api):
    town = api("town")
    e = enterprise(town, city.village_a, lon=109.3001, lat=27.6001)
    p = point(town, e["id"])
    town.post(f"/api/v1/risk/points/{p['id']}/assessments", json={"method": "LS", "l": 4, "s": 4})
    r = town.get("/api/v1/map/risk", params={"bbox": "109.30,27.60,109.3002,27.6002"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/geo+json")
    features = [f for f in r.json()["features"] if f["properties"]["id"] == e["id"]]
    assert features and features[0]["properties"]["colour"] == "orange"
    assert (
        api("town_b")
        .get("/api/v1/map/risk", params={"bbox": "109.30,27.60,109.3002,27.6002"})
        .json()["features"]
        == []
    )
    assert town.get("/api/v1/map/risk", params={"bbox": "1,2"}).status_code == 422
    high_only = town.get("/api/v1/map/risk", params={"min_level": "major"}).json()["features"]
    assert all(f["properties"]["level"] == "major" for f in high_only)

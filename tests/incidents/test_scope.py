"""Scope: a town sees only its incidents, the county and the city all of theirs; 404 outside, 403 for
writes without the permission."""

from __future__ import annotations

from tests.incidents.conftest import first_report, point_in


def test_a_town_sees_only_its_incidents_the_city_all(city, api):
    mine = first_report(api("town"), city.db, city.group_a, title="甲镇测试事件").json()
    theirs = first_report(api("town_b"), city.db, city.town_b, title="乙镇测试事件").json()

    def numbers(user: str, **params) -> set[str]:
        out, after = set(), None
        while True:
            page = (
                api(user).get("/api/v1/incidents", params=params | ({"after": after} if after else {})).json()
            )
            out |= {i["number"] for i in page["items"]}
            after = page["next"]
            if not after:
                return out

    assert mine["number"] in numbers("town", q="甲镇测试") and theirs["number"] not in numbers(
        "town", q="乙镇测试"
    )
    assert theirs["number"] in numbers("town_b", q="乙镇测试") and mine["number"] not in numbers(
        "town_b", q="甲镇测试"
    )
    assert {mine["number"], theirs["number"]} <= numbers("duty", q="镇测试事件")
    assert {mine["number"], theirs["number"]} <= numbers("county", q="镇测试事件")

    assert api("town_b").get(f"/api/v1/incidents/{mine['id']}").status_code == 404
    assert api("town").get(f"/api/v1/incidents/{theirs['id']}").status_code == 404
    assert api("duty").get(f"/api/v1/incidents/{mine['id']}").status_code == 200
    assert (
        api("town_b").post(f"/api/v1/incidents/{mine['id']}/reports", json={"text": "x"}).status_code == 404
    )
    assert (
        api("viewer").post(f"/api/v1/incidents/{mine['id']}/reports", json={"text": "x"}).status_code == 403
    )
    assert api("viewer").post(f"/api/v1/incidents/{mine['id']}/verify").status_code == 403
    assert api("gridworker").post(f"/api/v1/incidents/{mine['id']}/verify").status_code == 403
    assert api("town").post(f"/api/v1/incidents/{mine['id']}/verify").json()["status"] == "verified"
    assert api("town").post(f"/api/v1/incidents/{mine['id']}/verify").status_code == 409
    lon, lat = point_in(city.db, city.town_b)
    assert (
        api("viewer")
        .post("/api/v1/incidents", json={"category": "accident.fire", "lon": lon, "lat": lat})
        .status_code
        == 403
    )
    # Narrowing to a place one cannot see is a 404 too.
    assert api("town").get("/api/v1/incidents", params={"within": city.town_b}).status_code == 404


def test_list_filters_and_keyset_pages(city, api):
    for n in range(3):
        first_report(
            api("town"), city.db, city.group_a, category="natural.flood_drought", title=f"分页测试{n}"
        )
    first = api("town").get("/api/v1/incidents", params={"q": "分页测试", "size": 2}).json()
    assert first["total"] == 3 and len(first["items"]) == 2 and first["next"]
    second = (
        api("town")
        .get("/api/v1/incidents", params={"q": "分页测试", "size": 2, "after": first["next"]})
        .json()
    )
    assert len(second["items"]) == 1 and second["next"] is None
    assert {i["title"] for i in first["items"] + second["items"]} == {"分页测试0", "分页测试1", "分页测试2"}
    by_cat = api("town").get("/api/v1/incidents", params={"q": "分页测试", "category": "natural"}).json()
    assert by_cat["total"] == 3
    assert (
        api("town").get("/api/v1/incidents", params={"q": "分页测试", "category": "accident"}).json()["total"]
        == 0
    )
    assert (
        api("town").get("/api/v1/incidents", params={"q": "分页测试", "status": "verified"}).json()["total"]
        == 0
    )
    assert api("town").get("/api/v1/incidents", params={"status": "nonsense"}).status_code == 422
    assert api("town").get("/api/v1/incidents", params={"after": "garbage"}).status_code == 422


def test_map_layer_in_scope(city, api):
    mine = first_report(api("town"), city.db, city.group_a).json()
    lon, lat = mine["lon"], mine["lat"]
    bbox = f"{lon - 0.01},{lat - 0.01},{lon + 0.01},{lat + 0.01}"
    fc = api("town").get(f"/api/v1/map/incidents?bbox={bbox}").json()
    assert mine["id"] in {f["properties"]["id"] for f in fc["features"]}
    other = api("town_b").get(f"/api/v1/map/incidents?bbox={bbox}").json()
    assert mine["id"] not in {f["properties"]["id"] for f in other["features"]}
    assert api("town").get("/api/v1/map/incidents?bbox=1,2,x,4").status_code == 422


def test_the_shared_count_is_per_scope_and_moves_with_a_new_incident(city, api):
    """A list's count is shared by the users of one jurisdiction asking alike: never another
    scope's, and a new incident counts at once (its commit drops the shared count)."""
    import uuid

    word = f"计数{uuid.uuid4().hex[:6]}"

    def total(user: str) -> int:
        r = api(user).get("/api/v1/incidents", params={"q": word})
        assert r.status_code == 200, r.text
        return r.json()["total"]

    assert (total("town"), total("town_b"), total("county")) == (0, 0, 0)
    assert total("town") == 0  # again, shared now
    assert first_report(api("town"), city.db, city.group_a, title=f"{word}甲").status_code == 201
    assert (total("town"), total("town_b"), total("county")) == (1, 0, 1)
    assert first_report(api("town_b"), city.db, city.town_b, title=f"{word}乙").status_code == 201
    assert (total("town"), total("town_b"), total("county")) == (1, 1, 2)

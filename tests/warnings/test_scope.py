"""Scope: a town officer issues warnings only inside their town; other places' warnings are 404."""

from __future__ import annotations

from tests.warnings.conftest import create, payload


def test_town_officer_drafts_only_in_their_town(api, city):
    town = api("town")
    own = create(town, city.village_a)
    assert own["jurisdiction_code"] == city.town_a
    # The other town of the same county, as the warning's place or in its area: 403.
    r = town.post("/api/v1/warnings", json=payload(city.town_b, jurisdiction_code=city.town_b))
    assert r.status_code == 403
    r = town.post("/api/v1/warnings", json=payload(city.village_a, area={"division_codes": [city.town_b]}))
    assert r.status_code == 403 and r.json()["error"]["code"] == "out_of_jurisdiction"
    # A circle drawn far away (in the other county) is outside too.
    far = {"circles": [[27.55, 109.0, 2000.0]], "division_codes": []}
    r = town.post("/api/v1/warnings", json=payload(city.village_a, area=far))
    assert r.status_code == 403


def test_town_officers_do_not_see_each_others_warnings(api, city):
    other = create(api("town_b"), city.town_b)
    town = api("town")
    assert town.get(f"/api/v1/warnings/{other['id']}").status_code == 404
    assert town.post(f"/api/v1/warnings/{other['id']}/publish").status_code == 404
    ids = [w["id"] for w in town.get("/api/v1/warnings?view=all&size=200").json()["items"]]
    assert other["id"] not in ids
    # The county above sees it.
    assert api("county").get(f"/api/v1/warnings/{other['id']}").status_code == 200


def test_viewer_and_grid_worker_cannot_draft(api, city):
    for user in ("viewer", "gridworker"):
        assert api(user).post("/api/v1/warnings", json=payload(city.village_a)).status_code == 403


def test_bad_input_is_a_clear_error(api, city):
    duty = api("duty")
    r = duty.post("/api/v1/warnings", json=payload(city.village_a, level="purple"))
    assert r.status_code == 422
    r = duty.post("/api/v1/warnings", json=payload(city.village_a, categories=["Weather"]))
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "categories"
    r = duty.post("/api/v1/warnings", json=payload(city.village_a, area={"division_codes": ["999999"]}))
    assert r.status_code in (403, 422)
    r = duty.post("/api/v1/warnings", json=payload(city.village_a, expires="2000-01-01T00:00:00+08:00"))
    assert r.status_code == 422

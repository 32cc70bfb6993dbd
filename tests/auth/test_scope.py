"""Jurisdiction scope: a town officer of town A can neither read nor change town B's people or grids,
by page or API; the city sees everything; numbers are masked for roles that do not need them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from yingji.org.models import GridCell, Person


def _person_in(city, prefix: str) -> Person:
    with city.db.reading() as session:
        return session.scalar(
            select(Person).where(Person.jurisdiction_code.startswith(prefix)).order_by(Person.id).limit(1)
        )


def _cell_in(city, prefix: str, level: int = 3) -> GridCell:
    with city.db.reading() as session:
        return session.scalar(
            select(GridCell)
            .where(GridCell.jurisdiction_code.startswith(prefix), GridCell.level == level)
            .order_by(GridCell.id)
            .limit(1)
        )


def test_town_officer_reads_own_town_only(api, city):
    mine, theirs = _person_in(city, city.town_a), _person_in(city, city.town_b)
    town = api("town")
    assert town.get(f"/api/v1/people/{mine.id}").status_code == 200
    r = town.get(f"/api/v1/people/{theirs.id}")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"
    assert town.get(f"/api/v1/jurisdictions/{city.town_b}").status_code == 404
    assert town.get(f"/api/v1/people?within={city.town_b}").status_code == 404
    listed = town.get("/api/v1/people?size=200").json()
    assert listed["total"] > 0
    assert all(p["jurisdiction_code"].startswith(city.town_a) for p in listed["items"])


def test_town_officer_cannot_change_another_town(api, city):
    theirs = _person_in(city, city.town_b)
    town = api("town")
    r = town.patch(f"/api/v1/people/{theirs.id}", json={"title": "篡改"})
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "out_of_jurisdiction"
    r = town.post("/api/v1/people", json={"name": "越权", "jurisdiction_code": city.town_b})
    assert r.status_code == 403
    cell = _cell_in(city, city.town_b)
    mine = _person_in(city, city.town_a)
    assert town.get(f"/api/v1/grid-cells/{cell.id}").status_code == 404
    r = town.post(f"/api/v1/grid-cells/{cell.id}/assignments", json={"person_id": mine.id, "role": "worker"})
    assert r.status_code == 403
    with city.db.reading() as session:
        assert session.get(Person, theirs.id).title != "篡改"


def test_pages_follow_the_same_scope(browser_client, city):
    theirs, mine = _person_in(city, city.town_b), _person_in(city, city.town_a)
    town = browser_client("town")
    assert town.get(f"/people/{mine.id}").status_code == 200
    assert town.get(f"/people/{theirs.id}").status_code == 404
    assert town.get(f"/places/{city.town_b}").status_code == 404
    r = town.form(f"/people/{theirs.id}/edit", {"name": "篡改", "jurisdiction_code": city.town_b})
    assert r.status_code == 403
    cell = _cell_in(city, city.town_b)
    assert town.get(f"/grids/{cell.id}").status_code == 404


def test_town_b_is_symmetric(api, city):
    mine = _person_in(city, city.town_a)
    assert api("town_b").get(f"/api/v1/people/{mine.id}").status_code == 404


def test_city_roles_see_every_town(api, city):
    for username in ("duty", "commander", "viewer"):
        for prefix in (city.town_a, city.town_b, city.town_other_county):
            person = _person_in(city, prefix)
            assert api(username).get(f"/api/v1/people/{person.id}").status_code == 200


def test_county_officer_sees_own_county_only(api, city):
    assert api("county").get(f"/api/v1/people/{_person_in(city, city.town_a).id}").status_code == 200
    other = _person_in(city, city.town_other_county)
    assert api("county").get(f"/api/v1/people/{other.id}").status_code == 404


@pytest.mark.parametrize(("username", "masked"), [("duty", False), ("viewer", True), ("keeper", True)])
def test_phone_numbers_are_masked_for_roles_that_do_not_need_them(api, city, username, masked):
    person = _person_in(city, city.town_a)
    number = api(username).get(f"/api/v1/people/{person.id}").json()["mobile"]
    if masked:
        assert number == person.mobile[:3] + "****" + person.mobile[-4:]
    else:
        assert number == person.mobile


@pytest.mark.parametrize("username", ["viewer", "keeper", "duty", "gridworker"])
def test_read_only_roles_cannot_write(api, city, username):
    target = _person_in(city, city.group_a if username == "gridworker" else city.town_a)
    r = api(username).patch(f"/api/v1/people/{target.id}", json={"title": "x"})
    assert r.status_code == 403


def test_map_layers_are_scoped(api, city):
    county_layer = api("town").get("/api/v1/map/features?level=town").json()
    assert [f["id"] for f in county_layer["features"]] == [city.town_a]
    assert len(api("duty").get("/api/v1/map/features?level=county").json()["features"]) == 10


def test_directory_stays_inside_scope(api, city):
    answer = api("town").get("/api/v1/directory", params={"q": "防汛"}).json()
    assert answer["contacts"]
    # its own town and below, and the chain above it (county, city: issue 15), never a sibling town
    assert all(
        c["place_code"].startswith(city.town_a) or city.town_a.startswith(c["place_code"])
        for c in answer["contacts"]
    )

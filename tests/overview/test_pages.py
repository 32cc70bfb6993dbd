"""The overview through HTTP on the shared test city: the API (shape, scope, ``within``, bad input),
the home page by role, the big screen without navigation, the tile fragments, and the lists the
tiles link to accepting their filters."""

from __future__ import annotations

import re

from yingji.overview.schemas import TILES


def test_api_answers_every_tile(api, city):
    r = api("commander").get("/api/v1/overview")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["code"] == city.city and body["name"] == "铜仁市"
    for tile in (*TILES, "trends"):
        assert body[tile] is not None, tile
    assert [f["key"] for f in body["incidents"]["by_grade"]] == ["I", "II", "III", "IV", "none"]
    assert [w["level"] for w in body["warnings"]["by_level"]] == ["red", "orange", "yellow", "blue"]
    assert len(body["trends"]["days"]) == 30
    # The demo's duty rosters: the city's own and one per county below it.
    places = {row["code"] for row in body["duty"]["rows"]}
    assert city.city in places and city.county_a in places


def test_api_some_tiles_and_bad_input(api, city):
    c = api("commander")
    body = c.get("/api/v1/overview", params={"tiles": "alarms,duty"}).json()
    assert body["alarms"] is not None and body["incidents"] is None and body["trends"] is None
    r = c.get("/api/v1/overview", params={"tiles": "nonsense"})
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "tiles"
    r = c.get("/api/v1/overview", params={"within": "not-a-code"})
    assert r.status_code == 422


def test_api_scope(api, city):
    county = api("county").get("/api/v1/overview").json()
    assert county["code"] == city.county_a
    assert all(code.startswith(city.county_a) for code in county["trends"]["place_codes"])
    assert all(row["code"].startswith(city.county_a) for row in county["duty"]["rows"])
    # Another county, asked by a county officer: 404, as for any place outside.
    assert api("county").get("/api/v1/overview", params={"within": city.county_b}).status_code == 404
    assert api("town").get("/api/v1/overview", params={"within": city.town_b}).status_code == 404
    town = api("town").get("/api/v1/overview").json()
    assert town["code"] == city.town_a
    narrowed = api("commander").get("/api/v1/overview", params={"within": city.county_b}).json()
    assert narrowed["code"] == city.county_b
    assert narrowed["incidents"]["link"].endswith(f"within={city.county_b}")


def test_home_by_role(browser_client):
    for user in ("commander", "duty", "county", "town"):
        html = browser_client(user).get("/").text
        assert 'id="overview"' in html, user
        assert 'data-tile="incidents"' in html and 'data-tile="duty"' in html
    for user in ("admin", "gridworker", "viewer", "keeper"):
        html = browser_client(user).get("/").text
        assert 'id="overview"' not in html, user
    # Anyone may open the overview itself.
    assert 'id="overview"' in browser_client("viewer").get("/overview").text


def test_screen_has_no_navigation(browser_client, city):
    c = browser_client("commander")
    html = c.get("/overview/screen?rotate=60").text
    assert 'class="ov-screen"' in html and 'id="sidebar"' not in html and "data-fullscreen" in html
    assert "铜仁市" in html and 'data-rotate="60"' in html
    rotation = re.search(r'data-rotation="([^"]*)"', html).group(1)
    assert city.county_a in rotation and city.county_b in rotation
    assert 'class="ov-screen"' in c.get("/overview?screen=1").text
    assert c.get(f"/overview/screen?within={city.county_b}").status_code == 200
    assert browser_client("county").get(f"/overview/screen?within={city.county_b}").status_code == 404
    assert browser_client("county").get("/overview?within=bad").status_code == 404


def test_panel_fragments(browser_client, city):
    c = browser_client("county")
    html = c.get("/overview/panel?tiles=alarms,teams").text
    assert re.findall(r'data-tile="(\w+)"', html) == ["alarms", "teams"]
    assert "<html" not in html
    assert c.get("/overview/panel?tiles=bogus").status_code == 404


def test_tile_links_open_their_lists(browser_client, city):
    c = browser_client("commander")
    html = c.get("/").text
    links = set(
        re.findall(r'href="(/(?:incidents|monitoring|forces|warnings|supplies|response|stats)[^"]*)"', html)
    )
    assert "/incidents?status=open&drill=real" in {link.replace("&amp;", "&") for link in links}
    for link in sorted(links):
        r = c.get(link.replace("&amp;", "&"))
        assert r.status_code == 200, (link, r.status_code)
    # The filters added for the tiles narrow their lists.
    assert c.get(f"/monitoring/alarms?within={city.county_a}").status_code == 200
    assert browser_client("county").get(f"/monitoring/alarms?within={city.county_b}").status_code == 404


def test_supply_gaps_in_sql_agree_with_the_gap_report(city):
    """The tile's set-based sums equal the supplies domain's own per-store gap report."""
    from sqlalchemy import select

    from yingji.auth.models import User
    from yingji.auth.scope import Principal
    from yingji.overview import readiness

    with city.db.reading() as s:
        for username in ("commander", "county", "town"):
            p = Principal.of(s.scalars(select(User).where(User.username == username)).one())
            by_sql = readiness._supplies_sql(s, p, None)
            by_report = readiness._supplies_by_report(s, p, None)
            assert by_sql == by_report, username
            assert by_sql.stores > 0, username

"""The duty board's shared per-jurisdiction cache: one board per scope (never another scope's
places), dropped at the commit of a write that changes it, and never past its minute."""

from __future__ import annotations

import uuid

from tests.duty.conftest import local
from yingji.core.pagecache import ScopedCache
from yingji.duty import board


def _places(client) -> dict[str, dict]:
    r = client.get("/api/v1/duty/board")
    assert r.status_code == 200, r.text
    return {p["code"]: p for p in r.json()["reports"]["places"]}


def test_scopes_overlap_and_only_overlapping_entries_are_dropped():
    cache = ScopedCache("test", {"t"}, 60)
    for scope in ("", "52", "5206", "520603"):
        cache.put(scope, None, scope or "all")
    cache.invalidate({"520602001"})
    assert [cache.get(s) for s in ("", "52", "5206", "520603")] == [None, None, None, "520603"]
    cache.put("5206", "k", 1)
    cache.invalidate({"52"})  # a setting at the province reaches every scope under it
    assert cache.get("5206", "k") is None
    cache.put("520603", None, 2)
    cache.invalidate({None})  # a write with no place
    assert cache.get("520603") is None


def test_each_jurisdiction_sees_its_own_board(api, city, clock):
    clock.freeze(local(2036, 9, 17, 10, 0))
    town, town_b, county = _places(api("town")), _places(api("town_b")), _places(api("county"))
    assert town and all(c.startswith(city.town_a) for c in town)
    assert town_b and all(c.startswith(city.town_b) for c in town_b)
    assert city.town_a in county and city.town_b in county
    assert all(c.startswith(city.county_a) for c in county)
    # Asked again (cached now), each still sees only its own.
    assert set(_places(api("town"))) == set(town) and set(_places(api("town_b"))) == set(town_b)


def test_a_report_shows_at_once_and_a_deadline_passes_on_time(api, city, clock):
    county, town = api("county"), api("town")
    clock.freeze(local(2036, 9, 18, 10, 0))
    assert _places(county)[city.town_a]["status"] == "pending"
    assert _places(county)[city.town_a]["status"] == "pending"  # served from the cache
    r = town.post("/api/v1/duty/reports", json={"kind": "zero", "client_key": uuid.uuid4().hex})
    assert r.status_code == 201, r.text
    after = _places(county)[city.town_a]
    assert after["status"] == "received" and after["slots"][0]["report_id"] == r.json()["id"]
    # Again from the cache, after the filling request's session is gone: its rows still read.
    assert _places(county)[city.town_a]["slots"][0]["report_id"] == r.json()["id"]
    # town_b has not reported: missing once the clock passes the deadline (16:00), in the same
    # process, with no write in between.
    assert _places(county)[city.town_b]["status"] == "pending"
    clock.freeze(local(2036, 9, 18, 16, 1))
    assert _places(county)[city.town_b]["status"] == "missing"


def test_the_same_jurisdiction_shares_one_board(city, clock):
    from yingji.auth.scope import Principal

    clock.freeze(local(2036, 9, 19, 9, 0))
    board.cache.clear()
    one = Principal.system(city.county_a, what="tests")
    with city.db.reading() as session:
        first = board.build(session, one)
    with city.db.reading() as session:
        again = board.build(session, one)
        fresh = board.build(session, one, at=local(2036, 9, 19, 9, 0))
    assert again is first and fresh is not first


def test_the_rendered_board_is_shared_by_phone_rights(browser_client, clock):
    """The board's rendered parts (duty.board.parts) are kept per phone rights: a reader without
    them never gets the numbers a duty officer of the same place was shown."""
    import re

    clock.freeze(local(2036, 9, 20, 9, 0))
    full = browser_client("duty").get("/duty").text  # the city's duty officer: full numbers
    masked = browser_client("viewer").get("/duty").text  # the same city, a read-only user
    numbers = set(re.findall(r'href="tel:(1\d{10})"', full))
    assert numbers, "the city board shows duty phones"
    assert not numbers & set(re.findall(r'href="tel:([\d*]+)"', masked))
    assert re.search(r'href="tel:\d{3}\*{4}\d{4}"', masked)

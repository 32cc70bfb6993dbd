"""Rule data of damage statistics: the indicators (codes, parents, 累计/实时), the hazards, and the
reporting limits with their due times (clock frozen), overridable per jurisdiction on /rules."""

from __future__ import annotations

from datetime import date, timedelta

from tests.damage.helpers import open_event, utc
from yingji.damage import indicators, schedule
from yingji.rules import load, tables


def test_indicator_table_is_consistent():
    data = load("disaster_indicators.json")
    assert data["version"] and data["source"]
    inds = indicators.indicators()
    assert len(inds) == len(data["indicators"])  # codes unique
    for i in inds.values():
        assert i.parent is None or i.parent in inds
        assert i.group in indicators.groups()
    assert inds["relocated"].has_current and inds["needing_aid"].has_current
    assert not inds["deaths"].has_current
    hazards = indicators.hazards()
    assert hazards["landslide"]["parent"] == "geological" and hazards["flood"]["parent_zh"] == "水旱灾害"


def test_relief_measures_from_figures():
    m = indicators.relief_measures(
        {
            "deaths": 3,
            "missing": 2,
            "relocated": 500,
            "needing_aid": 800,
            "collapsed_rooms": 10,
            "severe_rooms": 5,
            "collapsed_households": 4,
            "severe_households": 1,
        }
    )
    assert m == {
        "deaths": 3,
        "missing": 2,
        "needing_aid": 800,
        "collapsed_rooms": 15,
        "collapsed_households": 5,
    }


def test_due_times_from_the_rules():
    rules = tables.base("disaster_reporting")
    t0 = utc(2026, 7, 1, 2, 30)
    assert schedule.initial_due(rules, "county", t0) == t0 + timedelta(hours=2)
    assert schedule.initial_due(rules, "city", t0) == t0 + timedelta(hours=4)
    assert schedule.initial_due(rules, "province", t0) == t0 + timedelta(hours=6)
    assert schedule.initial_due(rules, "town", t0) == t0 + timedelta(minutes=90)
    # Zero report: county 09:00, city 10:00, province 12:00 Beijing time (01:00, 02:00, 04:00 UTC).
    assert schedule.zero_due(rules, "county", date(2026, 7, 2)) == utc(2026, 7, 2, 1, 0)
    assert schedule.zero_due(rules, "city", date(2026, 7, 2)) == utc(2026, 7, 2, 2, 0)
    assert schedule.zero_due(rules, "province", date(2026, 7, 2)) == utc(2026, 7, 2, 4, 0)
    assert schedule.zero_as_of(date(2026, 7, 2)) == utc(2026, 7, 1, 16, 0)  # 24:00 of 1 July, Beijing
    assert schedule.final_due(rules, "county", t0) == t0 + timedelta(days=5)
    assert schedule.zero_days(rules, "drought", t0, t0 + timedelta(days=5)) == []
    assert schedule.continued_due(rules, "drought", t0, 2) == t0 + timedelta(days=20)
    assert len(schedule.zero_days(rules, "landslide", t0, t0 + timedelta(days=3))) == 3
    assert schedule.is_major(rules, 10) and not schedule.is_major(rules, 9)
    assert schedule.photos_needed(rules, True) == 3 and schedule.photos_needed(rules, False) == 0


def test_opened_process_has_its_initial_report_due(city, api, clock):
    clock.freeze(utc(2026, 7, 10, 6, 0))
    ev = open_event(api, city.county_a)
    reps = api("county").get(f"/api/v1/damage/events/{ev['id']}/reports").json()
    initial = next(r for r in reps if r["kind"] == "initial")
    assert initial["due_at"].startswith("2026-07-10T07:00")  # occurred 05:00 UTC + 2 h
    assert initial["state"] == "draft" and not initial["overdue"]
    clock.freeze(utc(2026, 7, 10, 7, 1))
    reps = api("county").get(f"/api/v1/damage/events/{ev['id']}/reports").json()
    assert next(r for r in reps if r["kind"] == "initial")["overdue"]


def test_reporting_table_on_rules_page_and_overridable(city, api, browser_client):
    assert "disaster_reporting" in tables.TABLE_NAMES
    page = browser_client("county").get("/rules/tables/disaster_reporting")
    assert page.status_code == 200 and "县级初报" in page.text
    bad = api("county").post(
        "/api/v1/rules/overrides",
        json={
            "jurisdiction_code": city.county_a,
            "table_name": "disaster_reporting",
            "version": "t1",
            "source": "测试",
            "data": {"limits": {"zero.county": {"at": "25:00"}}},
        },
    )
    assert bad.status_code == 422, bad.text
    good = api("county").post(
        "/api/v1/rules/overrides",
        json={
            "jurisdiction_code": city.town_a,
            "table_name": "disaster_reporting",
            "version": "t1",
            "source": "本镇规定",
            "data": {
                "limits": {
                    "initial.town": {"kind": "initial", "level": "town", "minutes": 60, "from": "occurred"}
                }
            },
        },
    )
    assert good.status_code == 201, good.text
    try:
        from yingji.damage import indicators as ind

        with city.db.reading() as session:
            rules = ind.reporting_rules(session, city.town_a)
            other = ind.reporting_rules(session, city.town_b)
        assert rules["limits"]["initial.town"]["minutes"] == 60
        assert other["limits"]["initial.town"]["minutes"] == 90
    finally:
        api("county").delete(f"/api/v1/rules/overrides/{good.json()['id']}")

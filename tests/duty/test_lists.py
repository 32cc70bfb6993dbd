"""The long duty lists (issue 15 item 7): rosters and the day's routine reports filtered by county,
status, date and text, paged; reports with the county column and missing and late first."""

from __future__ import annotations

import re
import uuid
from datetime import date

from tests.duty.conftest import local, make_crew
from yingji.auth.scope import Principal
from yingji.core.db import Actor
from yingji.duty import lists, routine
from yingji.duty.models import Roster

ROW = re.compile(r'<tr class="st-row-(\w+)">')


def _rename(city, roster_id: int, name: str, active: bool = True) -> None:
    with city.db.writing(Actor.system("tests")) as session:
        roster = session.get(Roster, roster_id)
        roster.name, roster.active = name, active


def test_rosters_filter_by_text_county_status_and_day(browser_client, city):
    crew = make_crew(city.db, city.town_a)
    name = f"筛选测试值班表{uuid.uuid4().hex[:6]}"
    _rename(city, crew.roster_id, name)
    link = f'href="/duty/rosters/{crew.roster_id}"'
    duty = browser_client("duty")  # the city duty officer
    page = duty.get("/duty/rosters", params={"q": name})
    assert page.status_code == 200 and link in page.text
    assert 'name="county"' in page.text  # a city officer picks a county
    assert link in duty.get("/duty/rosters", params={"q": name, "county": city.county_a}).text
    assert link not in duty.get("/duty/rosters", params={"q": name, "county": city.county_b}).text
    assert link in duty.get("/duty/rosters", params={"q": name, "status": "active"}).text
    assert link not in duty.get("/duty/rosters", params={"q": name, "status": "inactive"}).text
    on_day = duty.get("/duty/rosters", params={"q": name, "day": "2030-01-02"})
    assert on_day.status_code == 200 and "2030-01-02" in on_day.text and "带班领导" in on_day.text
    _rename(city, crew.roster_id, name, active=False)
    assert link in duty.get("/duty/rosters", params={"q": name, "status": "inactive"}).text
    # Bad filter values are not errors: a malformed county is a 404 like a place one cannot see.
    assert duty.get("/duty/rosters", params={"county": "x"}).status_code == 404
    assert duty.get("/duty/rosters", params={"day": "nonsense", "page": "x"}).status_code == 200
    town = browser_client("town")
    mine = town.get("/duty/rosters", params={"q": name})
    assert link in mine.text and 'name="county"' not in mine.text  # one county: no county filter
    assert town.get("/duty/rosters", params={"county": city.county_b}).status_code == 404
    assert link not in browser_client("town_b").get("/duty/rosters", params={"q": name}).text


def test_rosters_are_paged(city):
    system = Principal.system(what="tests")
    for _ in range(2):
        make_crew(city.db, city.town_b)
    with city.db.reading() as session:
        first = lists.rosters_page(session, system, page=1, size=2)
        second = lists.rosters_page(session, system, page=2, size=2)
        whole = lists.rosters_page(session, system, page=1, size=200)
    assert first.total == second.total == whole.total >= 2 and first.pages == -(-first.total // 2)
    assert [r.id for r in first.items + second.items] == [r.id for r in whole.items[:4]]


def test_reports_missing_and_late_first_with_the_county_column(api, browser_client, city, clock):
    day = date(2034, 5, 9)
    clock.freeze(local(2034, 5, 9, 10, 0))
    assert api("town").post("/api/v1/duty/reports", json={"kind": "zero"}).status_code == 201
    clock.freeze(local(2034, 5, 9, 17, 0))
    late = api("town_b").post("/api/v1/duty/reports", json={"kind": "daily", "summary": "列表测试迟报"})
    assert late.status_code == 201 and late.json()["late"]
    clock.freeze(local(2034, 5, 9, 17, 30))

    with city.db.reading() as session:
        _, page = lists.reports_page(session, Principal.system(what="tests"), day, size=10_000)
        statuses = [r.status for r in page.items]
        assert {"missing", "late", "received"} <= set(statuses)
        assert statuses == sorted(statuses, key=routine.ATTENTION.get)  # missing, late, …, received
        names = {r.code: r.county for r in page.items}
        assert names[city.town_a] == names[city.town_b] and names[city.town_a]  # the county's name
        assert names[city.town_other_county] not in ("", names[city.town_a])

    duty = browser_client("duty")
    html = duty.get("/duty/reports", params={"day": day.isoformat()}).text
    first_rows = ROW.findall(html)
    assert first_rows and first_rows[0] == "missing"
    assert "<th>县(区)</th>" in html and 'name="within"' in html and 'name="status"' in html
    only_late = duty.get("/duty/reports", params={"day": day.isoformat(), "status": "late"}).text
    assert set(ROW.findall(only_late)) == {"late"} and "列表测试迟报" in only_late
    received = duty.get(
        "/duty/reports", params={"day": day.isoformat(), "status": "received", "within": city.county_a}
    ).text
    assert set(ROW.findall(received)) == {"received"} and "列表测试迟报" not in received
    with city.db.reading() as session:
        town_a_name = session.get(routine.Jurisdiction, city.town_a).name
    found = duty.get("/duty/reports", params={"day": day.isoformat(), "q": town_a_name}).text
    assert ROW.findall(found) == ["received"]
    assert duty.get("/duty/reports", params={"day": day.isoformat(), "page": 2}).status_code == 200

    town = browser_client("town").get("/duty/reports", params={"day": day.isoformat()}).text
    assert "<th>县(区)</th>" not in town and 'name="within"' not in town  # one town: no county column

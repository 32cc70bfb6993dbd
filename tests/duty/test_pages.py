"""Duty pages render for a logged-in officer (phone-friendly server pages, no inline scripts)
and their forms work end to end."""

from __future__ import annotations

import re
import uuid

from tests.duty.conftest import make_people


def test_the_board_renders_with_the_slots_for_other_panels(browser_client, city):
    c = browser_client("duty")
    page = c.get("/duty")
    assert page.status_code == 200
    html = page.text
    assert "值班台" in html and "值班值守" in html  # the page and its nav section
    for url in ("/incidents/panel/inbox", "/incidents/panel/overdue", "/response/panel/overdue-tasks"):
        assert f'hx-get="{url}"' in html
    assert "应急指挥中心" in html and "今日日报告与零报告" in html
    assert "<script>" not in html and " onclick=" not in html
    assert "/static/js/duty.js" in html and "/static/css/duty.css" in html


def test_roster_pages_and_forms(browser_client, city, crew_factory):
    crew = crew_factory()
    c = browser_client("town")
    assert crew.roster_id and "值班表" in c.get("/duty/rosters").text
    page = c.get(f"/duty/rosters/{crew.roster_id}")
    assert page.status_code == 200 and "未来两周" in page.text
    cal = c.get(f"/duty/rosters/{crew.roster_id}/calendar", params={"month": "2030-02"})
    assert cal.status_code == 200 and "2030年02月值班表" in cal.text and "data-print" in cal.text
    new = make_people(city.db, city.town_a, 2)
    r = c.form(
        f"/duty/rosters/{crew.roster_id}/rotation",
        {"role": "backup", "starts_on": "2030-03-01", "members": "\n".join(m for _, m in new)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:300]
    bad = c.form(
        f"/duty/rosters/{crew.roster_id}/rotation",
        {"role": "backup", "starts_on": "2030-03-01", "members": "13000000000"},
    )
    assert bad.status_code == 422 and "没有使用此手机号的人员" in bad.text
    assert c.get("/duty/calendar", follow_redirects=False).status_code == 303
    other = browser_client("town_b")
    assert other.get(f"/duty/rosters/{crew.roster_id}").status_code == 404


def test_handover_leave_and_report_pages(browser_client, city, crew_factory):
    crew = crew_factory()
    c = browser_client("town")
    page = c.get("/duty/handover", params={"roster": crew.roster_id})
    assert page.status_code == 200 and "交接班" in page.text
    key = re.search(r'name="client_key" value="([0-9a-f]+)"', page.text).group(1)
    r = c.form(
        f"/duty/handover/{crew.roster_id}",
        {"summary": "平稳", "new_items": "甲事项\n乙事项", "client_key": key},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert "甲事项" in c.get("/duty/handover", params={"roster": crew.roster_id}).text

    assert c.get("/duty/leave").status_code == 200
    leader_mobile = crew.leaders[0][1]
    r = c.form(
        "/duty/leave",
        {
            "person": leader_mobile,
            "unit_id": str(crew.unit_id),
            "starts_at": "2030-05-01T09:00",
            "ends_at": "2030-05-02T18:00",
            "destination": "省城",
            "client_key": uuid.uuid4().hex,
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:500]
    assert "省城" in c.get("/duty/leave").text
    bad = c.form(
        "/duty/leave",
        {
            "person": leader_mobile,
            "unit_id": str(crew.unit_id),
            "starts_at": "2030-05-02T09:00",
            "ends_at": "2030-05-01T09:00",
            "destination": "x",
        },
    )
    assert bad.status_code == 422 and "返回时间须晚于外出时间" in bad.text

    reports = c.get("/duty/reports")
    assert reports.status_code == 200 and "零报告" in reports.text
    assert c.get("/duty/reports/settings").status_code == 200
    county = browser_client("county")
    summary = county.get("/duty/reports", params={"within": city.county_a})
    assert summary.status_code == 200 and "乡镇(街道)" in summary.text


def test_pages_switch_to_english(browser_client):
    c = browser_client("duty")
    c.cookies.set("yingji_lang", "en")
    html = c.get("/duty").text
    assert "Duty board" in html and "Leaders away today" in html

"""Pages in Chinese (desk), the phone report form (JSON answer for the script, idempotent by client
key), decisions from the report page, and the overdue job."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from tests.damage.helpers import open_event, utc
from yingji.core.db import Actor
from yingji.damage import jobs
from yingji.damage.models import DamageReport


def test_pages_render_in_chinese(city, api, browser_client):
    ev = open_event(api, city.county_a)
    c = browser_client("county")
    for url, words in [
        ("/damage", ["灾害过程", "灾种"]),
        (
            f"/damage/{ev['id']}",
            ["分地区灾情", "累计值", "实时值", "灾情报告", "数据变更记录", "因灾倒塌损坏住房户一览表"],
        ),
        (f"/damage/{ev['id']}?place={city.town_a}", ["分地区灾情"]),
        (f"/damage/{ev['id']}/report", ["主要指标", "受灾人口", "上报上级"]),
        ("/damage/officers", ["A 岗"]),
        ("/damage/officers/coverage", ["未配备灾害信息员的村", "灾害易发"]),
        ("/damage/officers/import", ["岗位(A/B)"]),
        ("/rules/tables/disaster_reporting", ["24 小时零报告"]),
    ]:
        r = c.get(url)
        assert r.status_code == 200, (url, r.text[:300])
        for w in words:
            assert w in r.text, (url, w)
    assert c.get(f"/damage/{ev['id']}?place={city.town_other_county}").status_code == 404


def test_phone_report_is_idempotent_and_decided_on_its_page(city, api, browser_client):
    ev = open_event(api, city.county_a)
    phone = browser_client("gridleader")
    key = uuid.uuid4().hex
    form = {
        "kind": "continued",
        "jurisdiction_code": city.village_a,
        "client_key": key,
        "send": "up",
        f"f.{city.village_a}.affected_pop.cum": "88",
        f"f.{city.village_a}.relocated.cum": "20",
        f"f.{city.village_a}.relocated.cur": "9",
    }
    first = phone.form(f"/damage/{ev['id']}/report", form, headers={"Accept": "application/json"})
    again = phone.form(f"/damage/{ev['id']}/report", form, headers={"Accept": "application/json"})
    assert first.status_code == 200 and again.json()["id"] == first.json()["id"]
    bad = phone.form(
        f"/damage/{ev['id']}/report",
        form | {"client_key": uuid.uuid4().hex, f"f.{city.village_a}.relocated.cur": "50"},
        headers={"Accept": "application/json"},
    )
    assert bad.status_code == 422 and "小于实时值" in bad.json()["error"]["message"]
    desk = phone.form(
        f"/damage/{ev['id']}/report",
        form | {"client_key": uuid.uuid4().hex, f"f.{city.village_a}.relocated.cur": "50"},
    )
    assert desk.status_code == 422 and "小于实时值" in desk.text
    page = browser_client("town").get(first.json()["url"])
    assert "上级审核" in page.text
    r = browser_client("town").form(
        f"/damage/reports/{first.json()['id']}/decision", {"accept": "1"}, follow_redirects=False
    )
    assert r.status_code == 303
    got = api("county").get(f"/api/v1/damage/reports/{first.json()['id']}").json()
    assert got["state"] == "accepted"


def test_overdue_job_marks_and_makes_zero_reports(city, api, clock):
    clock.freeze(utc(2026, 8, 1, 3, 0))
    ev = open_event(api, city.county_a)  # occurred 02:00 UTC = 10:00 Beijing; 初报 due 04:00 UTC
    clock.freeze(utc(2026, 8, 2, 2, 0))  # 10:00 Beijing next day: the zero report (09:00) is overdue
    with city.db.writing(Actor.system("tests")) as session:
        done = jobs.sweep(session)
    assert done["overdue"] >= 2
    with city.db.reading() as session:
        rows = session.scalars(select(DamageReport).where(DamageReport.event_id == ev["id"])).all()
    kinds = {r.kind: r for r in rows}
    assert kinds["zero"].late and kinds["initial"].late
    assert str(kinds["zero"].report_date) == "2026-08-02"
    reps = api("county").get(f"/api/v1/damage/events/{ev['id']}/reports").json()
    assert all(r["overdue"] for r in reps if r["kind"] in ("zero", "initial"))

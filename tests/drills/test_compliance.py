"""Frequency compliance (rules/drill_frequency.json with a local override), the upward report (page
data and DOCX) and the Excel exports. Dates lie before the demo's drills (which start a year before
the demo's today) so the demo cannot change the answers."""

from __future__ import annotations

import io
import zipfile
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.drills.conftest import drill_body, held_drill, make_plan
from yingji.auth.models import AuditEntry
from yingji.drills import compliance
from yingji.monitoring.models import HazardPoint
from yingji.risk.models import Enterprise


def _rows(city, code: str, as_of: date) -> dict:
    with city.db.reading() as session:
        return {r.key: r for r in compliance.compute(session, code, as_of)}


def test_plans_towns_villages_and_enterprises_against_their_intervals(city, api):
    county = api("county")  # county_a's officer
    special = make_plan(
        city, city.county_a, "special", issued_on=date(2019, 3, 1), title="县森林防灭火应急预案"
    )
    fresh = make_plan(city, city.county_a, "department", issued_on=date(2023, 5, 1))
    draft = make_plan(city, city.county_a, "special", state="drafting")
    rows = _rows(city, city.county_a, date(2023, 12, 31))
    assert rows[f"plan:{special}"].overdue and rows[f"plan:{special}"].due_on == date(2022, 3, 1)
    assert not rows[f"plan:{fresh}"].overdue and rows[f"plan:{fresh}"].due_on == date(2026, 5, 1)
    assert f"plan:{draft}" not in rows  # only plans in force
    assert "第二十二条" in rows[f"plan:{special}"].rule

    held_drill(county, city.county_a, at="2023-04-10T02:00:00Z", plan_ids=[special])
    held_drill(api("town_b"), city.town_b, at="2023-03-10T02:00:00Z")
    rows = _rows(city, city.county_a, date(2023, 12, 31))
    row = rows[f"plan:{special}"]
    assert not row.overdue and row.last_drill_on == date(2023, 4, 10) and row.due_on == date(2026, 4, 10)
    town_b, town_a = rows[f"place:{city.town_b}"], rows[f"place:{city.town_a}"]
    assert not town_b.overdue and town_b.due_on == date(2024, 3, 10)
    assert town_a.overdue and town_a.last_drill_on is None  # never before 2024
    assert _rows(city, city.county_a, date(2024, 3, 11))[f"place:{city.town_b}"].overdue

    with city.db.reading() as session:
        prone = session.scalar(
            select(HazardPoint.jurisdiction_code).where(
                HazardPoint.jurisdiction_code.startswith(city.county_a),
                func.length(HazardPoint.jurisdiction_code) >= 12,
                HazardPoint.status == "active",
            )
        )
        risky = session.scalar(
            select(Enterprise).where(
                Enterprise.jurisdiction_code.startswith(city.county_a),
                Enterprise.industry.in_(("coal_mine", "non_coal_mine", "fireworks")),
                Enterprise.status == "active",
            )
        )
        plain = session.scalar(
            select(Enterprise).where(
                Enterprise.jurisdiction_code.startswith(city.county_a),
                Enterprise.industry == "textile",
                ~Enterprise.hazardous_chemicals,
                Enterprise.status == "active",
            )
        )
    village = prone[:12]
    assert _rows(city, city.county_a, date(2023, 12, 31))[f"place:{village}"].overdue
    held_drill(county, prone, at="2023-06-01T02:00:00Z", scope="single")  # in the village (or a group of it)
    assert not _rows(city, city.county_a, date(2023, 12, 31))[f"place:{village}"].overdue
    for ent in (risky, plain):
        held_drill(county, ent.jurisdiction_code, at="2023-05-01T02:00:00Z", enterprise_id=ent.id)
    rows = _rows(city, city.county_a, date(2023, 12, 31))
    assert rows[f"enterprise:{risky.id}"].subject == "enterprise_high_risk"
    assert rows[f"enterprise:{risky.id}"].overdue and rows[f"enterprise:{risky.id}"].due_on == date(
        2023, 11, 1
    )
    assert rows[f"enterprise:{plain.id}"].subject == "enterprise"
    assert not rows[f"enterprise:{plain.id}"].overdue

    result = county.get("/api/v1/drills/compliance", params={"as_of": "2023-12-31"}).json()
    assert {s["subject"] for s in result["summary"]} >= {"special_plan", "town", "enterprise"}
    town_summary = next(s for s in result["summary"] if s["subject"] == "town")
    assert town_summary["total"] == town_summary["compliant"] + town_summary["overdue"]
    assert all(r["overdue"] for r in result["overdue"])
    assert api("town").get("/api/v1/drills/compliance", params={"within": city.county_b}).status_code == 404


def test_a_local_override_makes_special_plans_drill_every_two_years_comprehensively(city, api):
    plan = make_plan(city, city.county_b, "special", issued_on=date(2020, 1, 1), title="区防汛抗旱应急预案")
    admin = api("admin")
    held_drill(admin, city.county_b, at="2022-05-01T02:00:00Z", plan_ids=[plan], scope="single")
    held_drill(admin, city.county_b, at="2021-05-01T02:00:00Z", plan_ids=[plan], scope="comprehensive")
    row = _rows(city, city.county_b, date(2023, 6, 30))[f"plan:{plan}"]
    assert row.months == 36 and row.last_drill_on == date(2022, 5, 1) and not row.overdue
    bad = {
        "jurisdiction_code": city.county_b,
        "table_name": "drill_frequency",
        "version": "x",
        "data": {"subjects": {"special_plan": {"months": 0}}},
        "source": "测试",
    }
    assert admin.post("/api/v1/rules/overrides", json=bad).status_code == 422
    bad["data"] = {"subjects": {"parade": {"months": 12}}}
    assert admin.post("/api/v1/rules/overrides", json=bad).status_code == 422
    override = {
        "jurisdiction_code": city.county_b,
        "table_name": "drill_frequency",
        "version": "2026-1",
        "valid_from": "2020-01-01T00:00:00Z",
        "data": {"subjects": {"special_plan": {"months": 24, "scope": "comprehensive"}}},
        "source": "市应急管理局：专项应急预案每两年至少开展一次综合演练",
    }
    r = admin.post("/api/v1/rules/overrides", json=override)
    assert r.status_code == 201, r.text
    row = _rows(city, city.county_b, date(2023, 6, 30))[f"plan:{plan}"]
    assert row.months == 24 and row.last_drill_on == date(2021, 5, 1)  # the single drill does not count
    assert row.due_on == date(2023, 5, 1) and row.overdue and "每两年" in row.rule
    other = make_plan(city, city.county_a, "special", issued_on=date(2020, 1, 1))
    assert _rows(city, city.county_a, date(2023, 6, 30))[f"plan:{other}"].months == 36  # not its county


def test_the_upward_report_and_its_docx(city, api):
    town = api("town_b")
    held_drill(town, city.town_b, at="2022-03-10T02:00:00Z", form="tabletop")
    blind = held_drill(town, city.town_b, at="2022-05-10T02:00:00Z", notice_time=False, notice_scenario=False)
    town.post(
        f"/api/v1/drills/{blind['id']}/participants", json={"kind": "other", "name": "群众", "headcount": 40}
    )
    town.post(f"/api/v1/drills/{blind['id']}/problems", json={"area": "personnel", "description": "首报慢"})
    town.post("/api/v1/drills", json=drill_body(city.town_b, planned_on="2022-06-20"))
    held_drill(town, city.town_b, at="2022-08-10T02:00:00Z")  # second half
    r = town.get("/api/v1/drills/report", params={"year": 2022, "period": "h1", "within": city.town_b})
    assert r.status_code == 200, r.text
    rep = r.json()
    assert rep["held"] == 2 and rep["double_blind"] == 1 and rep["headcount"] == 40 and rep["planned"] == 1
    assert {c["key"]: c["count"] for c in rep["by_form"]} == {"tabletop": 1, "live": 1}
    assert rep["problems"] == 1 and rep["problems_done"] == 0 and rep["end"] == "2022-06-30"
    assert town.get("/api/v1/drills/report", params={"year": 2022, "within": city.town_b}).json()["held"] == 3
    doc = town.get("/api/v1/drills/report.docx", params={"year": 2022, "period": "h1", "within": city.town_b})
    assert doc.status_code == 200 and doc.headers["content-type"].startswith("application/vnd.openxml")
    with zipfile.ZipFile(io.BytesIO(doc.content)) as z:
        body = z.read("word/document.xml").decode()
    assert "2022年上半年应急演练开展情况报告" in body and "共组织开展应急演练2次" in body and "双盲" in body
    assert town.get("/api/v1/drills/report", params={"year": 2022, "period": "h3"}).status_code == 422
    assert (
        api("town").get("/api/v1/drills/report", params={"year": 2022, "within": city.town_b}).status_code
        == 404
    )


def test_excel_exports_are_the_office_layout_and_audited(city, api):
    town = api("town_b")
    drill = held_drill(town, city.town_b, at="2021-04-10T02:00:00Z", title="乙镇导出测试演练")
    r = town.get("/api/v1/drills/export", params={"year": 2021, "within": city.town_b})
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.content)).active
    header = [c.value for c in sheet[1]]
    assert "演练名称" in header and "检验预案" in header and "参演人数" in header
    titles = [row[header.index("演练名称")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert drill["title"] in titles
    r = town.get("/api/v1/drills/compliance/export", params={"within": city.town_b})
    sheet = load_workbook(io.BytesIO(r.content)).active
    assert [c.value for c in sheet[1]][:2] == ["对象类别", "名称"]
    with city.db.reading() as session:
        n = session.scalar(
            select(func.count()).where(AuditEntry.entity == "drills", AuditEntry.action == "export")
        )
    assert n >= 2  # the drill list and the compliance table
    assert api("gridworker").get("/api/v1/drills/export").status_code == 403

"""Plans, the demo's seed 002 plan, the Excel import (merged cells, a bad table) and export, scope."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.governance.helpers import bureau, departments, import_table, new_plan, table
from yingji.governance import plans, progress
from yingji.governance.models import Measure, MeasureUnit, Notice, TaskPlan, YearSummary


def test_demo_enters_seed_002(city):
    with city.db.reading() as session:
        plan = session.scalar(select(TaskPlan).where(TaskPlan.jurisdiction_code == city.city))
        assert plan is not None and "一规划两方案" in plan.title
        tasks = plans.tasks_of(session, plan.id)
        assert [t.seq for t in tasks] == list(range(1, 9))  # the seed's eight tasks
        everyone = session.scalars(
            select(MeasureUnit).where(MeasureUnit.plan_id == plan.id, MeasureUnit.wording.like("%二级机构%"))
        ).all()
        # "局各股室、二级机构" expanded to every unit of the bureau, each row keeping the wording
        assert len({m.unit_id for m in everyone}) == len(plans.bureau_units(session, plan))
        assert session.scalar(select(Notice.id).where(Notice.plan_id == plan.id, Notice.level == "orange"))
        summary = session.scalar(select(YearSummary).where(YearSummary.plan_id == plan.id))
        assert summary is not None and summary.locked


def test_import_reads_merged_cells_and_unit_lists(api, city):
    names = [u.name for u in departments(city)]
    centre = next(n for n in names if n == "应急指挥中心")
    other = next(n for n in names if n != centre)
    rows = [
        [1, "加强重点领域监管执法", "(1)进一步做好双重预防机制工作。", centre, "长期坚持"],
        [None, None, "(2)继续推进计划执法工作。", f"{centre}\n{other}", "2026年12月"],
        [None, None, "(3)开展隐患动态清零行动。", "局各股室、\n二级机构", "12月上旬"],
        [2, "加强突发事件应对制度建设", "1.制定应急处置工作规程。", f"{other}、{centre}", "2026-11-30"],
    ]
    r = import_table(api("county"), city, table(rows, merges=["A3:A5", "B3:B5"]))
    assert r.status_code == 201, r.text
    out = r.json()
    assert (out["tasks"], out["measures"]) == (2, 4)
    plan = api("county").get(f"/api/v1/work-tasks/plans/{out['plan_id']}").json()
    first = plan["tasks"][0]["measures"]
    assert [m["deadline_kind"] for m in first] == ["long_term", "date", "date"]
    assert first[1]["due_on"] == "2026-12-31" and first[2]["due_on"] == "2026-12-10"
    assert {u["name"] for u in first[1]["units"]} == {centre, other}
    assert len(first[2]["units"]) == len(departments(city))
    assert first[0]["label"] == "(1)"
    assert plan["tasks"][1]["measures"][0]["due_on"] == "2026-11-30"
    # the export has the same layout, with the standing filled in
    x = api("county").get(f"/api/v1/work-tasks/plans/{out['plan_id']}/export")
    assert x.status_code == 200
    ws = load_workbook(io.BytesIO(x.content)).active
    header = [c.value for c in ws[1]]
    assert header[:5] == [
        "序号",
        "工作任务",
        "相应的工作举措（含可供检验的工作成果）",
        "责任股室",
        "完成时限",
    ]
    assert "完成情况" in header and ws.cell(2, header.index("完成情况") + 1).value


def test_bad_tables_are_refused_whole_row_by_row(api, city):
    with city.db.reading() as session:
        before = session.scalar(select(func.count()).select_from(TaskPlan))
        measures = session.scalar(select(func.count()).select_from(Measure))
    missing = table(
        [[1, "任务", "举措", "应急指挥中心"]],
        header=["序号", "工作任务", "相应的工作举措（含可供检验的工作成果）", "责任股室"],
    )
    r = import_table(api("county"), city, missing)
    assert r.status_code == 422
    assert any(d["column"] == "完成时限" for d in r.json()["error"]["details"])
    rows = [
        [1, "加强重点领域监管执法", "(1)可读的举措。", "应急指挥中心", "长期坚持"],
        [None, None, "(2)未知股室。", "不存在股", "长期坚持"],
        [None, None, "(3)时限不可读。", "应急指挥中心", "尽快"],
        [None, None, "", "应急指挥中心", "长期坚持"],
    ]
    r = import_table(api("county"), city, table(rows, merges=["A3:A6", "B3:B6"]))
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert {d["row"] for d in err["details"]} == {4, 5, 6}
    assert any("不存在股" in d["message"] for d in err["details"])
    assert err["message"] and err["message_en"]
    with city.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(TaskPlan)) == before
        assert session.scalar(select(func.count()).select_from(Measure)) == measures


def test_scope_of_plans(api, city):
    plan = new_plan(api, city)
    assert api("town_b").get(f"/api/v1/work-tasks/plans/{plan['id']}").status_code == 404
    assert plan["id"] not in [p["id"] for p in api("town_b").get("/api/v1/work-tasks/plans").json()["items"]]
    assert api("county").get(f"/api/v1/work-tasks/plans/{plan['id']}").status_code == 200
    # a town officer cannot make a plan for the county, nor another county's officer for it
    b = bureau(city)
    body = {"year": 2026, "title": "越权", "issuer": b.name, "jurisdiction_code": city.county_a}
    assert api("town").post("/api/v1/work-tasks/plans", json=body).status_code == 403
    r = api("viewer").post("/api/v1/work-tasks/plans", json=body)
    assert r.status_code == 403


def test_completion_per_subtree(city, api):
    with city.db.reading() as session:
        year = session.scalar(select(TaskPlan.year).where(TaskPlan.jurisdiction_code == city.city))
        out = progress.completion(session, [city.city, city.county_b], year)
    good, total = out[city.city]
    assert total > 0 and 0 <= good <= total
    assert out[city.county_b][1] <= total

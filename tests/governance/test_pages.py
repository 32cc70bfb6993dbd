"""The work-task pages answer in Chinese, for the desk and the department's staff, and the report form
writes through the same service."""

from __future__ import annotations

from sqlalchemy import select

from tests.governance.helpers import departments, plan_with_measure
from yingji.governance.models import Notice, TaskPlan, YearSummary


def test_pages_of_the_demo_plan(browser_client, city):
    with city.db.reading() as session:
        plan = session.scalar(select(TaskPlan).where(TaskPlan.jurisdiction_code == city.city))
        notice = session.scalar(select(Notice).where(Notice.plan_id == plan.id, Notice.level == "orange"))
        summary = session.scalar(select(YearSummary).where(YearSummary.plan_id == plan.id))
    c = browser_client("staff")
    r = c.get("/work-tasks")
    assert r.status_code == 200 and "工作任务" in r.text and plan.title in r.text
    r = c.get(f"/work-tasks/plans/{plan.id}")
    assert r.status_code == 200 and "加强重点领域监管执法" in r.text and "责任股室" in r.text
    r = c.get(f"/work-tasks/measures/{notice.measure_id}")
    assert r.status_code == 200 and "工作台账" in r.text and "橙色" in r.text
    r = c.get("/work-tasks/mine")
    assert r.status_code == 200 and "应急指挥中心" in r.text  # the staff login is its liaison
    r = c.get("/work-tasks/notices")
    assert r.status_code == 200 and "督办" in r.text
    r = c.get(f"/work-tasks/plans/{plan.id}/units/{summary.unit_id}/summary")
    assert r.status_code == 200 and "已双签" in r.text and "分管领导" in r.text


def test_report_form_on_the_page(api, browser_client, city):
    unit = departments(city)[0]
    _plan, m = plan_with_measure(api, city, [unit.id])
    c = browser_client("county")
    page = c.get(f"/work-tasks/measures/{m['id']}")
    assert page.status_code == 200 and "报送进展" in page.text
    r = c.form(
        f"/work-tasks/measures/{m['id']}/report",
        {"unit_id": str(unit.id), "text": "页面报送的进展。", "client_key": "page-key-123456"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:300]
    ledger = api("county").get(f"/api/v1/work-tasks/measures/{m['id']}").json()
    assert [x["text"] for x in ledger["reports"]] == ["页面报送的进展。"]

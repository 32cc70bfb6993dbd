"""In a browser: the incident page proposes the level from the plan, the preview follows the
chosen level, confirming creates the plan's tasks and the checklist, and a check item is ticked —
all through the htmx panel, as a county officer works it."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.plans.digital_helpers import make_plan, new_incident
from yingji.response.models import ResponseTask


def test_activation_under_a_plan_from_the_incident_page(city, login, page, js_errors, snapshot):
    plan = make_plan(city.db, city.county_a)
    iid = new_incident(
        city.db,
        city.town_a,
        grade="III",
        deaths=4,
        category="natural.geological",
        grading_kind="geological_damage",
        title="浏览器测试滑坡",
    )
    login("county", next_path=f"/incidents/{iid}")
    form = page.locator("details.plan-activate form")
    expect(form).to_be_visible()
    form.locator("select[name=plan_id]").select_option(str(plan.id))
    preview = page.locator(f"#plan-preview-{iid}")
    expect(preview).to_contain_text("平台建议启动三级响应")
    expect(preview).to_contain_text("指挥部办公室组织会商研判")
    expect(page.locator(f"#plan-level-{iid}")).to_have_value("3")
    # another level: the preview follows (level Ⅳ has only the lead unit's task among the members);
    # the level box comes back with each preview, so wait until htmx has settled the new one — before
    # choosing in it too (a box swapped in but not yet processed would ignore the change)
    settled = re.compile(r"^(?!.*htmx-(settling|swapping|added|request)).*$")
    expect(preview).to_have_class(settled)
    expect(page.locator(f"#plan-level-{iid}")).to_have_class(settled)
    page.locator(f"#plan-level-{iid}").select_option("4")
    expect(preview).to_contain_text("已选择四级响应")
    expect(preview).to_have_class(settled)
    expect(page.locator(f"#plan-level-{iid}")).to_have_class(settled)
    page.locator(f"#plan-level-{iid}").select_option("3")
    expect(preview).not_to_contain_text("已选择")
    form.locator("input[name=decided_by]").fill("县长")
    snapshot("proposal")
    form.locator("button[type=submit]").click()
    checklist = page.locator("#plan-checklist")
    expect(checklist).to_contain_text("预案工作清单")
    expect(checklist).to_contain_text("向上级报告启动响应情况")
    with city.db.reading() as s:
        tasks = s.scalar(
            select(func.count()).select_from(ResponseTask).where(ResponseTask.incident_id == iid)
        )
    assert tasks == 2 + len(plan.member_ids) - 1
    checklist.locator("form[action^='/response/checklist/'] button").first.click()
    expect(page.locator("#plan-checklist")).to_contain_text("☑")
    snapshot("checklist")
    assert js_errors == []

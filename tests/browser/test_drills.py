"""Drills in a real browser: a town officer plans a double-blind drill through the form, records it
as held, writes the evaluation report with its six sections and a problem; the calendar shows it,
and on a phone the calendar reads as a list of days."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_plan_hold_and_evaluate_a_drill(page, login, js_errors):
    login("town", next_path="/drills")
    expect(page.locator("h1")).to_have_text("应急演练")
    page.click("text=新增演练")
    page.fill("input[name=title]", "浏览器双盲演练")
    page.fill("input[name=planned_on]", "2026-09-08")
    page.uncheck("input[name=notice_time]")
    page.uncheck("input[name=notice_scenario]")
    page.fill("textarea[name=scenario]", "凌晨山洪，集镇低洼处 30 户需转移")
    with page.expect_navigation():
        page.click("form.form-grid button[type=submit].primary")
    expect(page.locator("h1")).to_have_text("浏览器双盲演练")
    expect(page.locator(".page-head .badge-red")).to_have_text("双盲")
    page.select_option("form.drills-move select[name=state]", "ended")
    page.fill("form.drills-move input[name=at]", "2026-09-08T03:30")
    with page.expect_navigation():
        page.click("form.drills-move button[type=submit]")
    expect(page.locator(".page-head")).to_contain_text("已实施")

    page.click("text=填写评估报告")
    for name in ("execution", "plan_fitness", "command", "responders", "equipment", "suggestions"):
        page.fill(f"textarea[name={name}]", f"{name} 情况良好")
    page.fill("input[name=evaluated_on]", "2026-09-10")
    with page.expect_navigation():
        page.click("button[name=final][value='1']")
    expect(page.locator(".page-head")).to_contain_text("已评估")
    expect(page.locator("#evaluation")).to_contain_text("command 情况良好")

    page.select_option("#problems select[name=area]", "support")
    page.fill("#problems textarea[name=description]", "应急广播存在盲区")
    with page.expect_navigation():
        page.click("#problems button[type=submit]")
    expect(page.locator("#problems table")).to_contain_text("应急广播存在盲区")

    page.goto("/drills/calendar?year=2026&month=9")
    expect(page.locator(".drills-calendar")).to_contain_text("浏览器双盲演练")
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.locator(".drills-cal-head")).to_be_hidden()
    expect(page.locator(".drills-cal-day.has .drills-cal-date").first).to_be_visible()
    assert js_errors == []

"""A 双盲 drill end to end in real browsers: the county's controller scripts an incident report on
the exercise page and starts the drill; the job puts it into the live duty flow unannounced; the
town's duty officer, who has only the duty board open, sees it arrive (marked 演练), receives it,
verifies it and reports it up; the controller sees the reaction times and ends the drill; the
results page shows them frozen."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DEFAULT_TIMEOUT_MS, log_in
from tests.exercise.conftest import drill_incidents, make_drill, run_injects

pytestmark = pytest.mark.browser

DESKTOP = {"viewport": {"width": 1600, "height": 900}}
BOARD_REFRESH_MS = 75_000  # pushed at once; the board's 60 s refresh is the safety net


@pytest.fixture
def player(browser, live_server, screenshot_path):
    """The town duty officer's desk: a browser of its own, never told about the drill."""
    context = browser.new_context(base_url=live_server.url, **DESKTOP)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg, errors
    pg.screenshot(path=str(screenshot_path.with_name(f"{screenshot_path.stem}-player-last.png")))
    context.close()


@pytest.mark.parametrize("context_options", [DESKTOP], ids=["1600x900"])
def test_double_blind_drill_through_the_duty_board(
    page, player, login, city, snapshot, screenshot_path, js_errors, context_options
):
    desk, desk_errors = player
    drill = make_drill(city.db, city.town_a, title="镇级防汛双盲演练（浏览器）")

    # -- the player's duty board is open; nothing announces the drill ------------------------------
    log_in(desk, "town", next_path="/duty")
    inbox = desk.locator("#incident-inbox")
    expect(inbox.locator("h2")).to_be_visible()

    # -- the controller scripts the first card and starts the exercise -----------------------------
    login("county", next_path="/drills/exercise")
    page.locator(f"a[href='/drills/{drill}/exercise']").click()
    expect(page.locator("h1")).to_have_text("镇级防汛双盲演练（浏览器）")
    form = page.locator("form[data-inject-form]")
    form.locator("select[name=kind]").select_option("incident_report")
    expect(form.locator("fieldset[data-kind='upstream_warning']")).to_be_hidden()
    form.locator("input[name=title]").fill("第一幕：群众来电报告山洪")
    form.locator("input[name=place_code]").fill(city.village_a)
    form.locator("select[name=category]").select_option("natural.flood_drought")
    form.locator("input[name=reporter_name]").fill("村民王某")
    form.locator("textarea[name=description]").fill("村口河水暴涨，3 名群众被困在河心洲。")
    form.locator("input[name=trapped]").fill("3")
    form.locator("[data-add-inject]").click()
    row = page.locator("table.exercise-injects tr[data-inject]")
    expect(row).to_have_count(1)
    expect(row).to_have_attribute("data-inject-state", "scripted")
    page.locator("[data-start]").click()
    expect(page.locator("[data-drill-state]")).to_have_attribute("data-drill-state", "running")
    snapshot("1-controller-started")

    # -- the worker's job injects it at its time (offset 0) ----------------------------------------
    run_injects(city.db)
    [incident] = drill_incidents(city.db, drill)

    # -- the player sees it arrive on the duty board, marked 演练 ----------------------------------
    item = inbox.locator("li").filter(has=desk.locator(f"a[href='/incidents/{incident.id}']"))
    expect(item).to_be_visible(timeout=BOARD_REFRESH_MS)  # pushed to the board, no reload
    expect(item.locator(".badge-drill")).to_have_text("演练")
    desk.screenshot(path=str(screenshot_path.with_name(f"{screenshot_path.stem}-2-board.png")))
    item.locator(f"a[href='/incidents/{incident.id}']").click()
    expect(desk).to_have_url(re.compile(rf"/incidents/{incident.id}$"))
    expect(desk.locator("h1 .badge-drill")).to_have_text("演练")
    desk.locator(f"form[action='/incidents/{incident.id}/acknowledge'] button").click()
    desk.locator(f"form[action='/incidents/{incident.id}/verify'] button").click()
    expect(desk.locator(".page-head .badge.status-verified")).to_have_text("已核实")
    desk.locator("form.forward-form button[type=submit]").click()
    expect(desk.locator("ol.timeline")).to_contain_text("县")

    # -- the controller sees the reaction times, then ends the drill -------------------------------
    page.reload()
    times = page.locator("table.exercise-rows")
    receive = times.locator("tr", has_text="接报签收用时")
    expect(receive.locator(".exercise-outcome")).to_have_text(re.compile("已完成|在时限内"))
    expect(times.locator("tr", has_text="研判定级用时").locator(".exercise-outcome")).to_have_text(
        re.compile("已完成|在时限内")
    )
    expect(times.locator("tr", has_text="首报上报用时").first).to_be_visible()
    snapshot("3-controller-times")
    page.locator("[data-end]").click()
    expect(page.locator("[data-drill-state]")).to_have_attribute("data-drill-state", "ended")
    page.locator(f"a[href='/drills/{drill}/exercise/results']").first.click()
    expect(page.locator("h1")).to_contain_text("演练测评结果")
    expect(page.locator("table.exercise-summary")).to_contain_text("接报签收用时")
    expect(page.locator("p.small.muted").first).to_contain_text("演练结束时已固定")
    assert js_errors == [] and desk_errors == []

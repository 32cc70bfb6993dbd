"""The command centre's whole incident flow in a real browser (issue 3): a grid worker's phone report →
the county duty officer sees it arrive in the live inbox → grade and running deadline clocks → 签收 and
上报 → verification → a level III response → a task the village's service station acknowledges and
completes from a phone → the response ends → closure with the aftermath, checked in the timeline."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import DEFAULT_TIMEOUT_MS, log_in
from yingji.auth.models import User
from yingji.core import clock
from yingji.org.models import Jurisdiction, Person, Position, Unit

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
INBOX_POLL_MS = 15_000  # the inbox polls every 5 s: three chances
NUMBER = re.compile(r"\d{6}-\d{8}-\d{4}")
TICKING = re.compile(r"\d+:\d\d:\d\d 剩余")

TASK_TITLE = "疏散砖厂周边群众并核实伤亡"
TASK_RESULT = "已疏散群众 12 人，现场已封控"
CLOSING_SUMMARY = "3 名遇难者身份已确认，事故现场清理完毕"


@dataclass
class Cast:
    """The people and places of the flow, read from the test city."""

    group_code: str
    group_name: str
    lon: float
    lat: float
    station: str  # the village's service station, whose chief is the demo user `gridleader`
    commander_name: str  # the person behind the demo user `county`


@pytest.fixture
def cast(city) -> Cast:
    with city.db.reading() as session:
        users = {u.username: u for u in session.scalars(select(User))}
        group = session.get(Jurisdiction, users["gridworker"].jurisdiction_code)
        station = session.scalar(
            select(Unit.name)
            .join(Position, Position.unit_id == Unit.id)
            .where(Position.person_id == users["gridleader"].person_id, Position.role == "chief")
        )
        commander = session.get(Person, users["county"].person_id)
        assert group is not None and group.lon is not None and station and commander is not None
        return Cast(group.code, group.name, group.lon, group.lat, station, commander.name)


@pytest.fixture
def desk_js_errors() -> list[str]:
    return []


@pytest.fixture
def desk(browser, live_server, screenshot_path, desk_js_errors):
    """A second device: the duty officer's desktop (a browser context of its own)."""
    context = browser.new_context(base_url=live_server.url, **DESKTOP)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    pg = context.new_page()
    pg.on("pageerror", lambda exc: desk_js_errors.append(str(exc)))
    yield pg
    pg.screenshot(path=str(screenshot_path.with_name(f"{screenshot_path.stem}-desk-last.png")))
    context.close()


def _shooter(screenshot_path):
    def shoot(pg, step: str) -> None:
        pg.screenshot(path=str(screenshot_path.with_name(f"{screenshot_path.stem}-{step}.png")))

    return shoot


def _panel(pg):
    """The response panel, once htmx has loaded it into the incident page."""
    panel = pg.locator("section.response-panel")
    expect(panel).to_be_visible()
    return panel


def _open_form(panel, summary: str, action: str):
    """Unfold a <details> form of the response panel and give its form."""
    box = panel.locator("details.form-box").filter(
        has=panel.page.locator("summary", has_text=re.compile(f"^{summary}$"))
    )
    box.locator("summary").first.click()
    form = box.locator(f"form[action$='/{action}']")
    expect(form).to_be_visible()
    return form


def _switch_user(pg, username: str, next_path: str) -> None:
    """Hand the phone to someone else: forget the session, log in as them."""
    pg.context.clear_cookies()
    log_in(pg, username, next_path=next_path)


def _phone_report(page, cast: Cast) -> tuple[str, int]:
    """The grid worker files the first report on the phone page; returns (number, incident id)."""
    expect(page.locator("h1")).to_have_text("随手报")
    form = page.locator("form[data-phone-report]")
    form.locator("select[name=category]").select_option("accident.production")
    form.locator("input[data-lon]").fill(f"{cast.lon:.6f}")
    form.locator("input[data-lat]").fill(f"{cast.lat:.6f}")
    form.locator("input[name=address]").fill("龙井寨砖厂")  # leaving the latitude box resolves the place
    expect(form.locator("[data-place-name]")).to_have_text(cast.group_name)
    form.locator("textarea[name=description]").fill("砖厂窑体坍塌，3 人遇难，2 人受伤，正在组织救援。")
    form.locator("input[name=deaths]").fill("3")
    form.locator("input[name=injuries]").fill("2")
    form.locator("input[name=reporter_phone]").fill("13800001234")
    form.locator("button[type=submit]").click()

    status = page.locator("[data-send-status]")
    expect(status).to_have_class(re.compile(r"\bok\b"))
    expect(status).to_contain_text("已发送：")
    number = NUMBER.search(status.inner_text()).group(0)
    assert number.startswith(cast.group_code[:6])
    href = status.locator("a").get_attribute("href")
    assert href and re.fullmatch(r"/incidents/\d+", href), href
    # The draft is gone once the server confirmed: the form is ready for the next report.
    expect(form.locator("input[name=deaths]")).to_have_value("")
    return number, int(href.rsplit("/", 1)[1])


@pytest.mark.parametrize("context_options", [PHONE], ids=["390x844"])
def test_phone_report_to_closure(
    page, desk, login, cast, screenshot_path, js_errors, desk_js_errors, context_options
):
    shoot = _shooter(screenshot_path)

    # -- the county duty officer has the live inbox open before anything happens ------------------
    log_in(desk, "county", next_path="/incidents/inbox")
    expect(desk.locator("h1")).to_have_text("接报台")

    # -- 1. the grid worker reports from the phone --------------------------------------------------
    login("gridworker", next_path="/incidents/phone")
    number, incident_id = _phone_report(page, cast)
    page.locator("[data-send-status]").scroll_into_view_if_needed()  # it is at the top of a long form
    shoot(page, "1-phone-sent")

    # -- 2. the report must reach the county first (1 h, 493号令 第九条); it appears in its inbox -----
    item = desk.locator("#report-inbox li.report-item", has_text=number)
    expect(item).to_be_visible(timeout=INBOX_POLL_MS)  # htmx polling, no reload
    expect(item).to_have_class(re.compile(r"\bunreceived\b"))
    expect(item.locator(".badge.grade-3")).to_have_text("较大事故 (III)")
    expect(item.locator(".report-figures")).to_contain_text("死亡")
    shoot(desk, "2-inbox")
    item.locator("form[action$='/acknowledge'] button").click()  # 签收, back to the inbox
    item = desk.locator("#report-inbox li.report-item", has_text=number)
    expect(item.locator(".badge-grey")).to_have_text("已签收")
    expect(item).not_to_have_class(re.compile(r"\bunreceived\b"))

    item.locator(f"a[href='/incidents/{incident_id}']").click()
    expect(desk).to_have_url(re.compile(rf"/incidents/{incident_id}$"))
    expect(desk.locator(".page-head > span.muted")).to_have_text(number)
    grade = desk.locator("section.grade-card")
    expect(grade.locator("h2")).to_have_text("等级: 较大事故 (III)")
    expect(grade.locator("ul.basis li").first).to_contain_text("较大: 死亡 3 人 ≥ 3")
    expect(grade.locator("ul.basis li").first).to_contain_text("第三条")
    rows = desk.locator("table.deadlines tbody tr")
    expect(rows.first).to_contain_text("县(区)")
    expect(rows.first).to_contain_text("第九条")
    expect(rows.first.locator(".clock")).to_have_text("按时报送")  # met by the 签收
    city_clock = rows.filter(has_text="市(州)").locator(".clock.clock-due")
    expect(city_clock).to_have_text(TICKING)  # still to be reported up: a running clock
    shown = city_clock.inner_text()
    expect(city_clock).not_to_have_text(shown)  # it ticks
    expect(desk.locator("ol.timeline")).to_contain_text("村民小组首报（第 1 份）：等级 III。")
    grade.scroll_into_view_if_needed()
    shoot(desk, "3-incident-graded")

    # -- 3. report up to the city, verify -----------------------------------------------------------
    forward = desk.locator("form.forward-form")
    expect(forward.locator("select[name=to] option").first).to_have_text("市(州)")
    forward.locator("button[type=submit]").click()
    expect(rows.filter(has_text="市(州)").locator(".clock")).to_have_text("按时报送")
    expect(desk.locator("form.forward-form option", has_text="市(州)")).to_have_count(0)
    desk.locator("form[action$='/verify'] button").click()
    expect(desk.locator(".page-head .badge.status-verified")).to_have_text("已核实")

    # -- 4. a level III response and a task to the village's service station -----------------------
    panel = _panel(desk)
    expect(panel.locator(".response-head .badge.status")).to_have_text("已核实")
    # the demo registers the county's plans; this officer activates under one not in the registry
    form = _open_form(panel, "不按登记预案启动（手工填写）", "activate")
    form.locator("select[name=level]").select_option("3")
    form.locator("input[name=plan_name]").fill("碧江区生产安全事故应急预案")
    form.locator("input[name=decided_by]").fill(cast.commander_name)
    form.locator("textarea[name=reason]").fill("较大生产安全事故，死亡 3 人")
    form.locator("button[type=submit]").click()
    panel = _panel(desk)
    expect(panel.locator(".response-head .badge.status")).to_have_text("响应中")
    expect(panel.locator(".response-head .badge.level")).to_have_text("三级响应")

    due = clock.to_local(clock.now() + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    form = _open_form(panel, "下达任务", "tasks")
    form.locator("input[name=title]").fill(TASK_TITLE)
    form.locator("textarea[name=detail]").fill("划定警戒区，逐户核实人员去向")
    form.locator("select[name=assignee_kind]").select_option("unit")
    form.locator("select[name=assignee_unit_id]").select_option(label=cast.station)
    form.locator("input[name=due_at]").fill(due)
    form.locator("select[name=priority]").select_option("urgent")
    form.locator("button[type=submit]").click()
    panel = _panel(desk)
    task_row = panel.locator("table.tasks tbody tr", has_text=TASK_TITLE)
    expect(task_row).to_contain_text(cast.station)
    expect(task_row).to_contain_text("已下达")
    expect(task_row.locator(".due-clock.running .left")).to_contain_text("还剩")
    task_row.scroll_into_view_if_needed()
    shoot(desk, "4-response-and-task")

    # -- 5. the station's chief acknowledges the task on the phone ----------------------------------
    _switch_user(page, "gridleader", "/tasks")
    card = page.locator("article.task-card", has_text=TASK_TITLE)
    expect(card.locator(".task-state")).to_have_text("已下达")
    card.locator("button[data-ack]").click()  # htmx swaps the card
    card = page.locator("article.task-card", has_text=TASK_TITLE)
    expect(card.locator(".task-state")).to_have_text("已签收")
    expect(card).to_contain_text(re.compile(r"网格长 于 .+ 签收"))
    shoot(page, "5-task-acknowledged")

    # -- 6. the response ends; closing is refused while the task is still open -----------------------
    desk.reload()
    panel = _panel(desk)
    expect(panel.locator("table.tasks tbody tr", has_text=TASK_TITLE)).to_contain_text("已签收")
    form = _open_form(panel, "终止应急响应", "end")
    form.locator("input[name=decided_by]").fill(cast.commander_name)
    form.locator("textarea[name=reason]").fill("险情已排除，救援结束")
    form.locator("button[type=submit]").click()
    panel = _panel(desk)
    expect(panel.locator(".response-head .badge.status")).to_have_text("已稳控")
    form = _open_form(panel, "结案", "close")
    form.locator("textarea[name=summary]").fill(CLOSING_SUMMARY)
    form.locator("button[type=submit]").click()
    panel = _panel(desk)
    expect(panel.locator("[role=alert]")).to_contain_text("还有 1 项任务未完成")
    expect(panel.locator(".response-head .badge.status")).to_have_text("已稳控")

    # -- 7. the task is done -------------------------------------------------------------------------
    card = page.locator("article.task-card", has_text=TASK_TITLE)
    card.locator("input[name=note]").fill(TASK_RESULT)
    card.locator("form[action$='/complete'] button").click()
    expect(page.locator(".task-list")).to_contain_text("目前没有您的任务。")
    page.goto("/tasks?all=1")
    card = page.locator("article.task-card", has_text=TASK_TITLE)
    expect(card.locator(".task-state")).to_have_text("已完成")
    expect(card).to_contain_text(TASK_RESULT)

    # -- 8. closure with the aftermath ----------------------------------------------------------------
    desk.reload()
    panel = _panel(desk)
    expect(panel.locator("table.tasks tbody tr", has_text=TASK_TITLE)).to_contain_text("已完成")
    form = _open_form(panel, "结案", "close")
    form.locator("textarea[name=summary]").fill(CLOSING_SUMMARY)
    form.locator("textarea[name=relocation]").fill("受影响 5 户已安置到村委会")
    form.locator("textarea[name=compensation]").fill("遇难者家属抚恤由企业先行垫付")
    form.locator("textarea[name=recovery]").fill("砖厂停产整顿，周边道路已恢复通行")
    form.locator("button[type=submit]").click()
    panel = _panel(desk)
    expect(panel.locator(".response-head .badge.status")).to_have_text("已结案")
    expect(panel).to_contain_text(CLOSING_SUMMARY)
    expect(panel.locator("form[action$='/close']")).to_have_count(0)

    # -- 9. the incident page: closed, and every step in the timeline ---------------------------------
    desk.reload()
    expect(desk.locator(".page-head .badge.status-closed")).to_have_text("已结案")
    expect(desk.locator(".incident-actions form")).to_have_count(0)  # nothing left to do
    timeline = desk.locator("ol.timeline")
    expect(timeline.locator("li.event-report")).to_contain_text(["村民小组首报（第 1 份）：等级 III。"])
    expect(timeline).to_contain_text("县(区)已签收。")
    expect(timeline).to_contain_text("县(区)已上报市(州)。")
    expect(timeline).to_contain_text("已核实。")
    expect(timeline).to_contain_text(f"{cast.commander_name} 决定启动三级应急响应")
    expect(timeline).to_contain_text(f"第 1 项任务（{TASK_TITLE}）下达给 {cast.station}")
    expect(timeline).to_contain_text(f"第 1 项任务（{TASK_TITLE}）已由")
    expect(timeline).to_contain_text(f"第 1 项任务（{TASK_TITLE}）已办结")
    expect(timeline).to_contain_text(f"{cast.commander_name} 决定终止三级应急响应")
    expect(timeline.locator("li.event-closure")).to_contain_text([f"结案：{CLOSING_SUMMARY}"])
    # In order: report, response, task, closure.
    kinds = timeline.locator("li").evaluate_all("(items) => items.map((li) => li.className)")
    order = [kinds.index(k) for k in ("event-report", "event-response", "event-task", "event-closure")]
    assert order == sorted(order), kinds
    desk.locator("ol.timeline").scroll_into_view_if_needed()
    shoot(desk, "9-closed")

    assert js_errors == [], js_errors
    assert desk_js_errors == [], desk_js_errors


@pytest.mark.parametrize("context_options", [PHONE], ids=["390x844"])
def test_phone_report_page_fits_a_phone(page, login, context_options):
    login("gridworker", next_path="/incidents/phone")
    expect(page.locator("form[data-phone-report] input[name=deaths]")).to_be_visible()
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the phone report page is {width} px wide on a 390 px screen"

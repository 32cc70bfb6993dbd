"""Evacuation in Chromium: a grid worker marks households on the phone while offline (the marks wait
in the outbox, "n 条待发送"), the network comes back, the outbox is sent as one batch, and the desk's
order page, open in another browser, shows the new figures by push. Then screenshots of every
evacuation page and of the pages that gained an evacuation card, at 1600×900 and 390×844 (to
artifacts/screenshots, and to $YINGJI_SHOTS when set)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import DEFAULT_TIMEOUT_MS, log_in
from tests.evacuation.conftest import issue, principal_of
from yingji.evacuation.models import EvacuationOrder, EvacuationTask
from yingji.incidents.models import Incident
from yingji.monitoring.models import Alarm

SIZES = {"desk": {"width": 1600, "height": 900}, "phone": {"width": 390, "height": 844}}


def _shoot(page, snapshot, name: str) -> None:
    snapshot(name)
    folder = os.environ.get("YINGJI_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _own_task(db, order_id: int, code: str) -> int:
    with db.reading() as session:
        return session.scalar(
            select(EvacuationTask.id).where(
                EvacuationTask.order_id == order_id, EvacuationTask.jurisdiction_code == code
            )
        )


@pytest.fixture
def context_options() -> dict:
    return {"viewport": SIZES["phone"]}


def test_phone_marks_offline_then_flushed(
    page, login, snapshot, js_errors, browser, live_server, city, screenshot_path
):
    worker = principal_of(city.db, "gridworker")
    order_id = issue(city.db, "town", [worker.jurisdiction_code])
    task_id = _own_task(city.db, order_id, worker.jurisdiction_code)

    # The desk, in its own browser, watching the order's accounting.
    desk_ctx = browser.new_context(base_url=live_server.url, viewport=SIZES["desk"])
    desk_ctx.set_default_timeout(DEFAULT_TIMEOUT_MS)
    desk = desk_ctx.new_page()
    log_in(desk, "town", next_path=f"/evacuation/{order_id}")
    desk.goto(f"/evacuation/{order_id}")
    expect(desk.locator(".ev-b-moved b")).to_have_text("0")
    expect(desk.locator(".ev-live")).not_to_have_class("ev-live ev-live-off")

    login("gridworker", "/evacuation/field")
    page.goto("/evacuation/field")
    expect(page.locator("h1")).to_have_text("我的转移任务")
    page.click(f"a[href='/evacuation/field/{task_id}']")
    expect(page.locator(".ev-households li[data-hid]").first).to_be_visible()
    homes = page.locator(".ev-households li[data-hid]")
    # Light on a phone: what the browser fetched for this page, cold (≤ 400 KB).
    weight = page.evaluate(
        "performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))"
        ".reduce((s, e) => s + (e.transferSize || e.encodedBodySize || 0), 0)"
    )
    print(f"evacuation field page: {weight} bytes")
    assert 0 < weight <= 400_000, weight
    assert homes.count() >= 1
    kept = page.evaluate(f"JSON.parse(localStorage.getItem('yingji-evac-task:{task_id}')).households.length")
    assert kept == homes.count()
    first = homes.nth(0)

    # Offline: two taps on the first household (moved, then "with relatives" a moment later).
    page.context.set_offline(True)
    first.locator("button[data-mark='moved']").click()
    expect(first.locator("[data-state-label]")).to_have_text("已转移")
    page.wait_for_timeout(20)
    first.locator("button[data-mark='at_relatives']").click()
    expect(page.locator("[data-ev-outbox]")).to_contain_text("2 条待发送")
    expect(first.locator("[data-state-label]")).to_have_text("投亲靠友")
    expect(first.locator("[data-pending]")).to_be_visible()
    outbox = page.evaluate("JSON.parse(localStorage.getItem('yingji-evac-outbox'))")
    assert len(outbox) == 2 and len({x["mark"]["client_key"] for x in outbox}) == 2
    _shoot(page, snapshot, "evacuation-field-offline-phone")

    page.context.set_offline(False)  # the "online" event flushes the outbox as one batch
    expect(page.locator("[data-ev-outbox]")).to_contain_text("已发送")
    expect(first.locator("[data-pending]")).to_be_hidden()
    expect(first.locator("[data-state-label]")).to_have_text("投亲靠友")
    assert page.evaluate("JSON.parse(localStorage.getItem('yingji-evac-outbox')).length") == 0

    # The same mark again is answered SAME, and not counted twice.
    first.locator("button[data-mark='at_relatives']").click()
    expect(page.locator("[data-ev-answers]")).to_contain_text("不重复统计")
    _shoot(page, snapshot, "evacuation-field-sent-phone")

    # The desk's figures moved by push (no reload, no polling).
    expect(desk.locator(".ev-b-safe_elsewhere b")).to_have_text("1")
    expect(desk.locator(".ev-b-moved b")).to_have_text("0")
    desk.screenshot(path=str(screenshot_path.with_name("evacuation-desk-after-push.png")))
    desk_ctx.close()
    assert not js_errors, js_errors


@pytest.mark.parametrize("size", list(SIZES))
def test_screenshots_of_every_page(browser, live_server, city, size, js_errors, screenshot_path, api):
    with city.db.reading() as session:
        demo = session.scalar(select(EvacuationOrder).where(EvacuationOrder.client_key.like("demo-order-%")))
    assert demo is not None, "the demo orders an evacuation from its red warning"
    worker = principal_of(city.db, "gridworker")
    task_id = _own_task(city.db, demo.id, worker.jurisdiction_code)
    shots = screenshot_path.parent
    folder = Path(os.environ["YINGJI_SHOTS"]) if os.environ.get("YINGJI_SHOTS") else None

    def run(username: str, pages: list[tuple[str, str, str]]) -> None:
        ctx = browser.new_context(base_url=live_server.url, viewport=SIZES[size])
        ctx.set_default_timeout(DEFAULT_TIMEOUT_MS)
        pg = ctx.new_page()
        pg.on("pageerror", lambda exc: js_errors.append(str(exc)))
        log_in(pg, username)
        for name, url, wait_for in pages:
            pg.goto(url)
            expect(pg.locator(wait_for).first).to_be_visible()
            pg.wait_for_timeout(300)
            pg.screenshot(path=str(shots / f"{name}-{size}.png"), full_page=False)
            if folder:
                folder.mkdir(parents=True, exist_ok=True)
                pg.screenshot(path=str(folder / f"{name}-{size}.png"), full_page=True)
        ctx.close()

    desk_pages = [
        ("evacuation-list", "/evacuation", ".ev-order"),
        ("evacuation-order", f"/evacuation/{demo.id}", ".ev-big"),
        ("evacuation-new", "/evacuation/new", "form.ev-form"),
        ("overview", "/overview", "[data-tile=evacuation]"),
        ("overview-screen", "/overview/screen", "[data-tile=evacuation]"),
    ]
    with city.db.reading() as session:
        alarm_id = session.scalar(select(Alarm.id).where(Alarm.jurisdiction_code.startswith(city.county_a)))
        incident_id = session.scalar(
            select(Incident.id).where(Incident.jurisdiction_code.startswith(city.county_a))
        )
    if alarm_id:
        desk_pages.append(("alarm", f"/monitoring/alarms/{alarm_id}", "main h1"))
    if incident_id:
        desk_pages.append(("incident", f"/incidents/{incident_id}", "main h1"))
    if demo.warning_id:
        desk_pages.append(("warning", f"/warnings/{demo.warning_id}", ".ev-card-head"))
        desk_pages.append(
            ("evacuation-new-from-warning", f"/evacuation/new?warning_id={demo.warning_id}", ".ev-from")
        )
    run("county", desk_pages)
    run(
        "gridworker",
        [
            ("evacuation-field-list", "/evacuation/field", ".ev-field-list"),
            ("evacuation-field-task", f"/evacuation/field/{task_id}", ".ev-households"),
        ],
    )
    assert not js_errors, js_errors

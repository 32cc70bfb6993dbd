"""The grid worker's app in Chromium with the network cut: the service worker serves the app shell
and the worker's warnings and tasks offline; 500 ticks made offline wait in the IndexedDB outbox and,
replayed over a link that keeps dropping, land exactly once each (rows counted in the database).
Then screenshots of the app's pages at 390×844 and 1600×900."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.delivery.conftest import emit, make_warning
from tests.field.conftest import open_task
from yingji.delivery import signing
from yingji.field.models import DoorVisit

SIZES = {"desk": {"width": 1600, "height": 900}, "phone": {"width": 390, "height": 844}}
TICKS = 500


@pytest.fixture(autouse=True)
def app_secret(monkeypatch):
    monkeypatch.setenv("YINGJI_SECRET_KEY", "test-secret")
    signing.app_secret.cache_clear()
    yield
    signing.app_secret.cache_clear()


@pytest.fixture
def context_options() -> dict:
    return {"viewport": SIZES["phone"]}


def _job(city) -> tuple[int, int]:
    wid = make_warning(city.db, city.county_a, area_codes=[city.group_a])
    dispatch = emit(city.db, wid)
    return dispatch.id, open_task(city.db, dispatch.id, city.group_a)


def _rows(db, task_id: int) -> tuple[int, int]:
    with db.reading() as session:
        q = select(func.count(), func.count(func.distinct(DoorVisit.client_key))).where(
            DoorVisit.task_id == task_id
        )
        return tuple(session.execute(q).one())


def _shoot(page, snapshot, name: str) -> None:
    snapshot(name)
    folder = os.environ.get("YINGJI_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _until(page, expression: str, seconds: float = 15) -> None:
    # Polled with evaluate: wait_for_function evaluates a string, which the page's CSP forbids.
    deadline = time.monotonic() + seconds
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, expression
        page.wait_for_timeout(100)


def _kept(page, path: str) -> bool:
    return page.evaluate(
        "p => caches.open('yingji-field-v1').then(c => c.match(p)).then(r => !!r)",
        path,
    )


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_offline_shell_and_500_ticks_land_once(page, login, snapshot, city, js_errors):
    dispatch_id, task_id = _job(city)
    login("gridworker", "/field")
    assert page.url.endswith("/field")
    _until(page, "document.documentElement.dataset.sw === 'ready' && !!navigator.serviceWorker.controller")
    # The home told the worker to keep the warning and the task it links to.
    deadline = time.monotonic() + 15
    while not (_kept(page, f"/field/tasks/{task_id}") and _kept(page, f"/field/warnings/{dispatch_id}")):
        assert time.monotonic() < deadline, "the service worker did not keep the linked pages"
        page.wait_for_timeout(100)

    ctx = page.context
    ctx.set_offline(True)
    # The app shell and the worker's current warnings and tasks, from the service worker.
    r = page.goto("/field")
    assert r.from_service_worker and r.status == 200
    expect(page.locator("h1")).to_have_text("我的工作")
    expect(page.locator("[data-field-status]")).to_contain_text("离线")
    page.goto(f"/field/warnings/{dispatch_id}")
    expect(page.locator(".fa-measures")).to_contain_text("请立即转移危险区域群众")
    # A page never opened: the offline shell, not the browser's error page (the network is cut
    # for the service worker too).
    page.goto("/field/tasks/999999999")
    expect(page.locator("[data-offline-shell]")).to_be_visible()
    page.goto(f"/field/tasks/{task_id}")
    homes = page.locator(".fa-households li[data-household]")
    assert homes.count() >= 1

    # Offline: ticks by hand, then the rest through the same outbox.
    by_hand = min(homes.count(), 5)
    for i in range(by_hand):
        homes.nth(i).locator("button.fa-tick").click()
    expect(homes.nth(0)).to_have_class(re.compile(r"\bis-reached\b"))
    _shoot(page, snapshot, "field-task-offline-phone")
    households = [homes.nth(i).get_attribute("data-household") for i in range(homes.count())]
    page.evaluate(
        """([task, hs, n]) => {
            let p = Promise.resolve();
            const tick = (i) => window.yingjiField.tick(task, hs[i % hs.length], i % 3 !== 2);
            for (let i = 0; i < n; i++) p = p.then(() => tick(i));
            return p;
        }""",
        [task_id, households, TICKS - by_hand],
    )
    assert page.evaluate("window.yingjiField.pending()") == TICKS
    assert _rows(city.db, task_id) == (0, 0)  # nothing left the phone
    expect(page.locator("[data-field-status]")).to_contain_text(f"{TICKS} 条打勾记录等待发送")

    # A flaky link: online and offline by turns while the outbox replays. Requests cut in flight
    # (some after the server wrote the tick) are replayed with the same key.
    cut: list[str] = []
    page.on("requestfailed", lambda req: cut.append(req.url) if "/api/v1/field/visits" in req.url else None)
    started = time.monotonic()
    deadline = time.monotonic() + 180
    flips = 0
    while True:
        ctx.set_offline(False)
        page.wait_for_timeout(250)
        ctx.set_offline(True)
        flips += 1
        page.wait_for_timeout(60)
        if page.evaluate("window.yingjiField.pending()") == 0:
            break
        assert time.monotonic() < deadline, "the outbox did not empty"
    ctx.set_offline(False)
    print(
        f"replayed {TICKS} ticks in {time.monotonic() - started:.1f} s",
        f"over {flips} drops, {len(cut)} requests cut",
    )
    assert _rows(city.db, task_id) == (TICKS, TICKS)  # each tick exactly once
    page.reload()
    expect(page.locator("[data-field-status]")).to_be_hidden()
    _shoot(page, snapshot, "field-task-sent-phone")
    assert not js_errors, js_errors


@pytest.mark.parametrize("size", list(SIZES))
def test_screenshots(browser, live_server, city, size, js_errors, screenshot_path):
    dispatch_id, task_id = _job(city)
    ctx = browser.new_context(base_url=live_server.url, viewport=SIZES[size])
    page = ctx.new_page()
    page.on("pageerror", lambda exc: js_errors.append(str(exc)))
    from tests.browser.conftest import log_in

    log_in(page, "gridworker", next_path="/field")
    shots = screenshot_path.parent
    for name, url in (
        ("home", "/field"),
        ("warning", f"/field/warnings/{dispatch_id}"),
        ("task", f"/field/tasks/{task_id}"),
        ("report", "/incidents/phone"),
    ):
        page.goto(url)
        expect(page.locator("h1").first).to_be_visible()
        assert "Internal" not in page.content()
        page.screenshot(path=str(shots / f"field-{name}-{size}.png"), full_page=True)
    if size == "phone":
        page.click(".nav-toggle")
        page.screenshot(path=str(shots / "field-menu-phone.png"))
    ctx.close()
    assert not js_errors, js_errors

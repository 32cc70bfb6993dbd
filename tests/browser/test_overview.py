"""The situation overview in Chromium: tiles and ECharts trends render for the commander, a tile
leads to its filtered list, a push event refreshes the tile it touches, the phone layout does not
scroll sideways, and the big screen fills 1920×1080 dark, without navigation."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from yingji.core import clock
from yingji.core.db import Actor
from yingji.monitoring.models import Alarm, HazardPoint, Sensor


def _wait_for_charts(page) -> None:
    page.wait_for_function(
        "() => document.querySelectorAll('[data-chart] canvas').length >= 2 && "
        "document.querySelector('[data-yoy]').textContent.length > 0"
    )


def test_commander_sees_tiles_charts_and_map(page, login, js_errors):
    login("commander")
    expect(page.locator("#overview")).to_be_visible()
    expect(page.locator("h1")).to_contain_text("态势总览")
    for tile in (
        "incidents",
        "reports",
        "overdue",
        "responses",
        "warnings",
        "alarms",
        "teams",
        "supplies",
        "duty",
    ):
        expect(page.locator(f'[data-tile="{tile}"]')).to_be_visible()
    expect(page.locator('[data-tile="incidents"]')).to_contain_text("未结事件")
    _wait_for_charts(page)
    page.wait_for_function("() => document.getElementById('map').dataset.ready === 'true'")
    assert js_errors == []


def test_a_tile_opens_its_filtered_list(page, login):
    login("commander")
    page.locator('[data-tile="incidents"] a.ov-head').click()
    page.wait_for_url(re.compile(r"/incidents\?status=open"))
    expect(page.locator("select[name=status]")).to_have_value("open")


def test_a_push_event_refreshes_the_alarm_tile(page, login, city, js_errors):
    login("county")
    big = page.locator('[data-tile="alarms"] .ov-big')
    before = int(big.inner_text().replace(",", ""))
    with city.db.writing(Actor.system("tests")) as s:
        code = city.village_a
        point = HazardPoint(
            code=f"OVB-{before}", name="浏览器测试点", kind="geological", jurisdiction_code=code
        )
        s.add(point)
        s.flush()
        n = s.scalar(select(func.count()).select_from(Sensor)) or 0
        sensor = Sensor(
            code=f"OVB-S{n}",
            name="雨量计",
            kind="rain_gauge",
            unit="mm",
            hazard_point_id=point.id,
            jurisdiction_code=code,
        )
        s.add(sensor)
        s.flush()
        s.add(
            Alarm(
                rule_key="default:ovb",
                sensor_id=sensor.id,
                hazard_point_id=point.id,
                jurisdiction_code=code,
                metric="value",
                direction="above",
                level="red",
                action="notify",
                raise_at=1,
                clear_at=0.5,
                state="open",
                raised_at=clock.now(),
                value=2,
                peak_value=2,
                last_value=2,
            )
        )
    # What events.js (helper "push") dispatches for a new alarm in the county.
    page.evaluate(
        "code => window.dispatchEvent(new CustomEvent('yingji:event', "
        "{detail: {id: 1, kind: 'alarm.new', jurisdiction_code: code, payload: {}}}))",
        city.village_a,
    )
    expect(big).to_have_text(f"{before + 1:,}", timeout=10_000)
    assert js_errors == []


@pytest.mark.parametrize("context_options", [{"viewport": {"width": 390, "height": 844}}], indirect=False)
def test_phone_overview_does_not_scroll_sideways(page, login, context_options):
    login("town")
    expect(page.locator('[data-tile="incidents"]')).to_be_visible()
    _wait_for_charts(page)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390


@pytest.mark.parametrize("context_options", [{"viewport": {"width": 1920, "height": 1080}}], indirect=False)
def test_big_screen_at_1920(page, login, context_options, js_errors):
    login("commander", next_path="/overview/screen")
    expect(page.locator("body.ov-screen")).to_be_visible()
    expect(page.locator("#sidebar")).to_have_count(0)
    expect(page.locator(".topbar")).to_have_count(0)
    expect(page.locator("[data-place-name]")).to_have_text("铜仁市")
    expect(page.locator("[data-fullscreen]")).to_be_visible()
    bg = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    r, g, b = (int(x) for x in re.findall(r"\d+", bg)[:3])
    assert r + g + b < 120, bg  # dark
    _wait_for_charts(page)
    # One screen: nothing to scroll, every tile inside the viewport.
    assert page.evaluate("() => document.documentElement.scrollHeight") <= 1080
    for tile in ("incidents", "warnings", "alarms", "teams", "duty"):
        box = page.locator(f'[data-tile="{tile}"]').bounding_box()
        assert box and box["y"] + box["height"] <= 1080 and box["x"] + box["width"] <= 1920, tile
    # Text grows with the screen: the big numbers are large at 1920 wide.
    size = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('.ov-big')).fontSize)")
    assert size >= 40
    # The clock runs.
    first = page.locator("[data-clock]").inner_text()
    page.wait_for_function("t => document.querySelector('[data-clock]').textContent !== t", arg=first)
    assert js_errors == []


@pytest.mark.parametrize("context_options", [{"viewport": {"width": 1920, "height": 1080}}], indirect=False)
def test_big_screen_rides_out_a_dropped_connection(page, login, context_options, js_errors):
    """The server gone (requests fail): the last figures stay, a banner says so, and when it is back
    the screen recovers by itself — no error page left on the wall."""
    login("commander", next_path="/overview/screen")
    _wait_for_charts(page)
    figure = page.locator('[data-tile="incidents"] .ov-big').inner_text()
    page.route("**/overview/panel*", lambda route: route.abort())
    page.route("**/api/v1/overview*", lambda route: route.abort())
    page.evaluate(
        "() => window.dispatchEvent(new CustomEvent('yingji:event', "
        "{detail: {id: 2, kind: 'alarm.new', jurisdiction_code: '', payload: {}}}))"
    )
    banner = page.locator("[data-status]")
    expect(banner).to_have_class(re.compile(r"\boffline\b"), timeout=10_000)
    expect(banner).to_contain_text("连接中断")
    expect(page.locator('[data-tile="incidents"] .ov-big')).to_have_text(figure)
    page.unroute("**/overview/panel*")
    page.unroute("**/api/v1/overview*")
    expect(banner).not_to_have_class(re.compile(r"\boffline\b"), timeout=20_000)
    assert page.locator("#overview").get_attribute("data-online") == "true"
    assert js_errors == []

"""End-to-end checks in a real browser: log in, the one map, the directory, language, phones, log out."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from yingji.org.models import Jurisdiction

pytestmark = pytest.mark.browser

ALL_COUNTIES = 10
BIJIANG = "520602"

# Features currently drawn on the map, per level (each GeoJSON feature is one Leaflet layer).
FEATURES_ON_MAP = """(level) => {
  const codes = [];
  window.yingjiMap.eachLayer((l) => {
    if (l.feature && l.feature.properties && l.feature.properties.level === level) {
      codes.push(l.feature.properties.code);
    }
  });
  return codes;
}"""


def _place_name(city, code: str) -> str:
    with city.db.reading() as session:
        return session.get(Jurisdiction, code).name


def _wait_for_map(page) -> None:
    expect(page.locator("#map")).to_have_attribute("data-ready", "true")
    page.wait_for_function("() => window.yingjiMap && window.yingjiMap._loaded === true")


def test_login_page_is_chinese_by_default(page, live_server):
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("h1")).to_have_text("登录")
    expect(page.locator("form[action='/login'] button[type=submit]")).to_have_text("登录")
    assert "登录" in page.title()


def test_duty_officer_sees_ten_counties_on_the_map(page, login, js_errors):
    login("duty")
    expect(page.locator(".whoami")).to_be_visible()
    page.goto("/map")
    _wait_for_map(page)
    map_el = page.locator("#map")
    expect(map_el).to_have_attribute("data-loaded-county", str(ALL_COUNTIES))

    codes = page.evaluate(FEATURES_ON_MAP, "county")
    assert len(codes) == ALL_COUNTIES and len(set(codes)) == ALL_COUNTIES, codes
    assert all(c.startswith("5206") for c in codes), codes

    # At city zoom the county names are the labels; two of them checked by name, all ten counted
    # (none left out for overlapping at this size).
    labels = page.locator(".ym-label-county > span")
    expect(labels).to_have_count(ALL_COUNTIES)
    for name in ("碧江区", "松桃苗族自治县"):
        expect(labels.filter(has_text=re.compile(f"^{name}$"))).to_be_visible()
    # The whole city is in view: every county label lies inside the map's box.
    box = map_el.bounding_box()
    for i in range(ALL_COUNTIES):
        lb = labels.nth(i).bounding_box()
        cx, cy = lb["x"] + lb["width"] / 2, lb["y"] + lb["height"] / 2
        assert box["x"] <= cx <= box["x"] + box["width"] and box["y"] <= cy <= box["y"] + box["height"]

    expect(page.locator('[data-ym-count="county"]')).to_have_text(str(ALL_COUNTIES))
    assert js_errors == []


def test_zooming_into_a_detailed_county_loads_its_towns(page, login, js_errors):
    login("duty")
    page.goto("/map")
    _wait_for_map(page)
    page.evaluate("() => { window.yingjiMap.setView([27.70, 109.18], 10, { animate: false }); }")
    page.wait_for_function("() => Number(document.getElementById('map').dataset.loadedTown || 0) > 0")
    assert page.evaluate("() => window.yingjiMap.getZoom()") >= 10
    towns = page.evaluate(FEATURES_ON_MAP, "town")
    assert towns and any(code.startswith(BIJIANG) for code in towns), towns
    expect(page.locator('[data-ym-count="town"]')).not_to_have_text("")
    assert js_errors == []


def test_directory_finds_the_flood_contacts_of_a_town(page, login, city):
    town = _place_name(city, city.town_a)  # the town of the demo user `town`
    login("duty")
    page.goto("/directory")
    page.fill("input#q", f"{town} 防汛")
    page.click("form.big-search button[type=submit]")
    contacts = page.locator("ol.contacts li.contact")
    expect(contacts.first).to_be_visible()
    expect(contacts.first.locator(".contact-name")).not_to_be_empty()
    # The answer understood the place and the topic.
    expect(page.locator(".understood")).to_contain_text(town)
    expect(page.locator(".understood")).to_contain_text("水旱灾害")  # 防汛 is the flood/drought topic
    expect(page.locator("ol.contacts")).to_contain_text("防汛抗旱")


def test_directory_finds_a_person_by_name(page, login):
    login("duty")
    page.goto("/people")
    first = page.locator("table.table tbody tr td:first-child a").first
    expect(first).to_be_visible()
    name = first.inner_text().strip()
    href = first.get_attribute("href")
    assert name and href and href.startswith("/people/")

    page.goto("/directory")
    page.fill("input#q", name)
    page.click("form.big-search button[type=submit]")
    found = page.locator("ol.contacts li.contact .contact-name", has_text=name)
    expect(found.first).to_be_visible()
    expect(page.locator(f"ol.contacts li.contact a.contact-name[href='{href}']")).to_have_count(1)


def test_language_switches_to_english_and_back(page, login):
    login("duty")
    page.goto("/directory")
    expect(page.locator("h1")).to_have_text("找对人")
    page.click(".topbar nav.lang a[href^='/lang/en']")
    expect(page).to_have_url(re.compile(r"/directory$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Find the right person")
    expect(page.locator(".topbar nav.lang strong")).to_have_text("English")
    page.click(".topbar nav.lang a[href^='/lang/zh_CN']")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("h1")).to_have_text("找对人")


def test_login_page_switches_to_english(page, live_server):
    page.goto("/login")
    page.click(".topbar nav.lang a[href^='/lang/en']")
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.locator("h1")).to_have_text("Log in")


@pytest.mark.parametrize("context_options", [{"viewport": {"width": 390, "height": 844}}], ids=["390x844"])
def test_phone_menu_opens_the_sidebar(page, login, snapshot, context_options):
    login("duty")
    page.goto("/")
    toggle = page.locator("button.nav-toggle")
    sidebar = page.locator("#sidebar")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_text("☰")
    expect(sidebar).not_to_be_in_viewport()
    toggle.click()
    expect(page.locator("body")).to_have_class(re.compile(r"\bnav-open\b"))
    expect(sidebar).to_be_in_viewport()
    page.wait_for_function("() => document.getElementById('sidebar').getBoundingClientRect().left >= 0")
    expect(sidebar.locator("a[href='/map']")).to_be_visible()
    # The page does not scroll sideways on a phone.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    snapshot("menu-open")
    # Following a menu entry works from the phone menu.
    sidebar.locator("a[href='/map']").click()
    _wait_for_map(page)
    expect(page.locator("#map")).to_have_attribute("data-loaded-county", str(ALL_COUNTIES))


def test_logging_out_returns_to_the_login_page(page, login):
    login("duty")
    page.goto("/map")
    _wait_for_map(page)
    with page.expect_navigation():
        page.click(".topbar form[action='/logout'] button[type=submit]")
    expect(page).to_have_url(re.compile(r"/login(\?.*)?$"))
    expect(page.locator("h1")).to_have_text("登录")
    # The session is gone: the map now sends us back to the login page.
    page.goto("/map")
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.locator("input[name=username]")).to_be_visible()


TOWN_FEATURES = re.compile(r"/api/v1/map/features\?level=town")


def _hold_town_answers(page, how_many: int) -> list:
    """Intercept the next ``how_many`` town requests and keep them waiting; later ones go through."""
    held: list = []

    def handle(route):
        if len(held) < how_many:
            held.append(route)
        else:
            route.continue_()

    page.route(TOWN_FEATURES, handle)
    return held


def _wait_until(page, condition, what: str, timeout_ms: int = 5000) -> None:
    for _ in range(timeout_ms // 50):
        if condition():
            return
        page.wait_for_timeout(50)  # also lets Playwright dispatch route events
    raise AssertionError(f"timed out waiting for {what}")


def test_a_late_town_answer_after_zooming_out_is_dropped(page, login):
    """Zoom in (towns are requested), zoom out before the answer arrives: no towns may appear."""
    login("duty")
    page.goto("/map")
    _wait_for_map(page)
    held = _hold_town_answers(page, 1)
    page.evaluate("() => { window.yingjiMap.setView([27.70, 109.18], 10, { animate: false }); }")
    _wait_until(page, lambda: held, "the town request")
    page.evaluate("() => { window.yingjiMap.setView([27.70, 109.18], 7, { animate: false }); }")
    with page.expect_response(TOWN_FEATURES):
        held[0].continue_()
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.yingjiMap.getZoom()") == 7
    assert page.evaluate(FEATURES_ON_MAP, "town") == []
    expect(page.locator("#map")).to_have_attribute("data-loaded-town", "0")
    expect(page.locator('[data-ym-count="town"]')).to_have_text("")


def test_town_boundaries_are_fetched_once_per_zoom_band(page, login):
    """Towns come for the whole jurisdiction once per zoom band: panning asks for nothing more."""
    login("duty")
    page.goto("/map")
    _wait_for_map(page)
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if TOWN_FEATURES.search(r.url) else None)
    page.evaluate("() => { window.yingjiMap.setView([27.70, 109.18], 10, { animate: false }); }")
    page.wait_for_function("() => Number(document.getElementById('map').dataset.loadedTown || 0) > 0")
    page.evaluate("() => { window.yingjiMap.setView([27.95, 107.7], 10, { animate: false }); }")
    page.wait_for_timeout(400)
    page.evaluate("() => { window.yingjiMap.setView([27.60, 109.0], 10.5, { animate: false }); }")
    page.wait_for_timeout(400)
    assert len(asked) == 1 and "zoom=9" in asked[0], asked

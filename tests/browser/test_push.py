"""The duty board updates from a pushed event (SSE): a report filed through the API appears on the
open board without a reload, and, with sound and notice switched on, the board rings."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DEFAULT_TIMEOUT_MS

pytestmark = pytest.mark.browser


def test_a_report_filed_through_the_api_appears_on_the_open_board(login, page, api, city, snapshot):
    login("duty", "/duty/board")
    expect(page.locator("html[data-live-events=open]")).to_have_count(
        1, timeout=DEFAULT_TIMEOUT_MS
    )  # the stream is open
    expect(page.locator("#incident-panel-inbox")).to_be_visible()
    page.evaluate("window.__sameDocument = true")  # gone if the page were reloaded
    toggle = page.locator("[data-duty-alerts]")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.click()  # switch sound and notice on (remembered)
    expect(toggle).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("localStorage.getItem('yingji-duty-alerts')") == "on"
    rang_before = page.evaluate("document.documentElement.dataset.dutyTone || ''")

    title = f"推送测试 {uuid.uuid4().hex[:6]} 山体滑坡"
    r = api("town").post(
        "/api/v1/incidents",
        json={"category": "natural.geological", "jurisdiction_code": city.village_a, "title": title},
    )
    assert r.status_code == 201, r.text

    expect(page.locator("#incident-panel-inbox")).to_contain_text(title, timeout=DEFAULT_TIMEOUT_MS)
    assert page.evaluate("window.__sameDocument === true")
    rang_after = page.evaluate("document.documentElement.dataset.dutyTone || ''")
    assert rang_after and rang_after != rang_before  # the first report rang
    snapshot("after-push")

    # Switched off, a new first report still appears but no longer rings.
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "false")
    second = f"推送测试 {uuid.uuid4().hex[:6]} 房屋倒塌"
    r = api("town").post(
        "/api/v1/incidents",
        json={"category": "natural.geological", "jurisdiction_code": city.village_a, "title": second},
    )
    assert r.status_code == 201, r.text
    expect(page.locator("#incident-panel-inbox")).to_contain_text(second, timeout=DEFAULT_TIMEOUT_MS)
    assert page.evaluate("document.documentElement.dataset.dutyTone || ''") == rang_after


def test_a_report_elsewhere_does_not_reach_another_towns_inbox(login, page, api, city):
    """Town B's inbox page stays quiet for town A's report (the stream carries only its own place)."""
    login("town_b", "/incidents/inbox")
    expect(page.locator("html[data-live-events=open]")).to_have_count(1, timeout=DEFAULT_TIMEOUT_MS)
    page.evaluate(
        "window.__seen = []; window.addEventListener('yingji:event', e => window.__seen.push(e.detail))"
    )
    mine = f"乙镇 {uuid.uuid4().hex[:6]}"
    theirs = f"甲镇 {uuid.uuid4().hex[:6]}"
    assert (
        api("town")
        .post(
            "/api/v1/incidents",
            json={"category": "natural.geological", "jurisdiction_code": city.village_a, "title": theirs},
        )
        .status_code
        == 201
    )
    assert (
        api("county")
        .post(
            "/api/v1/incidents",
            json={"category": "natural.geological", "jurisdiction_code": city.town_b, "title": mine},
        )
        .status_code
        == 201
    )
    expect(page.locator("#report-inbox")).to_contain_text(mine, timeout=DEFAULT_TIMEOUT_MS)
    seen = page.evaluate("window.__seen")
    assert seen and all(e["jurisdiction_code"].startswith(city.town_b) for e in seen)
    expect(page.locator("#report-inbox")).not_to_contain_text(theirs)


def test_the_live_warning_page_follows_acknowledgements(login, page, city):
    """A town officer watches a county warning's live page; a grid worker of the town acknowledges:
    the coverage tiles move without a reload (a warning.coverage event addressed to the town)."""
    from tests.delivery.conftest import cells, emit, make_warning, staff_of
    from yingji.core.db import Actor
    from yingji.delivery import acks

    wid = make_warning(city.db, city.county_a, area_codes=[city.village_a])
    dispatch = emit(city.db, wid)
    login("town", f"/warnings/{wid}/live")
    expect(page.locator("html[data-live-events=open]")).to_have_count(1, timeout=DEFAULT_TIMEOUT_MS)
    page.evaluate("window.__sameDocument = true")
    tile = page.locator("#live-stats .tile-ok")
    expect(tile).to_contain_text("(0)")
    cell = cells(city.db, dispatch.id)[-1].cell_code
    person = staff_of(city.db, cell)[0]
    with city.db.writing(Actor.system("tests")) as session:
        assert acks.acknowledge(session, dispatch.id, person.id, "link").new
    expect(tile).not_to_contain_text("(0)", timeout=DEFAULT_TIMEOUT_MS)
    assert page.evaluate("window.__sameDocument === true")

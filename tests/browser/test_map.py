"""The one map as a commander reads it, in Chromium: a legend for what is on, place names by zoom,
neutral clusters (count only), counts beside the layers that follow the switches, the time filter,
and the same map as a panel on the risk map page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

NEUTRAL = "rgba(84, 110, 122, 0.88)"  # static/css/map.css .ym-cluster


def _ready(page) -> None:
    expect(page.locator("#map")).to_have_attribute("data-ready", "true")
    page.wait_for_function("() => window.yingjiMap && window.yingjiMap._loaded === true")


def test_the_legend_shows_the_layers_that_are_on(page, login, js_errors):
    login("commander")
    page.goto("/map")
    _ready(page)
    legend = page.locator("[data-ym-legend]")
    expect(legend).to_be_visible()
    expect(legend.locator('[data-legend-for="incidents"]')).to_be_visible()
    expect(legend.locator('[data-legend-for="incidents"]')).to_contain_text("Ⅰ级(特别重大)")
    expect(legend.locator('[data-legend-for="risk"]')).to_be_hidden()
    page.locator('[data-layer="risk"]').check()
    expect(legend.locator('[data-legend-for="risk"]')).to_be_visible()
    expect(legend.locator('[data-legend-for="risk"]')).to_contain_text("聚合(仅数量)")
    assert js_errors == []


def test_place_names_follow_the_zoom(page, login, js_errors):
    login("commander")
    page.goto("/map")
    _ready(page)
    # city zoom: county names, with a halo, none overlapping another
    expect(page.locator(".ym-label-county > span").first).to_be_visible()
    assert page.locator(".ym-label-town").count() == 0
    assert "text-shadow" in page.evaluate(
        "() => getComputedStyle(document.querySelector('.ym-label')).cssText || 'text-shadow'"
    )
    boxes = [
        page.locator(".ym-label > span").nth(i).bounding_box()
        for i in range(page.locator(".ym-label").count())
    ]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            overlap = (
                a["x"] < b["x"] + b["width"]
                and b["x"] < a["x"] + a["width"]
                and a["y"] < b["y"] + b["height"]
                and b["y"] < a["y"] + a["height"]
            )
            assert not overlap, (a, b)
    # county zoom: town names
    page.evaluate("() => { window.yingjiMap.setView([27.70, 109.18], 10, { animate: false }); }")
    expect(page.locator(".ym-label-town > span").first).to_be_visible()
    expect(page.locator("#map")).to_have_attribute("data-labels", re.compile("^town"))
    # town zoom: village names
    page.evaluate("() => { window.yingjiMap.setView([27.70, 109.18], 12.5, { animate: false }); }")
    expect(page.locator(".ym-label-village > span").first).to_be_visible()
    assert js_errors == []


def test_clusters_are_neutral_and_a_switch_changes_the_count(page, login, js_errors):
    login("commander")
    page.goto("/map")
    _ready(page)
    count = page.locator('[data-ym-count="hazards"]')
    expect(count).to_have_text("")  # off by default
    with page.expect_response(re.compile(r"/api/v1/map/clusters/hazards")) as answer:
        page.locator('[data-layer="hazards"]').check()
    total = answer.value.json()["total"]
    assert total > 0
    expect(count).to_have_text(str(total))
    expect(page.locator("#map")).to_have_attribute("data-mode-hazards", "clusters")
    clusters = page.locator(".ym-cluster-hazards")
    expect(clusters.first).to_be_visible()
    colours = page.evaluate(
        "() => [...document.querySelectorAll('.ym-cluster')].map(e => getComputedStyle(e).backgroundColor)"
    )
    assert colours and set(colours) == {NEUTRAL}, set(colours)
    # the counts on the clusters add up to the layer's count
    shown = page.evaluate(
        "() => [...document.querySelectorAll('.ym-cluster-hazards > span:not(.ym-cl-tag):not(.ym-cl-hot)')]"
        ".map(e => e.textContent)"
    )
    if not any(s.endswith("k") for s in shown):
        assert sum(int(s) for s in shown) == total
    page.locator('[data-layer="hazards"]').uncheck()
    expect(count).to_have_text("")
    expect(clusters).to_have_count(0)
    assert js_errors == []


def test_the_time_filter_asks_for_incidents_and_alarms_of_the_range(page, login, js_errors):
    login("commander")
    page.goto("/map")
    _ready(page)
    with (
        page.expect_request(re.compile(r"/api/v1/map/incidents\?.*since=")) as inc,
        page.expect_request(re.compile(r"/api/v1/map/alarms\?.*since=")),
    ):
        page.select_option("[data-ym-time]", "7d")
    assert "until=" not in inc.value.url
    expect(page.locator("[data-ym-range]")).to_be_hidden()
    page.select_option("[data-ym-time]", "custom")
    expect(page.locator("[data-ym-range]")).to_be_visible()
    with page.expect_request(re.compile(r"/api/v1/map/incidents\?.*until=")):
        page.fill("[data-ym-until]", "2026-01-02T00:00")
        page.dispatch_event("[data-ym-until]", "change")
    assert js_errors == []


def test_the_risk_map_uses_the_same_panel_and_fetches_each_layer_once(page, login, js_errors):
    login("commander")
    # the commander lands on the overview, whose own map asks for the same county layer: leave it
    # first, or its late answers count as this page's
    page.goto("about:blank")
    asked: list[str] = []
    # answers, not requests: a request the busy test server shed (503) is rightly asked again
    page.on("response", lambda r: asked.append(r.url) if "/api/v1/map/" in r.url and r.ok else None)
    page.goto("/risk/map")
    _ready(page)
    page.wait_for_timeout(500)
    expect(page.locator('[data-layer="risk"]')).to_be_checked()
    expect(page.locator('[data-legend-for="risk"]')).to_be_visible()
    twice = sorted({u for u in asked if asked.count(u) > 1})
    assert twice == [], asked  # nothing downloaded twice
    assert not any("/api/v1/map/risk?" in u for u in asked), "city zoom: clusters, not raw points"
    assert js_errors == []

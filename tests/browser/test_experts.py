"""The expert registry and plan coverage in Chromium: the registry searched by field, an expert's
page, the consultation form offering registry experts, and the coverage page whose map draws the
counties by their coverage rate. Screenshots of each page at 1600×900 and 390×844 go to
artifacts/screenshots (and, when YINGJI_SHOTS is set, to that folder)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import unique_mobile
from tests.response.conftest import new_incident

SIZES = {"desk": {"width": 1600, "height": 900}, "phone": {"width": 390, "height": 844}}


def _shoot(page, snapshot, name: str) -> None:
    snapshot(name)
    folder = os.environ.get("YINGJI_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.fixture(params=list(SIZES))
def context_options(request) -> dict:
    return {"viewport": SIZES[request.param]}


def test_expert_pages_and_the_consultation_form(page, login, snapshot, js_errors, api, city, context_options):
    size = "desk" if context_options["viewport"]["width"] > 1000 else "phone"
    town = api("town")
    body = {
        "name": f"浏览器专家{size}",
        "title": "正高级工程师",
        "title_grade": "senior",
        "unit_name": "碧江区自然资源局",
        "jurisdiction_code": city.town_a,
        "mobile": unique_mobile(),
        "disciplines": ["geology"],
        "categories": ["natural.geological"],
        "specialty": "滑坡、崩塌应急调查",
    }
    expert = town.post("/api/v1/experts", json=body).json()
    iid = new_incident(city.db, city.town_a, category="natural.geological", grading_kind="geological")

    login("town", "/experts?discipline=geology")
    expect(page.locator("h1")).to_have_text("专家库")
    expect(page.locator("table.experts-table")).to_contain_text(f"浏览器专家{size}")
    _shoot(page, snapshot, f"experts-list-{size}")

    page.goto(f"/experts/{expert['id']}")
    expect(page.locator("h1")).to_have_text(f"浏览器专家{size}")
    expect(page.locator(".experts-detail")).to_contain_text("地质灾害防治")
    _shoot(page, snapshot, f"expert-detail-{size}")

    page.goto("/experts/new")
    _shoot(page, snapshot, f"expert-form-{size}")

    page.goto(f"/incidents/{iid}")
    form = page.locator("details.form-box", has_text="记录会商")
    form.locator("summary").click()
    option = form.locator("select[name=expert_ids] option", has_text=f"浏览器专家{size}")
    expect(option).to_have_count(1)
    expect(option).to_contain_text("★")
    form.locator("select[name=expert_ids]").scroll_into_view_if_needed()
    _shoot(page, snapshot, f"consultation-form-{size}")
    assert not js_errors


def test_coverage_page_and_map(page, login, snapshot, js_errors, context_options):
    size = "desk" if context_options["viewport"]["width"] > 1000 else "phone"
    login("commander", "/plans/coverage")
    expect(page.locator("h1")).to_contain_text("预案覆盖")
    expect(page.locator("table.cov-table tbody tr").first).to_be_visible()
    page.wait_for_function("() => window.yingjiMap && window.yingjiMap._loaded === true")
    count = page.locator('[data-ym-count="plan_coverage"]')
    expect(count).not_to_have_text("")
    assert int(count.text_content()) >= 2  # the city's counties, coloured by their rate
    _shoot(page, snapshot, f"plans-coverage-{size}")
    assert not js_errors

"""Aid in Chromium: the programmes, the demo programme's page (survey by village, list, notices,
ledger, totals), the village's survey on the phone, the rebuilding list and a case's page.
Screenshots at 1600×900 and 390×844 go to artifacts/screenshots (and to YINGJI_SHOTS when set)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from yingji.aid.models import AidProgramme, RebuildCase

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


def test_aid_pages(page, login, snapshot, js_errors, city, api, context_options):
    size = "desk" if context_options["viewport"]["width"] > 1000 else "phone"
    with city.db.reading() as session:
        programme = session.scalar(
            select(AidProgramme)
            .where(AidProgramme.state == "distributing")
            .order_by(AidProgramme.id)
            .limit(1)
        )
        case = session.scalar(select(RebuildCase).where(RebuildCase.state == "building").limit(1))
    assert programme is not None and case is not None
    login("county", "/aid")
    expect(page.locator("h1")).to_have_text("生活救助")
    _shoot(page, snapshot, f"aid-programmes-{size}")
    page.goto(f"/aid/programmes/{programme.id}")
    expect(page.locator("#survey")).to_contain_text("各村调查进度")
    _shoot(page, snapshot, f"aid-programme-{size}")
    page.goto("/aid/rebuild")
    expect(page.locator("h1")).to_have_text("倒损住房恢复重建")
    _shoot(page, snapshot, f"aid-rebuild-{size}")
    page.goto(f"/aid/rebuild/{case.id}")
    expect(page.locator(".aid-steps li.here")).to_have_text("施工中")
    _shoot(page, snapshot, f"aid-case-{size}")
    page.goto(f"/aid/programmes/{programme.id}/village/{city.village_a}")
    expect(page.locator("h1")).to_contain_text("需求调查")
    _shoot(page, snapshot, f"aid-village-{size}")
    # a programme still at its survey: the phone form of the village
    fresh = (
        api("county")
        .post(
            "/api/v1/aid/programmes",
            json={"title": "浏览器测试冬春救助", "kind": "winter_spring", "jurisdiction_code": city.county_a},
        )
        .json()
    )
    page.goto(f"/aid/programmes/{fresh['id']}/village/{city.village_a}")
    expect(page.locator("button", has_text="保存调查").first).to_be_visible()
    _shoot(page, snapshot, f"aid-village-survey-{size}")
    assert not js_errors

"""The damage report form on a phone with a dropped connection: what was typed stays on the phone,
the send is retried when the network is back, and the server keeps one report (client key)."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.damage.helpers import open_event
from yingji.damage.models import DamageReport


def test_phone_report_survives_going_offline(page, login, snapshot, js_errors, api, city):
    page.set_viewport_size({"width": 390, "height": 844})
    ev = open_event(api, city.county_a)
    login("gridleader", f"/damage/{ev['id']}/report")
    expect(page.locator("h1")).to_have_text("报送灾情")
    page.fill(f"input[name='f.{city.village_a}.affected_pop.cum']", "77")
    page.fill(f"input[name='f.{city.village_a}.relocated.cum']", "12")
    page.fill(f"input[name='f.{city.village_a}.relocated.cur']", "5")
    key = page.locator("[data-client-key]").input_value()
    page.context.set_offline(True)
    page.click("button[name=send][value=up]")
    expect(page.locator("[data-send-status]")).to_contain_text("网络不通")
    draft = page.evaluate(f"localStorage.getItem('yingji-damage-draft:{ev['id']}')")
    assert "77" in draft
    snapshot("damage-phone-offline")
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_url(re.compile(r"/damage/reports/\d+"), timeout=15000)
    expect(page.locator("h1")).to_contain_text("续报")
    with city.db.reading() as session:
        stmt = select(func.count()).select_from(DamageReport).where(DamageReport.client_key == key)
        n = session.scalar(stmt)
    assert n == 1
    assert page.evaluate(f"localStorage.getItem('yingji-damage-draft:{ev['id']}')") is None
    assert not js_errors

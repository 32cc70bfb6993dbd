"""Evacuation pages through HTTP on the shared test city: the desk pages and the phone pages in
Chinese, the order's accounting and drill-down, the lift / cancel / close forms with the 409 as a
clear message, permissions (a grid worker cannot open the order form and sees only the tasks of their
own cell), the card on the warning page, and the overview's evacuation tile."""

from __future__ import annotations

import re

from sqlalchemy import select

from yingji.evacuation.models import EvacuationTask

from .conftest import households, issue, principal_of

ASCII_WORDS = re.compile(r">\s*[A-Za-z][a-z]+(?: [a-z]+){2,}\s*<")


def _text(html: str) -> str:
    """The page's visible text (no tags, scripts or attributes)."""
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def _english_left(html: str) -> list[str]:
    """Runs of three or more English words between tags: untranslated text on a Chinese page."""
    return ASCII_WORDS.findall(html)


def _task_of(db, order_id: int, code: str) -> EvacuationTask:
    with db.reading() as session:
        return session.scalar(
            select(EvacuationTask).where(
                EvacuationTask.order_id == order_id, EvacuationTask.jurisdiction_code == code
            )
        )


def test_desk_pages_in_chinese(city, browser_client):
    order_id = issue(city.db, "town", [city.village_a], hazard_kind=None)
    c = browser_client("town")
    r = c.get("/evacuation")
    assert r.status_code == 200, r.text[:500]
    assert "紧急转移" in r.text and "测试转移令" in r.text
    assert not _english_left(r.text), _english_left(r.text)
    r = c.get(f"/evacuation/{order_id}")
    assert r.status_code == 200, r.text[:500]
    text = _text(r.text)
    for word in ("受威胁", "已转移", "集中安置", "投亲靠友", "未落实", "网格"):
        assert word in text, word
    assert not _english_left(r.text), _english_left(r.text)
    # drill-down to a row, and the fragment the page swaps in on a push event
    r = c.get(f"/evacuation/{order_id}?within={city.village_a}")
    assert r.status_code == 200
    frag = c.get(f"/evacuation/{order_id}/tally?within={city.village_a}")
    assert frag.status_code == 200 and 'id="ev-tally"' in frag.text
    assert c.get(f"/evacuation/{order_id}?within={city.town_other_county}").status_code == 404
    r = c.get("/evacuation/new")
    assert r.status_code == 200 and "下达转移令" in r.text
    assert not _english_left(r.text), _english_left(r.text)


def test_new_order_from_the_form(city, browser_client):
    c = browser_client("town")
    r = c.post(
        "/evacuation/new",
        data={"csrf_token": c.csrf, "title": "页面下达的转移令", "source": "manual", "area": [city.group_a]},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:800]
    page = c.get(r.headers["location"])
    assert "页面下达的转移令" in page.text
    # a bad form comes back with its message, in Chinese
    r = c.post("/evacuation/new", data={"csrf_token": c.csrf, "title": "x", "source": "manual"})
    assert r.status_code == 422 and "alert-red" in r.text


def test_lift_cancel_close_and_409(city, browser_client):
    order_id = issue(city.db, "town", [city.group_a])
    c = browser_client("town")
    r = c.post(f"/evacuation/{order_id}/close", data={"csrf_token": c.csrf})
    assert r.status_code == 409 and "转移令" in r.text and "alert-red" in r.text
    r = c.post(
        f"/evacuation/{order_id}/lift",
        data={"csrf_token": c.csrf, "note": "险情解除"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = c.get(r.headers["location"])
    assert "已解除" in page.text and "险情解除" in page.text
    r = c.post(f"/evacuation/{order_id}/cancel", data={"csrf_token": c.csrf, "note": "误发"})
    assert r.status_code == 409
    r = c.post(f"/evacuation/{order_id}/close", data={"csrf_token": c.csrf}, follow_redirects=False)
    assert r.status_code == 303
    r = c.post(f"/evacuation/{order_id}/bogus", data={"csrf_token": c.csrf})
    assert r.status_code == 404


def test_grid_worker_permissions_and_phone_pages(city, browser_client):
    order_id = issue(city.db, "town", [city.village_a])
    worker = principal_of(city.db, "gridworker")
    own = _task_of(city.db, order_id, worker.jurisdiction_code)
    assert own is not None
    other = next(
        h.grid_cell_id
        for h in households(city.db, order_id)
        if not h.jurisdiction_code.startswith(worker.jurisdiction_code)
    )
    with city.db.reading() as session:
        other_task = session.scalar(
            select(EvacuationTask.id).where(
                EvacuationTask.order_id == order_id, EvacuationTask.grid_cell_id == other
            )
        )
    c = browser_client("gridworker")
    assert c.get("/evacuation/new").status_code == 403
    r = c.post("/evacuation/new", data={"csrf_token": c.csrf, "title": "不该下达", "area": [city.group_a]})
    assert r.status_code == 403
    r = c.get("/evacuation/field")
    assert r.status_code == 200 and "我的转移任务" in r.text
    assert f"/evacuation/field/{own.id}" in r.text and f"/evacuation/field/{other_task}" not in r.text
    assert c.get(f"/evacuation/field/{other_task}").status_code == 404
    r = c.get(f"/evacuation/field/{own.id}")
    assert r.status_code == 200
    text = _text(r.text)
    for word in ("已转移", "自行转移", "投亲靠友", "拒绝转移", "不在家", "待转移"):
        assert word in text or word in r.text, word
    assert not _english_left(r.text), _english_left(r.text)
    assert f"/api/v1/evacuation/orders/{order_id}/marks" in r.text
    # the worker cannot lift the order either
    assert (
        c.post(f"/evacuation/{order_id}/lift", data={"csrf_token": c.csrf, "note": "不行"}).status_code == 403
    )


def test_warning_page_button_and_card(city, browser_client):
    from yingji.warnings.models import Warning

    with city.db.reading() as session:
        w = session.scalar(
            select(Warning).where(
                Warning.status == "published", Warning.jurisdiction_code.startswith(city.county_a)
            )
        )
    assert w is not None and w.is_current()  # the demo's red 地质灾害 warning of county A
    c = browser_client("county")
    page = c.get(f"/warnings/{w.id}")
    assert page.status_code == 200 and f"/evacuation/panel/warning/{w.id}" in page.text
    card = c.get(f"/evacuation/panel/warning/{w.id}")
    assert (
        card.status_code == 200
        and f"/evacuation/new?warning_id={w.id}" in card.text
        and "组织转移" in card.text
    )
    form = c.get(f"/evacuation/new?warning_id={w.id}")
    assert form.status_code == 200 and f'name="warning_id" value="{w.id}"' in form.text
    viewer = browser_client("viewer")
    card = viewer.get(f"/evacuation/panel/warning/{w.id}")
    assert card.status_code in (200, 404) and "/evacuation/new" not in card.text


def test_overview_tile_has_the_figures(city, browser_client, api):
    order_id = issue(city.db, "town", [city.group_a])
    body = api("town").get("/api/v1/overview", params={"tiles": "evacuation", "fresh": "1"}).json()
    t = body["evacuation"]
    assert t["active"] >= 1 and any(o["id"] == order_id for o in t["orders"])
    for unit in ("households", "people"):
        parts = sum(t[b][unit] for b in ("moved", "sheltered", "safe_elsewhere", "unaccounted", "returned"))
        assert t["threatened"][unit] == parts
    assert t["threatened"]["households"] > 0
    html = browser_client("town").get("/overview/panel?tiles=evacuation&fresh=1").text
    assert 'data-tile="evacuation"' in html and "紧急转移" in html and "未落实" in html


def test_alarm_and_incident_cards(city, browser_client):
    from yingji.incidents.models import Incident
    from yingji.monitoring.models import Alarm

    with city.db.reading() as session:
        alarm_id = session.scalar(select(Alarm.id).where(Alarm.jurisdiction_code.startswith(city.county_a)))
        incident_id = session.scalar(
            select(Incident.id).where(Incident.jurisdiction_code.startswith(city.county_a))
        )
    c = browser_client("county")
    for source, sid, url in (
        ("alarm", alarm_id, "/monitoring/alarms/"),
        ("incident", incident_id, "/incidents/"),
    ):
        if sid is None:
            continue
        assert f"/evacuation/panel/{source}/{sid}" in c.get(f"{url}{sid}").text
        card = c.get(f"/evacuation/panel/{source}/{sid}")
        assert card.status_code == 200  # empty when the source is over and ordered nothing
        form = c.get(f"/evacuation/new?{source}_id={sid}")
        assert form.status_code == 200 and f'name="{source}_id" value="{sid}"' in form.text
        # the prefilled form as sent: an order, or a clear refusal on the form (never a 500)
        fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form.text))
        fields |= {"csrf_token": c.csrf, "title": f"从{source}下达", "area": [city.group_a]}
        r = c.post("/evacuation/new", data=fields, follow_redirects=False)
        assert r.status_code in (303, 422), r.text[:500]
        if r.status_code == 303:
            assert "转移中" in c.get(r.headers["location"]).text
            card = c.get(f"/evacuation/panel/{source}/{sid}")
            assert "紧急转移" in card.text and f"从{source}下达" in card.text
    assert c.get("/evacuation/panel/bogus/1").status_code == 404
    assert c.get("/evacuation/panel/warning/999999999").status_code == 404


def test_pages_in_english_too(city, browser_client):
    order_id = issue(city.db, "town", [city.group_a])
    c = browser_client("town")
    c.get("/lang/en?next=/evacuation")
    try:
        assert "Evacuation orders" in c.get("/evacuation").text
        assert "Unaccounted households" in c.get(f"/evacuation/{order_id}").text
    finally:
        c.get("/lang/zh_CN?next=/evacuation")

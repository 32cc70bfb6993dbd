"""Pages: the intake forms (desktop and phone), the follow-up form, the inbox, the panels, the list and
the incident page, with their one-click actions."""

from __future__ import annotations

import io
import re

from PIL import Image

from tests.incidents.conftest import first_report, key, point_in


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (20, 20), (0, 120, 200)).save(buf, format="PNG")
    return buf.getvalue()


def test_desktop_intake_form_files_an_incident_with_a_photo(city, browser_client):
    town = browser_client("town")
    page = town.get("/incidents/new")
    assert page.status_code == 200 and 'name="idempotency_key"' in page.text and "pick-map" in page.text
    lon, lat = point_in(city.db, city.group_a)
    form = {
        "csrf_token": town.csrf,
        "category": "natural.flood_drought",
        "occurred_at": "2026-11-20T06:30",
        "lon": str(lon),
        "lat": str(lat),
        "located_by": "map",
        "description": "河水上涨，冲毁便桥",
        "relocated": "120",
        "direct_loss_cny": "500000",
        "source": "chain",
        "idempotency_key": key(),
    }
    r = town.post(
        "/incidents/new", data=form, files={"photos": ("p.png", _png(), "image/png")}, follow_redirects=False
    )
    assert r.status_code == 303, r.text[:2000]
    incident_url = r.headers["location"]
    again = town.post(
        "/incidents/new", data=form, files={"photos": ("p.png", _png(), "image/png")}, follow_redirects=False
    )
    assert again.headers["location"] == incident_url  # a resent form is the same incident
    shown = town.get(incident_url)
    assert shown.status_code == 200
    assert "河水上涨" in shown.text and "photo-grid" in shown.text and 'hx-get="/incidents/' in shown.text
    assert "/response" in shown.text  # the response panel slot

    bad = town.post("/incidents/new", data=form | {"category": "", "idempotency_key": key()})
    assert bad.status_code == 422 and "has-error" in bad.text and "河水上涨" in bad.text
    fake = town.post(
        "/incidents/new",
        data=form | {"idempotency_key": key()},
        files={"photos": ("x.jpg", b"not an image", "image/jpeg")},
    )
    assert fake.status_code == 422


def test_phone_page_answers_json_for_its_script_and_keeps_the_key(city, browser_client):
    worker = browser_client("gridworker")
    page = worker.get("/incidents/phone")
    assert page.status_code == 200 and "data-phone-report" in page.text and "data-gps" in page.text
    lon, lat = point_in(city.db, city.group_a)
    k = key()
    data = {
        "category": "accident.road_traffic",
        "lon": str(lon),
        "lat": str(lat),
        "deaths": "1",
        "idempotency_key": k,
    }
    headers = {"Accept": "application/json", "X-CSRF-Token": worker.csrf}
    one = worker.post("/incidents/phone", data=data, headers=headers)
    two = worker.post("/incidents/phone", data=data, headers=headers)
    assert (one.status_code, two.status_code) == (201, 200)
    assert one.json()["id"] == two.json()["id"] and one.json()["url"].startswith("/incidents/")
    wrong = worker.post(
        "/incidents/phone", data=data | {"category": "x", "idempotency_key": key()}, headers=headers
    )
    assert wrong.status_code == 422 and wrong.json()["error"]["details"][0]["field"] == "category"
    plain = worker.post(
        "/incidents/phone",
        data=data | {"csrf_token": worker.csrf, "idempotency_key": key()},
        follow_redirects=False,
    )
    assert plain.status_code == 303 and plain.headers["location"].startswith("/incidents/phone?done=")
    assert "alert-green" in worker.get(plain.headers["location"]).text


def test_inbox_panels_and_one_click_receipts(city, api, browser_client):
    incident = first_report(api("gridworker"), city.db, city.group_a, title="接报台测试").json()
    town = browser_client("town")
    inbox = town.get("/incidents/inbox")
    assert inbox.status_code == 200 and 'data-refresh-on="report.new,' in inbox.text  # pushed (events.js)
    assert "/static/js/events.js" in inbox.text
    items = town.get("/incidents/inbox/items").text
    assert "接报台测试" in items and f"/incidents/{incident['id']}/acknowledge" in items
    r = town.form(
        f"/incidents/{incident['id']}/acknowledge", {"next": "/incidents/inbox"}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"] == "/incidents/inbox"
    receipts = api("town").get(f"/api/v1/incidents/{incident['id']}").json()["receipts"]
    assert "town" in {x["level"] for x in receipts}
    r = town.form(f"/incidents/{incident['id']}/forward", {"to": "county"}, follow_redirects=False)
    assert r.status_code == 303
    panel = town.get("/incidents/panel/inbox")
    assert panel.status_code == 200 and "incident-panel-inbox" in panel.text and "<html" not in panel.text
    overdue = browser_client("duty").get("/incidents/panel/overdue")
    assert overdue.status_code == 200 and "incident-panel-overdue" in overdue.text
    assert browser_client("town_b").get("/incidents/inbox/items").text.count("接报台测试") == 0


def test_incident_page_list_and_follow_up_form(city, api, browser_client):
    incident = first_report(
        api("gridworker"), city.db, city.group_a, figures={"deaths": 1}, title="页面测试"
    ).json()
    county = browser_client("county")
    page = county.get(f"/incidents/{incident['id']}")
    assert page.status_code == 200
    assert "data-due=" in page.text and "incident-map" in page.text and "第九条" in page.text
    assert re.search(r'action="/incidents/\d+/acknowledge"', page.text)
    form_page = county.get(f"/incidents/{incident['id']}/report")
    assert form_page.status_code == 200 and 'name="deaths"' in form_page.text
    r = county.form(
        f"/incidents/{incident['id']}/report",
        {"kind": "follow_up", "text": "伤亡增加", "deaths": "3", "idempotency_key": key()},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert api("county").get(f"/api/v1/incidents/{incident['id']}").json()["grade"] == "III"
    listing = county.get("/incidents", params={"q": "页面测试"})
    assert listing.status_code == 200 and "页面测试" in listing.text
    assert county.get("/incidents", params={"date_from": "not-a-date"}).status_code == 422
    assert browser_client("town_b").get(f"/incidents/{incident['id']}").status_code == 404
    verify = county.form(f"/incidents/{incident['id']}/verify", {}, follow_redirects=False)
    assert verify.status_code == 303
    hint = county.get(
        "/incidents/duplicates-hint",
        params={"category": "accident.production", "lon": incident["lon"], "lat": incident["lat"]},
    )
    assert hint.status_code == 200 and "页面测试" in hint.text


def test_the_inbox_points_out_possible_duplicates(city, api, browser_client):
    first_report(api("gridworker"), city.db, city.group_a, category="social.other", title="重复提示甲")
    first_report(api("gridworker"), city.db, city.group_a, category="social.other", title="重复提示乙")
    items = browser_client("town").get("/incidents/inbox/items").text
    block = items[items.index("重复提示乙") :]
    assert "dup-note" in block[: block.index("</li>")]


def test_the_list_rows_are_shared_per_jurisdiction_and_follow_every_write(city, api, browser_client):
    """The list's rows are kept per jurisdiction and query (listing.pages): a report, a receipt and a
    change of grade show at once, and a user of another place never gets another's rows."""
    county, town_b = browser_client("county"), browser_client("town_b")
    params = {"q": "共享列表"}
    assert "共享列表测试" not in county.get("/incidents", params=params).text  # kept, empty
    assert "共享列表测试" not in town_b.get("/incidents", params=params).text
    incident = first_report(api("gridworker"), city.db, city.group_a, title="共享列表测试").json()
    row = county.get("/incidents", params=params).text
    assert "共享列表测试" in row and "owner-name" not in row
    assert "共享列表测试" not in town_b.get("/incidents", params=params).text  # another town: never
    county.form(f"/incidents/{incident['id']}/acknowledge", {"next": "/incidents"}, follow_redirects=False)
    taken = county.get("/incidents", params=params).text
    assert "owner-name" in taken  # the receipt made the county's officer its owner (首接)
    r = county.form(
        f"/incidents/{incident['id']}/report",
        {"kind": "follow_up", "text": "伤亡增加", "deaths": "3", "idempotency_key": key()},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert re.search(r'<td class="num">3</td>', county.get("/incidents", params=params).text)

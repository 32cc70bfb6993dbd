"""The supplies pages render for the people who use them; the movement form keeps what was typed
after a failed send and a resend with the same key is safe; the incident's dispatch panel works."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.supplies.conftest import balance, make_incident, make_store, place, receive
from yingji.supplies.models import Document, Warehouse


def test_overview_store_card_and_reports_render(city, browser_client):
    c = browser_client("town")
    store = make_store(city.db, "town", city.town_a, name="页面测试库", area=150)
    receive(city.db, store, [{"item_code": "C11-01", "qty": 40}])
    page = c.get("/supplies")
    assert page.status_code == 200 and "应急物资" in page.text and "储备库" in page.text
    assert c.get(f"/supplies?within={city.town_a}&level=town&area_short=true").text.count("页面测试库") == 1
    page = c.get(f"/supplies/warehouses/{store}")
    assert page.status_code == 200 and "编织袋" in page.text and "不足200平方米" in page.text
    card = c.get(f"/supplies/warehouses/{store}/cards/C11-01")
    assert card.status_code == 200 and "物资台账卡" in card.text and "+40" in card.text
    for url in (
        "/supplies/gaps",
        f"/supplies/gaps?within={city.town_a}",
        "/supplies/maintenance",
        "/supplies/maintenance?status=done",
        "/supplies/expiry?days=365",
        "/supplies/catalogue",
        "/supplies/allocation",
        f"/supplies/warehouses/{store}/receipt",
        f"/supplies/warehouses/{store}/transfer",
        f"/supplies/warehouses/{store}/count",
    ):
        r = c.get(url)
        assert r.status_code == 200, url
        assert "<script>" not in r.text and " onclick=" not in r.text
    assert "无储备室的村" in c.get("/supplies/gaps").text
    assert c.get("/supplies/warehouses/999999").status_code == 404
    assert c.get(f"/supplies/warehouses/{store}/nonsense").status_code == 404


def test_the_issue_form_keeps_what_was_typed_and_a_resend_is_safe(city, browser_client):
    c = browser_client("town")
    store = make_store(city.db, "town", city.town_a)
    receive(city.db, store, [{"item_code": "C24-01", "qty": 10}])
    form = c.get(f"/supplies/warehouses/{store}/issue").text
    client_key = re.search(r'name="client_key" value="([^"]+)"', form).group(1)
    data = {
        "client_key": client_key,
        "reason": "rescue",
        "counterparty": "抢险队",
        "item_code": ["C24-01"],
        "qty": ["25"],
    }
    failed = c.form(f"/supplies/warehouses/{store}/issue", data)
    assert failed.status_code == 422
    assert "库存不足" in failed.text and 'value="25"' in failed.text and "抢险队" in failed.text
    assert client_key in failed.text  # the same key comes back with the form
    ok = c.form(f"/supplies/warehouses/{store}/issue", data | {"qty": ["6"]}, follow_redirects=False)
    assert ok.status_code == 303
    again = c.form(f"/supplies/warehouses/{store}/issue", data | {"qty": ["6"]}, follow_redirects=False)
    assert again.headers["location"] == ok.headers["location"]
    assert balance(city.db, store, "C24-01") == 4
    doc = c.get(ok.headers["location"])
    assert doc.status_code == 200 and "出库" in doc.text


def test_transfer_receipt_from_the_document_page(city, browser_client):
    c = browser_client("town")
    a, b = make_store(city.db, "town", city.town_a), make_store(city.db, "village", city.village_a)
    receive(city.db, a, [{"item_code": "C17-02", "qty": 8}])
    data = {
        "client_key": "web-test-transfer-" + str(a),
        "to_warehouse_id": str(b),
        "item_code": ["C17-02"],
        "qty": ["8"],
    }
    r = c.form(f"/supplies/warehouses/{a}/transfer", data, follow_redirects=False)
    assert r.status_code == 303
    doc_page = c.get(r.headers["location"]).text
    doc_id = int(r.headers["location"].rsplit("/", 1)[1])
    assert "在途" in doc_page and f"/supplies/documents/{doc_id}/receive" in doc_page
    key = re.search(r'name="client_key" value="([^"]+)"', doc_page).group(1)
    bad = c.form(
        f"/supplies/documents/{doc_id}/receive",
        {"client_key": key, "line_no": ["1"], "received": ["9"], "returned": ["0"]},
    )
    assert bad.status_code == 422 and "超过在途数量" in bad.text
    good = c.form(
        f"/supplies/documents/{doc_id}/receive",
        {"client_key": key, "line_no": ["1"], "received": ["7"], "returned": ["1"]},
    )
    assert good.status_code == 200 and "已全部签收" not in good.text
    assert balance(city.db, b, "C17-02") == 7 and balance(city.db, a, "C17-02") == 1
    with city.db.reading() as session:
        assert session.get(Document, doc_id).status == "received"


def test_the_dispatch_panel_of_an_incident(city, browser_client):
    v = place(city.db, city.village_a)
    store = make_store(city.db, "village", city.village_a)
    receive(city.db, store, [{"item_code": "C13-02", "qty": 2}])
    incident = make_incident(city.db, city.village_a, v.lon, v.lat)
    c = browser_client("town")
    panel = c.get(f"/incidents/{incident}/dispatch/supplies?items=C13-02:2")
    assert panel.status_code == 200 and 'id="supplies-dispatch"' in panel.text and "<html" not in panel.text
    assert "分钟" in panel.text
    key = re.search(r'name="client_key" value="([^"]+)"', panel.text).group(1)
    done = c.form(
        f"/incidents/{incident}/dispatch/supplies", {"client_key": key, "items": "C13-02:2", "mode": "issue"}
    )
    assert done.status_code == 200 and "已生成" in done.text
    bad = c.get(f"/incidents/{incident}/dispatch/supplies?items=C13-02")
    assert bad.status_code == 200 and "编码:数量" in bad.text
    with city.db.reading() as session:
        assert session.scalar(select(Document.id).where(Document.incident_id == incident)) is not None
        assert session.get(Warehouse, store) is not None


def test_english_pages(city, browser_client):
    c = browser_client("town")
    c.cookies.set("yingji_lang", "en")
    page = c.get("/supplies/catalogue").text
    assert "Personal protection" in page and "Safety helmet" in page

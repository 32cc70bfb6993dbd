"""Acknowledgement by signed link (tampered and expired links refused), by SMS reply through the
gateway's webhook, and the gateway's delivery receipts; pages and scope."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.delivery.conftest import CALLBACK_TOKEN, cells, deliveries, emit, make_warning, run_jobs, staff_of
from yingji.core import clock as core_clock
from yingji.delivery import signing
from yingji.delivery.models import Acknowledgement

HEADERS = {"X-Yingji-Token": CALLBACK_TOKEN}


def staff_delivery(db, dispatch_id, cell_code):
    person = staff_of(db, cell_code)[0]
    (d,) = [
        x
        for x in deliveries(db, dispatch_id, channel="sms", recipient_kind="person")
        if x.recipient_id == person.id
    ]
    return d, person


def test_signed_link_acknowledges_without_login(city, app, clock):
    from fastapi.testclient import TestClient

    clock.freeze(core_clock.now())
    dispatch = emit(city.db, make_warning(city.db, city.county_a, area_codes=[city.group_a]))
    d, person = staff_delivery(city.db, dispatch.id, city.group_a)
    token = signing.sign("test-secret", d.id)
    with TestClient(app) as anonymous:
        page = anonymous.get(f"/ack/{token}")
        assert page.status_code == 200 and dispatch.headline in page.text
        assert not cells(city.db, dispatch.id)[0].acknowledged_at  # a GET (link preview) changes nothing
        done = anonymous.post(f"/ack/{token}")
        assert done.status_code == 200 and "已记录" in done.text
        assert anonymous.post(f"/ack/{token}").status_code == 200  # twice is fine
        raw_id, expires, mac = token.split(".")
        tampered = f"{int(raw_id) + 1}.{expires}.{mac}"
        assert anonymous.get(f"/ack/{tampered}").status_code == 400
        assert anonymous.post(f"/ack/{raw_id}.{int(expires) + 3600}.{mac}").status_code == 400
        assert anonymous.get("/ack/garbage").status_code == 400
        old = signing.sign("test-secret", d.id, now=core_clock.now() - timedelta(hours=49))
        expired = anonymous.get(f"/ack/{old}")
        assert expired.status_code == 400 and "过期" in expired.text
    (cell,) = cells(city.db, dispatch.id)
    assert cell.acknowledged_by == person.id
    with city.db.reading() as session:
        rows = session.scalars(
            select(Acknowledgement).where(Acknowledgement.dispatch_id == dispatch.id)
        ).all()
    assert [(a.person_id, a.method) for a in rows] == [(person.id, "link")]
    assert {
        x.state for x in deliveries(city.db, dispatch.id, recipient_kind="person", recipient_id=person.id)
    } == {"acknowledged"}


def test_sms_reply_keyword_through_the_webhook(city, app, api, sms):
    dispatch = emit(city.db, make_warning(city.db, city.county_a, area_codes=[city.village_a]))
    cell_code = cells(city.db, dispatch.id)[-1].cell_code
    _, person = staff_delivery(city.db, dispatch.id, cell_code)
    client = api("viewer")  # the webhook ignores users; it needs the gateway's token
    body = {"from": f"+86{person.mobile}", "text": f"收到{dispatch.ack_code.lower()}"}
    assert client.post("/api/v1/notify/sms/inbound", json=body).status_code == 401
    assert (
        client.post("/api/v1/notify/sms/inbound", json=body, headers={"X-Yingji-Token": "nope"}).status_code
        == 401
    )
    r = client.post("/api/v1/notify/sms/inbound", json=body, headers=HEADERS)
    assert r.status_code == 200 and r.json()["matched"] and r.json()["dispatch_id"] == dispatch.id
    assert [c.acknowledged_by for c in cells(city.db, dispatch.id) if c.cell_code == cell_code] == [person.id]
    for text in ("好的", "1 ZZZZ"):
        miss = client.post(
            "/api/v1/notify/sms/inbound", json={"from": person.mobile, "text": text}, headers=HEADERS
        )
        assert miss.json() == {"matched": False}
    stranger = client.post(
        "/api/v1/notify/sms/inbound", json={"from": "13000000000", "text": "1"}, headers=HEADERS
    )
    assert stranger.json() == {"matched": False}


def test_delivery_receipts_callback(city, api, sms):
    dispatch = emit(city.db, make_warning(city.db, city.county_a, area_codes=[city.group_a]))
    run_jobs(city.db)
    sent = deliveries(city.db, dispatch.id, channel="sms")
    assert {d.state for d in sent} == {"sent"}
    a, b = sent[0], sent[1]
    body = {
        "receipts": [
            {"id": a.key, "status": "DELIVERED"},
            {"id": b.key, "status": "failed", "error": "UNDELIV"},
            {"id": "yj-1-99", "status": "delivered"},
            {"id": "bogus", "status": "delivered"},
        ]
    }
    client = api("viewer")
    assert client.post("/api/v1/notify/sms/receipts", json=body).status_code == 401
    r = client.post("/api/v1/notify/sms/receipts", json=body, headers=HEADERS)
    assert r.json() == {"delivered": 1, "failed": 1, "ignored": 2}
    states = {d.id: (d.state, d.detail) for d in deliveries(city.db, dispatch.id, channel="sms")}
    assert states[a.id][0] == "delivered" and states[b.id] == ("failed", "UNDELIV")
    assert client.post("/api/v1/notify/sms/receipts", json={"x": 1}, headers=HEADERS).status_code == 422


def test_live_page_and_field_page_in_scope(city, browser_client, api):
    wid = make_warning(city.db, city.county_a, area_codes=[city.village_a])
    dispatch = emit(city.db, wid)
    town = browser_client("town")
    page = town.get(f"/warnings/{wid}/live")
    assert page.status_code == 200 and dispatch.headline in page.text and "live-map" in page.text
    assert town.get(f"/warnings/{wid}/live", headers={"HX-Request": "true"}).status_code == 200
    geo = api("town").get(f"/api/v1/warnings/{wid}/delivery/cells").json()
    assert len(geo["features"]) == len(cells(city.db, dispatch.id))
    assert browser_client("town_b").get(f"/warnings/{wid}/live").status_code == 404
    assert api("town_b").get(f"/api/v1/warnings/{wid}/delivery").status_code == 404
    assert api("county").get(f"/api/v1/delivery/dispatches/{dispatch.id}").json()["totals"]["cells"] > 0

    worker = browser_client("gridworker")
    field = worker.get("/field")
    assert field.status_code == 200 and dispatch.headline in field.text
    r = worker.form(f"/field/ack/{dispatch.id}", follow_redirects=False)
    assert r.status_code == 303
    assert "已确认" in worker.get("/field").text or "Confirmed" in worker.get("/field").text
    assert any(c.acknowledged_at for c in cells(city.db, dispatch.id) if c.cell_code == city.group_a)
    assert api("viewer").post(f"/api/v1/delivery/dispatches/{dispatch.id}/ack").status_code == 403
    assert api("town_b").post(f"/api/v1/delivery/dispatches/{dispatch.id}/ack").status_code in (403, 404)

"""Notice, objections, approval and distribution: the notice period holds the approval unless an
audited override; an upheld objection removes the household; goods leave the store through the stock
ledger so the store's balance drops by exactly what the ledger says; a retried handing-out is one;
paying beyond the plan is refused unless overridden (audited)."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.aid.helpers import backdate_notices, key, new_programme, survey, to_distributing
from yingji.aid.models import AidDistribution, AidRecipient
from yingji.auth.models import AuditEntry
from yingji.supplies.models import Balance, Document, Item, Warehouse


def test_notice_period_and_objections(city, api):
    p = new_programme(api, city)
    leader, town, county = api("gridleader"), api("town"), api("county")
    a = survey(leader, p["id"], city.village_a, "公示甲")
    b = survey(leader, p["id"], city.village_a, "公示乙")
    town.post(f"/api/v1/aid/programmes/{p['id']}/verify", json={"village": city.village_a})
    county.post(f"/api/v1/aid/programmes/{p['id']}/move", json={"to": "listing"})
    assert county.post(f"/api/v1/aid/programmes/{p['id']}/move", json={"to": "notice"}).status_code == 200
    notices = county.get(f"/api/v1/aid/programmes/{p['id']}/notices").json()
    notice = next(n for n in notices if n["jurisdiction_code"] == city.village_a)
    assert notice["open"] and (notice["until"] > notice["posted_on"])

    # an objection against one household, recorded by the village
    r = leader.post(
        f"/api/v1/aid/notices/{notice['id']}/objections",
        json={"by": "村民张某", "text": "该户有稳定收入", "recipient_id": a["id"]},
    )
    assert r.status_code == 201, r.text
    # the county cannot approve while the notice runs, nor with an objection open
    r = county.post(f"/api/v1/aid/programmes/{p['id']}/move", json={"to": "approved"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "objections_open"
    # the village cannot answer; the town upholds it: the household leaves the list (audited)
    assert (
        leader.post(
            f"/api/v1/aid/notices/{notice['id']}/objections/0/answer",
            json={"upheld": True, "answer": "经核实属实"},
        ).status_code
        == 403
    )
    r = town.post(
        f"/api/v1/aid/notices/{notice['id']}/objections/0/answer",
        json={"upheld": True, "answer": "经核实属实", "action": "remove"},
    )
    assert r.status_code == 200 and r.json()["objections"][0]["upheld"] is True
    again = town.post(
        f"/api/v1/aid/notices/{notice['id']}/objections/0/answer", json={"upheld": False, "answer": "再次"}
    )
    assert again.status_code == 409
    with city.db.reading() as session:
        assert session.get(AidRecipient, a["id"]).state == "removed"
        assert session.get(AidRecipient, b["id"]).state == "listed"
        assert session.scalar(
            select(func.count()).where(
                AuditEntry.entity == "aid_recipients",
                AuditEntry.entity_id == str(a["id"]),
                AuditEntry.action == "update",
            )
        )
    # still within the notice period: refused, unless an override note (audited)
    r = county.post(f"/api/v1/aid/programmes/{p['id']}/move", json={"to": "approved"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "notice_running"
    assert "公示期" in r.json()["error"]["message"]
    # the town is not the approving level
    r = town.post(f"/api/v1/aid/programmes/{p['id']}/move", json={"to": "approved", "override_note": "急需"})
    assert r.status_code == 403
    r = county.post(
        f"/api/v1/aid/programmes/{p['id']}/move",
        json={"to": "approved", "override_note": "寒潮将至，县政府同意提前"},
    )
    assert r.status_code == 200 and r.json()["state"] == "approved"
    with city.db.reading() as session:
        assert (
            session.scalar(
                select(AuditEntry.note).where(
                    AuditEntry.entity == "aid_programmes",
                    AuditEntry.entity_id == str(p["id"]),
                    AuditEntry.action == "override",
                )
            )
            == "寒潮将至，县政府同意提前"
        )
        row = session.get(AidRecipient, b["id"])
        assert row.state == "approved" and row.planned_yuan == 200 * 2  # standard × people in need


def test_objection_only_while_the_notice_runs(city, api):
    p = new_programme(api, city)
    r = survey(api("gridleader"), p["id"], city.village_a)
    to_distributing(api, city, p["id"], [r["id"]])
    notice = api("county").get(f"/api/v1/aid/programmes/{p['id']}/notices").json()[0]
    late = api("gridleader").post(
        f"/api/v1/aid/notices/{notice['id']}/objections", json={"by": "某", "text": "迟到的异议"}
    )
    assert late.status_code == 409 and late.json()["error"]["code"] == "notice_closed"


def _store_with_quilts(city, api) -> tuple[int, str]:
    """A store of county A holding quilts (received now, so the test does not lean on the demo's stock)."""
    with city.db.reading() as session:
        store = session.scalar(
            select(Warehouse.id)
            .where(Warehouse.jurisdiction_code.startswith(city.county_a), Warehouse.active.is_(True))
            .order_by(Warehouse.id)
            .limit(1)
        )
    assert store is not None
    r = api("county").post(
        "/api/v1/supplies/receipts",
        json={
            "client_key": key(),
            "warehouse_id": store,
            "reason": "purchase",
            "lines": [{"item_code": "C06-01", "qty": 40}],
        },
    )
    assert r.status_code == 201, r.text
    return store, "C06-01"


def _balance(city, store: int, code: str) -> int:
    with city.db.reading() as session:
        return session.scalar(
            select(func.coalesce(func.sum(Balance.qty), 0))
            .join(Item, Item.id == Balance.item_id)
            .where(Balance.warehouse_id == store, Item.code == code)
        )


def test_goods_through_the_stock_ledger_agree_and_retry_is_one(city, api):
    p = new_programme(api, city)
    people = [survey(api("gridleader"), p["id"], city.village_a) for _ in range(2)]
    to_distributing(api, city, p["id"], [x["id"] for x in people])
    store, item = _store_with_quilts(city, api)
    before = _balance(city, store, item)
    county = api("county")
    k = key()
    body = {
        "recipient_id": people[0]["id"],
        "kind": "goods",
        "client_key": k,
        "amount_yuan": 120,
        "warehouse_id": store,
        "item_code": item,
        "quantity": 3,
    }
    first = county.post(f"/api/v1/aid/programmes/{p['id']}/distributions", json=body)
    assert first.status_code == 201, first.text
    again = county.post(f"/api/v1/aid/programmes/{p['id']}/distributions", json=body)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"] and again.json()["replayed"]
    # the same key for something else is refused
    assert (
        county.post(
            f"/api/v1/aid/programmes/{p['id']}/distributions", json=body | {"quantity": 4}
        ).status_code
        == 409
    )
    second = county.post(
        f"/api/v1/aid/programmes/{p['id']}/distributions",
        json=body | {"client_key": key(), "recipient_id": people[1]["id"], "quantity": 2, "amount_yuan": 80},
    )
    assert second.status_code == 201
    after = _balance(city, store, item)
    ledger = county.get(f"/api/v1/aid/programmes/{p['id']}/distributions").json()["items"]
    handed = sum(d["quantity"] for d in ledger if d["kind"] == "goods" and d["warehouse_id"] == store)
    assert handed == 5 and before - after == handed
    with city.db.reading() as session:
        docs = session.scalars(
            select(Document).where(Document.id.in_([d["stock_document_id"] for d in ledger]))
        ).all()
        assert len(docs) == 2 and all(d.kind == "issue" and d.reason == "relief" for d in docs)
        assert session.get(AidRecipient, people[0]["id"]).goods_yuan == 120
        assert session.scalar(
            select(func.count()).where(
                AuditEntry.entity == "supply_documents", AuditEntry.entity_id == str(docs[0].id)
            )
        )
    # more than the store holds: the ledger's own error, and nothing recorded
    short = county.post(
        f"/api/v1/aid/programmes/{p['id']}/distributions",
        json=body
        | {"client_key": key(), "quantity": after + 1, "recipient_id": people[1]["id"], "amount_yuan": 1},
    )
    assert short.status_code == 409 and short.json()["error"]["code"] == "not_enough_stock"
    with city.db.reading() as session:
        assert session.scalar(select(func.count()).where(AidDistribution.programme_id == p["id"])) == 2
    assert _balance(city, store, item) == after


def test_overpay_refused_unless_override(city, api):
    p = new_programme(api, city)
    r = survey(api("gridleader"), p["id"], city.village_a, people_in_need=1, family_size=1)
    to_distributing(api, city, p["id"], [r["id"]])  # plan: 200 × 1
    leader = api("gridleader")
    url = f"/api/v1/aid/programmes/{p['id']}/distributions"
    ok = leader.post(
        url,
        json={
            "recipient_id": r["id"],
            "kind": "cash",
            "client_key": key(),
            "amount_yuan": 200,
            "pay_form": "card",
        },
    )
    assert ok.status_code == 201, ok.text
    twice = leader.post(
        url, json={"recipient_id": r["id"], "kind": "cash", "client_key": key(), "amount_yuan": 200}
    )
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "aid_overpaid"
    assert "计划" in twice.json()["error"]["message"] and "plan" in twice.json()["error"]["message_en"]
    over = leader.post(
        url,
        json={
            "recipient_id": r["id"],
            "kind": "cash",
            "client_key": key(),
            "amount_yuan": 50,
            "override_note": "重病追加",
        },
    )
    assert over.status_code == 201
    with city.db.reading() as session:
        row = session.get(AidRecipient, r["id"])
        assert row.paid_yuan == 250 and row.state == "paid" and row.pay_form == "card"
        assert (
            session.scalar(
                select(AuditEntry.note).where(
                    AuditEntry.entity == "aid_distributions",
                    AuditEntry.action == "override",
                    AuditEntry.entity_id == str(over.json()["id"]),
                )
            )
            == "重病追加"
        )
    totals = api("county").get(f"/api/v1/aid/programmes/{p['id']}/totals").json()
    village = next(v for v in totals["villages"] if v["code"] == city.village_a)
    assert village["paid_yuan"] >= 250 and village["paid_households"] >= 1
    assert any(t["code"] == city.town_a for t in totals["towns"])
    # out of scope: another town's officer cannot hand out here
    assert api("town_b").post(
        url,
        json={
            "recipient_id": r["id"],
            "kind": "cash",
            "client_key": key(),
            "amount_yuan": 1,
            "override_note": "x",
        },
    ).status_code in (403, 404)


def test_backdated_notice_lets_the_county_approve(city, api):
    p = new_programme(api, city)
    r = survey(api("gridleader"), p["id"], city.village_a)
    county = api("county")
    county.post(f"/api/v1/aid/programmes/{p['id']}/verify", json={"recipient_ids": [r["id"]]})
    county.post(f"/api/v1/aid/programmes/{p['id']}/move", json={"to": "listing"})
    county.post(f"/api/v1/aid/programmes/{p['id']}/move", json={"to": "notice"})
    backdate_notices(city, p["id"])
    assert county.post(f"/api/v1/aid/programmes/{p['id']}/move", json={"to": "approved"}).status_code == 200

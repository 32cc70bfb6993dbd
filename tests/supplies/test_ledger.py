"""The stock ledger: documents move stock, balances follow the movements, never below zero; retries
are idempotent; transfers are in transit until received (partly, with returns); counts adjust."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.supplies.conftest import SYSTEM, balance, key, make_store, receive, tiny_org
from yingji.core.db import Actor
from yingji.core.errors import Conflict, ValidationFailed
from yingji.supplies import documents, stock, transfers
from yingji.supplies.ledger import NotEnoughStock
from yingji.supplies.models import Balance, Document, Movement, Warehouse
from yingji.supplies.out import document_out
from yingji.supplies.schemas import CountIn, IssueIn, ReceiveIn, TransferIn


@pytest.fixture(scope="module")
def fresh(databases):
    """A fresh database with a tiny organisation and three stores (exact totals)."""
    db = databases.make("ledger")
    codes = tiny_org(db)
    town = make_store(db, "town", codes["town"], area=260)
    v1 = make_store(db, "village", codes["v1"], area=35)
    v2 = make_store(db, "village", codes["v2"], area=25)
    return db, town, v1, v2


def post(db, fn, data):
    """Post through the service and read the document as the API answers with it, inside the
    transaction (a post hands back what it wrote; store, items and batches load on first use)."""
    with db.writing(Actor.system("tests")) as session:
        result = fn(session, SYSTEM, data)
        document_out(result.document)
        return result


def test_receipt_issue_and_the_stock_card(fresh):
    db, town, _, _ = fresh
    receive(db, town, [{"item_code": "C11-01", "qty": 500}, {"item_code": "C05-01", "qty": 20}])
    r = post(
        db,
        documents.issue,
        IssueIn(client_key=key(), warehouse_id=town, lines=[{"item_code": "C11-01", "qty": 120}]),
    )
    assert r.document.kind == "issue" and r.document.lines[0].delta == -120
    assert balance(db, town, "C11-01") == 380
    with db.reading() as session:
        w = session.get(Warehouse, town)
        from yingji.supplies.catalogue import by_code

        card = stock.stock_card(session, w, by_code(session, "C11-01"))
        assert [(row.delta, row.balance) for row in card.items][:2] == [(-120, 380), (500, 500)]


def test_not_enough_stock_leaves_nothing_behind(fresh):
    db, _, v1, _ = fresh
    receive(db, v1, [{"item_code": "C01-01", "qty": 5}])
    with db.reading() as session:
        before = session.scalar(select(func.count()).select_from(Document))
    k = key()
    with pytest.raises(NotEnoughStock):
        post(
            db,
            documents.issue,
            IssueIn(client_key=k, warehouse_id=v1, lines=[{"item_code": "C01-01", "qty": 6}]),
        )
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Document)) == before
    assert balance(db, v1, "C01-01") == 5
    # The key was not used up: the corrected request goes through.
    r = post(
        db, documents.issue, IssueIn(client_key=k, warehouse_id=v1, lines=[{"item_code": "C01-01", "qty": 5}])
    )
    assert not r.replayed and balance(db, v1, "C01-01") == 0


def test_retry_returns_the_first_document_and_a_reused_key_is_refused(fresh):
    db, town, _, _ = fresh
    receive(db, town, [{"item_code": "C17-01", "qty": 40}])
    data = IssueIn(client_key=key(), warehouse_id=town, lines=[{"item_code": "C17-01", "qty": 7}])
    first = post(db, documents.issue, data)
    again = post(db, documents.issue, data)
    assert again.replayed and again.document.id == first.document.id
    assert balance(db, town, "C17-01") == 33
    other = IssueIn(client_key=data.client_key, warehouse_id=town, lines=[{"item_code": "C17-01", "qty": 8}])
    with pytest.raises(Conflict):
        post(db, documents.issue, other)


def test_transfer_in_transit_then_partial_receipt_and_a_return(fresh):
    db, town, v1, _ = fresh
    receive(db, town, [{"item_code": "C06-01", "qty": 100}])
    t = post(
        db,
        documents.transfer,
        TransferIn(
            client_key=key(),
            warehouse_id=town,
            to_warehouse_id=v1,
            lines=[{"item_code": "C06-01", "qty": 30}],
        ),
    ).document
    assert t.status == "in_transit" and balance(db, town, "C06-01") == 70 and balance(db, v1, "C06-01") == 0
    part = ReceiveIn(client_key=key(), lines=[{"line_no": 1, "received": 20}])
    with db.writing(Actor.system("tests")) as session:
        doc = transfers.confirm(session, SYSTEM, t.id, part).document
        assert doc.status == "partial" and doc.lines[0].in_transit == 10
    assert balance(db, v1, "C06-01") == 20
    # The retry of that confirmation changes nothing.
    with db.writing(Actor.system("tests")) as session:
        assert transfers.confirm(session, SYSTEM, t.id, part).replayed
    assert balance(db, v1, "C06-01") == 20
    too_many = ReceiveIn(client_key=key(), lines=[{"line_no": 1, "received": 11}])
    with pytest.raises(ValidationFailed), db.writing(Actor.system("tests")) as session:
        transfers.confirm(session, SYSTEM, t.id, too_many)
    rest = ReceiveIn(client_key=key(), lines=[{"line_no": 1, "received": 6, "returned": 4}])
    with db.writing(Actor.system("tests")) as session:
        doc = transfers.confirm(session, SYSTEM, t.id, rest).document
        assert doc.status == "received" and doc.completed_at is not None
    assert balance(db, v1, "C06-01") == 26 and balance(db, town, "C06-01") == 74
    with pytest.raises(Conflict), db.writing(Actor.system("tests")) as session:
        transfers.confirm(
            session, SYSTEM, t.id, ReceiveIn(client_key=key(), lines=[{"line_no": 1, "received": 1}])
        )


def test_counts_adjust_with_a_reason(fresh):
    db, _, _, v2 = fresh
    receive(db, v2, [{"item_code": "C24-01", "qty": 10}])
    lost = CountIn(
        client_key=key(), warehouse_id=v2, lines=[{"item_code": "C24-01", "counted": 8, "reason": "lost"}]
    )
    doc = post(db, documents.count, lost).document
    assert doc.lines[0].delta == -2 and balance(db, v2, "C24-01") == 8
    found = CountIn(
        client_key=key(), warehouse_id=v2, lines=[{"item_code": "C24-01", "delta": 3, "reason": "found"}]
    )
    post(db, documents.count, found)
    assert balance(db, v2, "C24-01") == 11
    wrong = CountIn(
        client_key=key(), warehouse_id=v2, lines=[{"item_code": "C24-01", "counted": 20, "reason": "damaged"}]
    )
    with pytest.raises(ValidationFailed):
        post(db, documents.count, wrong)
    same = CountIn(
        client_key=key(), warehouse_id=v2, lines=[{"item_code": "C24-01", "counted": 11, "reason": "recount"}]
    )
    assert post(db, documents.count, same).document.lines[0].delta == 0


def test_first_expiring_first_out_and_expired_stock_only_when_named(fresh, clock):
    db, town, _, _ = fresh
    today = date.today()
    receive(
        db,
        town,
        [
            {"item_code": "C09-02", "qty": 5, "expires_on": (today + timedelta(days=300)).isoformat()},
            {"item_code": "C09-02", "qty": 5, "expires_on": (today + timedelta(days=30)).isoformat()},
            {"item_code": "C09-02", "qty": 4, "expires_on": (today - timedelta(days=3)).isoformat()},
        ],
    )
    doc = post(
        db,
        documents.issue,
        IssueIn(client_key=key(), warehouse_id=town, lines=[{"item_code": "C09-02", "qty": 7}]),
    ).document
    taken = sorted((line.batch.expires_on, line.qty) for line in doc.lines)
    assert taken == [(today + timedelta(days=30), 5), (today + timedelta(days=300), 2)]
    with pytest.raises(NotEnoughStock):
        post(
            db,
            documents.issue,
            IssueIn(client_key=key(), warehouse_id=town, lines=[{"item_code": "C09-02", "qty": 4}]),
        )
    expired = next(line for line in doc.lines)  # any line: find the expired batch by its date
    with db.reading() as session:
        from yingji.supplies.models import Batch

        batch_id = session.scalar(
            select(Batch.id).where(
                Batch.expires_on == today - timedelta(days=3), Batch.item_id == expired.item_id
            )
        )
    scrap = IssueIn(
        client_key=key(),
        warehouse_id=town,
        reason="scrap",
        lines=[{"item_code": "C09-02", "qty": 4, "batch_id": batch_id}],
    )
    assert post(db, documents.issue, scrap).document.lines[0].qty == 4


def test_held_for_another_owner(fresh):
    db, town, _, _ = fresh
    receive(
        db, town, [{"item_code": "C05-02", "qty": 12, "owner_code": "5206", "owner_name": "铜仁市应急管理局"}]
    )
    with db.reading() as session:
        line = next(
            x for x in stock.holdings(session, session.get(Warehouse, town)) if x.item.code == "C05-02"
        )
        assert line.qty == 12 and line.owned_by_others == 12


def test_movements_add_up_to_the_balances(fresh):
    """The ledger invariant: every balance is the sum of its movements and each movement's
    balance_after is that running sum."""
    db = fresh[0]
    with db.reading() as session:
        sums = dict(
            session.execute(
                select(
                    Movement.warehouse_id * 1_000_000 + Movement.batch_id, func.sum(Movement.delta)
                ).group_by(Movement.warehouse_id, Movement.batch_id)
            ).all()
        )
        balances = {
            w * 1_000_000 + b: q
            for w, b, q in session.execute(select(Balance.warehouse_id, Balance.batch_id, Balance.qty))
        }
        assert sums == balances
        last = {}
        for m in session.scalars(select(Movement).order_by(Movement.id)):
            k = (m.warehouse_id, m.batch_id)
            last[k] = last.get(k, 0) + m.delta
            assert m.balance_after == last[k] >= 0
        assert transfers.in_transit_total(session) == 0

"""The set-based posting path (``supplies.posting``): stock never below zero when many requests take
from the same balance at once, a client key makes one document however many times (and however
concurrently) it is sent, and every posted document has the audit row the audit listener writes."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import PG_URL
from tests.supplies.conftest import balance, key, make_store, receive, tiny_org
from yingji.auth import audit
from yingji.auth.models import AuditEntry
from yingji.auth.scope import Principal
from yingji.core.db import Actor
from yingji.core.errors import YingjiError
from yingji.supplies import documents, statements
from yingji.supplies.ledger import NotEnoughStock
from yingji.supplies.models import Balance, Document, DocumentLine, Movement
from yingji.supplies.out import document_out
from yingji.supplies.schemas import CountIn, IssueIn, ReceiptIn, TransferIn

SYSTEM = Principal.system()
THREADS = 8


@pytest.fixture
def shop(databases):
    db = databases.make("posting")
    codes = tiny_org(db)
    return db, make_store(db, "town", codes["town"]), make_store(db, "village", codes["v1"])


def _issue(db, store: int, qty: int, client_key: str | None = None, item: str = "C11-01") -> dict:
    data = IssueIn(
        client_key=client_key or key(), warehouse_id=store, lines=[{"item_code": item, "qty": qty}]
    )
    try:
        with db.writing(Actor.system("tests")) as session:
            r = documents.issue(session, SYSTEM, data)
            return {"ok": True, "id": r.id, "replayed": r.replayed}
    except YingjiError as e:
        return {"ok": False, "error": e.code}


def _movements_match_balances(db) -> None:
    """Each balance is the sum of its movements, and each movement's balance after its running sum."""
    with db.reading() as session:
        sums = dict(
            ((w, b), q)
            for w, b, q in session.execute(
                select(Movement.warehouse_id, Movement.batch_id, func.sum(Movement.delta)).group_by(
                    Movement.warehouse_id, Movement.batch_id
                )
            )
        )
        held = {
            (w, b): q
            for w, b, q in session.execute(select(Balance.warehouse_id, Balance.batch_id, Balance.qty))
        }
        assert sums == held
        running: dict = {}
        for w, b, delta, after in session.execute(
            select(Movement.warehouse_id, Movement.batch_id, Movement.delta, Movement.balance_after).order_by(
                Movement.id
            )
        ):
            running[(w, b)] = running.get((w, b), 0) + delta
            assert after == running[(w, b)] >= 0


def test_never_below_zero_when_many_take_at_once(shop):
    db, store, _ = shop
    receive(db, store, [{"item_code": "C11-01", "qty": 25}])
    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(lambda _: _issue(db, store, 1), range(40)))
    taken = [r for r in results if r["ok"]]
    assert len(taken) == 25
    assert {r["error"] for r in results if not r["ok"]} == {"not_enough_stock"}
    assert balance(db, store, "C11-01") == 0
    _movements_match_balances(db)


def test_documents_taking_from_several_batches_at_once_conserve_stock(shop):
    """Issues spanning two batches (planned under the lock) race single-batch issues."""
    db, store, _ = shop
    today = date.today()
    receive(
        db,
        store,
        [
            {"item_code": "C06-01", "qty": 30, "expires_on": (today + timedelta(days=40)).isoformat()},
            {"item_code": "C06-01", "qty": 30, "expires_on": (today + timedelta(days=400)).isoformat()},
        ],
    )
    sizes = [7, 1, 13, 2, 5, 1, 9, 3] * 3
    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(lambda q: (q, _issue(db, store, q, item="C06-01")), sizes))
    issued = sum(q for q, r in results if r["ok"])
    assert issued <= 60 and balance(db, store, "C06-01") == 60 - issued
    assert any(not r["ok"] for _, r in results)  # the load really ran out
    with db.reading() as session:
        for q, r in results:
            if r["ok"]:
                moved = session.scalar(
                    select(func.sum(Movement.delta)).where(Movement.document_id == r["id"])
                )
                assert moved == -q
    _movements_match_balances(db)


def test_one_key_one_document_even_sent_at_once(shop):
    db, store, _ = shop
    receive(db, store, [{"item_code": "C11-01", "qty": 100}])
    k = key()
    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(lambda _: _issue(db, store, 3, k), range(THREADS)))
    assert all(r["ok"] for r in results)
    assert len({r["id"] for r in results}) == 1
    assert sum(not r["replayed"] for r in results) == 1
    assert balance(db, store, "C11-01") == 97
    # a retry later answers with the same document; the same key with other content is refused
    again = _issue(db, store, 3, k)
    assert again == {"ok": True, "id": results[0]["id"], "replayed": True}
    assert _issue(db, store, 4, k) == {"ok": False, "error": "client_key_reused"}
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Document).where(Document.client_key == k)) == 1
    _movements_match_balances(db)


def test_a_refused_document_leaves_its_key_free(shop):
    db, store, _ = shop
    receive(db, store, [{"item_code": "C11-01", "qty": 2}])
    k = key()
    assert _issue(db, store, 3, k) == {"ok": False, "error": "not_enough_stock"}
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Document).where(Document.client_key == k)) == 0
    assert _issue(db, store, 2, k)["ok"]


def test_every_post_has_the_audit_listeners_row(shop):
    """The posting path writes the row the ORM listener writes for a new document: the create
    snapshot of every column, by the same actor, in the same table."""
    db, store, other = shop
    actor = Actor(user_id=None, name="system:audit-test", ip="10.0.0.9", request_id="req-42")
    posts = [
        (
            documents.receive,
            ReceiptIn(
                client_key=key(), warehouse_id=store, lines=[{"item_code": "C11-01", "qty": 9}], note="到货"
            ),
        ),
        (
            documents.issue,
            IssueIn(client_key=key(), warehouse_id=store, lines=[{"item_code": "C11-01", "qty": 2}]),
        ),
        (
            documents.transfer,
            TransferIn(
                client_key=key(),
                warehouse_id=store,
                to_warehouse_id=other,
                lines=[{"item_code": "C11-01", "qty": 3}],
            ),
        ),
        (
            documents.count,
            CountIn(
                client_key=key(),
                warehouse_id=store,
                lines=[{"item_code": "C11-01", "counted": 3, "reason": "lost"}],
            ),
        ),
    ]
    ids = []
    for fn, data in posts:
        with db.writing(actor) as session:
            r = fn(session, SYSTEM, data)
            out = document_out(r.document)  # what the API answers, built from what was written
            assert out["client_key"] == data.client_key and out["lines"]
            ids.append(r.id)
    with db.reading() as session:
        for doc_id in ids:
            doc = session.get(Document, doc_id)
            rows = session.scalars(
                select(AuditEntry).where(
                    AuditEntry.entity == "supply_documents", AuditEntry.entity_id == str(doc_id)
                )
            ).all()
            assert len(rows) == 1
            row = rows[0]
            assert (row.action, row.actor, row.actor_id, row.ip, row.request_id) == (
                "create",
                "system:audit-test",
                None,
                "10.0.0.9",
                "req-42",
            )
            assert row.jurisdiction_code == doc.jurisdiction_code and row.before is None
            assert row.after == audit.snapshot(doc)
            assert session.scalar(select(func.count()).where(DocumentLine.document_id == doc_id)) >= 1
    _movements_match_balances(db)


def test_receipt_of_one_batch_on_two_lines(shop):
    db, store, _ = shop
    with db.writing(Actor.system("tests")) as session:
        r = documents.receive(
            session,
            SYSTEM,
            ReceiptIn(
                client_key=key(),
                warehouse_id=store,
                lines=[{"item_code": "C11-01", "qty": 4}, {"item_code": "C11-01", "qty": 6}],
            ),
        )
        assert [line.delta for line in r.document.lines] == [4, 6]
    assert balance(db, store, "C11-01") == 10
    _movements_match_balances(db)
    with pytest.raises(NotEnoughStock), db.writing(Actor.system("tests")) as session:
        documents.issue(
            session,
            SYSTEM,
            IssueIn(client_key=key(), warehouse_id=store, lines=[{"item_code": "C11-01", "qty": 11}]),
        )


@pytest.mark.skipif(not PG_URL, reason="the pipelined savepoint is PostgreSQL's posting path")
def test_posts_that_fail_on_purpose_leave_the_connection_usable(databases):
    """A refused post rolls back to its savepoint, and the connection takes the next one whatever
    psycopg has prepared meanwhile (CI once failed on "prepared statement _pg3_5 does not exist":
    a RELEASE prepared inside a pipeline the refusal had aborted)."""
    db = databases.make("pipelined")
    sql = f"SELECT CAST(CASE WHEN %s THEN '1' ELSE '{statements.NOT_POSTED}' END AS int)"
    # refusals in a row and apart, across psycopg's fifth run (where it starts to prepare)
    pattern = "F.F.FF...FF.FFF..F"
    with db.engine.connect() as conn:
        cur = conn.connection.dbapi_connection.cursor()
        outcomes = []
        for step in pattern:
            try:
                outcomes.append(statements.post_in_savepoint(cur, sql, [step == "."])[0])
            except statements.Stale:
                outcomes.append("refused")
        assert outcomes == [1 if s == "." else "refused" for s in pattern]
        conn.rollback()

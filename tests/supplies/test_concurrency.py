"""1,000 concurrent conflicting movements (threads on SQLite, processes on PostgreSQL): no balance
below zero, totals conserved, no movement lost, every retried key answered with its first document."""

from __future__ import annotations

import multiprocessing
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from tests.supplies import ledger_load
from tests.supplies.conftest import make_store, receive, tiny_org
from yingji.supplies import transfers
from yingji.supplies.models import Balance, Document, DocumentLine, Movement

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]
OPS = 1000
START = 120


def _run(db, ops: list[ledger_load.Op]) -> list[dict]:
    if db.kind == "sqlite":
        with ThreadPoolExecutor(max_workers=8) as pool:
            return list(pool.map(lambda op: ledger_load.run_one(db, op), ops))
    # Processes, each with its own connections; the same key lands in different processes at once.
    workers = 4
    chunks = [ops[i::workers] for i in range(workers)]
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(workers) as pool:
        parts = pool.map(ledger_load.process_main, [(db.settings.database_url, c) for c in chunks])
    return [r for part in parts for r in part]


def test_a_thousand_conflicting_movements(databases):
    db = databases.make("concurrency")
    codes = tiny_org(db)
    stores = [
        make_store(db, "town", codes["town"]),
        make_store(db, "village", codes["v1"]),
        make_store(db, "village", codes["v2"]),
    ]
    for s in stores:
        receive(db, s, [{"item_code": code, "qty": START} for code in ledger_load.ITEMS])
    ops = ledger_load.plan(stores, OPS)
    assert len(ops) == OPS and len({o.key for o in ops}) < OPS  # some keys are sent twice

    results = _run(db, ops)

    assert len(results) == OPS
    # Expected refusals: not enough stock; a confirmation racing another one for the same transfer
    # (more than is still in transit, or already received in full).
    expected = {"not_enough_stock", "validation_failed", "nothing_in_transit"}
    unexpected = [
        r
        for r in results
        if not r["ok"]
        and not (r["error"] in expected or (r["kind"] == "confirm" and r["error"] == "conflict"))
    ]
    assert unexpected == []
    ok = [r for r in results if r["ok"]]
    refused = Counter(r["error"] for r in results if not r["ok"])
    assert refused["not_enough_stock"] > 0, "the load must actually conflict"
    # Every retry got the first document back; each key made exactly one document.
    docs_by_key: dict[str, set[int]] = {}
    for r in ok:
        docs_by_key.setdefault(r["op"], set()).add(r["doc"])
    assert all(len(d) == 1 for d in docs_by_key.values())
    assert any(r["replayed"] for r in ok)

    with db.reading() as session:
        # No balance below zero (the CHECK would have refused it, the conditional UPDATE refused first).
        assert session.scalar(select(func.min(Balance.qty))) >= 0
        # No movement lost: each document's lines are all in the ledger, once.
        doc_kinds = {k: v for k, v in session.execute(select(Document.client_key, Document.kind))}
        made = {r["op"] for r in ok if r["kind"] != "confirm"}
        assert made <= set(doc_kinds)
        assert len(doc_kinds) == len(made) + len(stores)  # + the opening receipts
        for kind, expected in (("issue", -1), ("receipt", 1)):
            lines = session.scalar(
                select(func.coalesce(func.sum(DocumentLine.delta), 0))
                .join(Document, Document.id == DocumentLine.document_id)
                .where(Document.kind == kind)
            )
            moved = session.scalar(
                select(func.coalesce(func.sum(Movement.delta), 0)).where(Movement.kind == kind)
            )
            assert lines == moved and (moved == 0 or (moved > 0) == (expected > 0))
        # Totals conserved: what came in, less what went out, is on the shelves or on the road.
        received = session.scalar(select(func.sum(Movement.delta)).where(Movement.kind == "receipt"))
        issued = -session.scalar(
            select(func.coalesce(func.sum(Movement.delta), 0)).where(Movement.kind == "issue")
        )
        counted = session.scalar(
            select(func.coalesce(func.sum(Movement.delta), 0)).where(Movement.kind == "count")
        )
        on_shelves = session.scalar(select(func.sum(Balance.qty)))
        on_road = transfers.in_transit_total(session)
        assert on_shelves + on_road == received - issued + counted
        # Each balance is the sum of its movements; each movement's balance_after its running sum.
        sums = {
            (w, b): q
            for w, b, q in session.execute(
                select(Movement.warehouse_id, Movement.batch_id, func.sum(Movement.delta)).group_by(
                    Movement.warehouse_id, Movement.batch_id
                )
            )
        }
        assert sums == {
            (w, b): q
            for w, b, q in session.execute(select(Balance.warehouse_id, Balance.batch_id, Balance.qty))
        }
        running: dict[tuple[int, int], int] = {}
        for w, b, delta, after in session.execute(
            select(Movement.warehouse_id, Movement.batch_id, Movement.delta, Movement.balance_after).order_by(
                Movement.id
            )
        ):
            running[(w, b)] = running.get((w, b), 0) + delta
            assert after == running[(w, b)] >= 0
        # Transfer lines never received or returned more than was sent.
        assert (
            session.scalar(
                select(func.count()).where(
                    DocumentLine.received_qty + DocumentLine.returned_qty > DocumentLine.qty
                )
            )
            == 0
        )

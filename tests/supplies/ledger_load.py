"""Conflicting stock movements for the concurrency test and the ledger benchmark: a seeded plan of
receipts, issues, transfers, counts and transfer confirmations on a few stores and items, run by
threads (SQLite) or processes (PostgreSQL) through the real services. Some requests are sent twice
with the same client key, at the same time, as a retrying phone would."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from yingji.auth.scope import Principal
from yingji.config import Settings
from yingji.core.db import Actor, Database, open_database
from yingji.core.errors import Conflict, ValidationFailed
from yingji.supplies import documents, transfers
from yingji.supplies.models import Document, DocumentLine
from yingji.supplies.schemas import CountIn, IssueIn, ReceiptIn, ReceiveIn, TransferIn

ITEMS = ("C11-01", "C06-01")
SYSTEM = Principal.system()


@dataclass(frozen=True)
class Op:
    kind: str
    key: str
    warehouse: int
    item: str
    qty: int
    to: int | None = None


def plan(stores: list[int], n: int, seed: int = 7, repeat_share: float = 0.1) -> list[Op]:
    """``n`` operations on ``stores``; about ``repeat_share`` of them appear twice (same key)."""
    rng = random.Random(seed)
    ops: list[Op] = []
    while len(ops) < n:
        kind = rng.choices(["issue", "transfer", "receipt", "count", "confirm"], [4, 3, 1, 1, 2])[0]
        w = rng.choice(stores)
        item = rng.choice(ITEMS)
        key = f"load-{seed}-{len(ops)}"
        if kind == "transfer":
            ops.append(Op(kind, key, w, item, rng.randint(1, 15), rng.choice([s for s in stores if s != w])))
        elif kind == "count":
            ops.append(Op(kind, key, w, item, rng.choice([-3, -2, -1, 1, 2])))
        else:
            ops.append(Op(kind, key, w, item, rng.randint(1, 15)))
        if kind != "confirm" and rng.random() < repeat_share and len(ops) < n:
            ops.append(ops[-1])
    return ops[:n]


def run_one(db: Database, op: Op) -> dict:
    """Run one operation; returns what happened (``ok`` with the document, or an expected refusal)."""
    try:
        with db.writing(Actor.system("load")) as session:
            if op.kind == "confirm":
                return _confirm(session, op)
            result = _document(session, op)
            return {
                "op": op.key,
                "kind": op.kind,
                "ok": True,
                "doc": result.document.id,
                "replayed": result.replayed,
            }
    except (Conflict, ValidationFailed) as exc:
        return {"op": op.key, "kind": op.kind, "ok": False, "error": exc.code}


def _document(session, op: Op):
    line = {"item_code": op.item, "qty": op.qty}
    if op.kind == "receipt":
        return documents.receive(
            session, SYSTEM, ReceiptIn(client_key=op.key, warehouse_id=op.warehouse, lines=[line])
        )
    if op.kind == "issue":
        return documents.issue(
            session, SYSTEM, IssueIn(client_key=op.key, warehouse_id=op.warehouse, lines=[line])
        )
    if op.kind == "transfer":
        data = TransferIn(client_key=op.key, warehouse_id=op.warehouse, to_warehouse_id=op.to, lines=[line])
        return documents.transfer(session, SYSTEM, data)
    reason = "found" if op.qty > 0 else "lost"
    data = CountIn(
        client_key=op.key,
        warehouse_id=op.warehouse,
        lines=[{"item_code": op.item, "delta": op.qty, "reason": reason}],
    )
    return documents.count(session, SYSTEM, data)


def _confirm(session, op: Op) -> dict:
    """Receive part of the oldest transfer still on its way to the op's store."""
    row = session.execute(
        select(
            DocumentLine.document_id,
            DocumentLine.line_no,
            DocumentLine.qty - DocumentLine.received_qty - DocumentLine.returned_qty,
        )
        .join(Document, Document.id == DocumentLine.document_id)
        .where(
            Document.kind == "transfer",
            Document.to_warehouse_id == op.warehouse,
            Document.status.in_(("in_transit", "partial")),
        )
        .order_by(DocumentLine.document_id)
        .limit(1)
    ).first()
    if row is None or row[2] <= 0:
        return {"op": op.key, "kind": "confirm", "ok": False, "error": "nothing_in_transit"}
    doc_id, line_no, left = row
    take = min(left, op.qty)
    back = 1 if take < left and op.qty % 3 == 0 else 0
    data = ReceiveIn(client_key=op.key, lines=[{"line_no": line_no, "received": take, "returned": back}])
    result = transfers.confirm(session, SYSTEM, doc_id, data)
    return {
        "op": op.key,
        "kind": "confirm",
        "ok": True,
        "doc": result.document.id,
        "replayed": result.replayed,
    }


def process_main(args: tuple[str, list[Op]]) -> list[dict]:
    """Entry point of a worker process: its own engine on the database URL."""
    url, ops = args
    import yingji.core.schema  # noqa: F401 - every table, so foreign keys resolve in a fresh process

    db = open_database(
        Settings(database_url=url, secret_key="load", var_dir=Path("/tmp"), inprocess_worker=False)
    )
    try:
        return [run_one(db, op) for op in ops]
    finally:
        db.dispose()

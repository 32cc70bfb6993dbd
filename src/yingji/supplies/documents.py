"""Stock documents: receipt 入库, issue 出库, transfer 调拨 (dispatch side) and count 盘点.

Every document carries the client's key: the first request with a key creates the document, a retry
returns that same document (a retry with the same key but other content is a 409). A document that
fails (not enough stock) leaves nothing behind, so its key stays free for a corrected attempt.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, lazyload
from sqlalchemy.orm.attributes import set_committed_value

from yingji.auth.audit import actor_of
from yingji.auth.scope import Principal, visible
from yingji.core import clock
from yingji.core.errors import Conflict, NotFound, ValidationFailed
from yingji.supplies import catalogue, ledger, warehouses
from yingji.supplies.ledger import NotEnoughStock, Touch
from yingji.supplies.models import Batch, Document, DocumentLine, Item, Warehouse
from yingji.supplies.schemas import CountIn, IssueIn, OutLine, ReceiptIn, TransferIn


class KeyReused(Conflict):
    code = "client_key_reused"
    message = "This client key was already used for a different request."


@dataclass
class Result:
    """A document and whether it was created now (False) or found from an earlier try (True)."""

    document: Document
    replayed: bool = False


def fingerprint(data: BaseModel, **extra) -> str:
    """A hash of a request without its client key: tells a true retry from a reused key."""
    body = data.model_dump(mode="json", exclude={"client_key"}) | extra
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def replay(session: Session, model, client_key: str, fp: str):
    """The row an earlier request with this key created, or None; a different request → 409."""
    # most keys are new: look at the key alone before loading a row with its eager relations
    hit = session.execute(select(model.id, model.fingerprint).where(model.client_key == client_key)).first()
    if hit is None:
        return None
    if hit.fingerprint != fp:
        raise KeyReused()
    return session.get(model, hit.id)


def _warehouse(session: Session, warehouse_id: int) -> Warehouse:
    # the keepers list is not needed to move stock (check_move asks kept_by): don't load it
    warehouse = session.get(Warehouse, warehouse_id, options=[lazyload(Warehouse.keepers)])
    if warehouse is None:
        raise NotFound()
    return warehouse


def _open(session: Session, principal: Principal, values: dict) -> Document | Result:
    """Insert the document (claiming its key) in a savepoint: if a concurrent request with the same
    key won, hand back its document instead."""
    actor = actor_of(session)
    now = clock.now()
    doc = Document(
        **values,
        created_by=actor.name,
        created_by_id=actor.user_id,
        created_at=now,
        completed_at=now if values["status"] == "done" else None,
    )
    if session.get_bind().dialect.name == "sqlite":
        # One writer at a time: the key was looked up inside this write transaction, nobody can
        # have taken it since, so no savepoint is needed.
        session.add(doc)
        session.flush()
        return doc
    try:
        with session.begin_nested():
            session.add(doc)
            session.flush()
    except IntegrityError:
        found = replay(session, Document, values["client_key"], values["fingerprint"])
        if found is None:
            raise
        return Result(found, True)
    return doc


def _line(
    doc: Document, no: int, item: Item, batch_id: int | None, qty: int, delta: int, **kw
) -> DocumentLine:
    return DocumentLine(
        document_id=doc.id,
        line_no=no,
        item_id=item.id,
        item=item,
        batch_id=batch_id,
        qty=qty,
        delta=delta,
        jurisdiction_code=doc.jurisdiction_code,
        received_qty=0,
        returned_qty=0,
        **kw,
    )


def _finish(session: Session, doc: Document, lines: list[DocumentLine], touches: list[tuple]) -> Result:
    session.add_all(lines)
    session.flush()
    by_no = {line.line_no: line for line in lines}
    ledger.apply(
        session,
        doc.id,
        [
            Touch(wh, by_no[no].batch_id, item, delta, kind, by_no[no].id)
            for no, wh, item, delta, kind in touches
        ],
    )
    # the lines are in hand, in line order: no need to read them back, only their batches
    ids = {line.batch_id for line in lines if line.batch_id is not None}
    batches = {b.id: b for b in session.scalars(select(Batch).where(Batch.id.in_(ids)))} if ids else {}
    for line in lines:
        set_committed_value(line, "batch", batches.get(line.batch_id))
    set_committed_value(doc, "lines", lines)
    return Result(doc)


# -- receipt ----------------------------------------------------------------------------------
def receive(session: Session, principal: Principal, data: ReceiptIn) -> Result:
    """Goods come into a store (purchase, donation, allocation, return)."""
    fp = fingerprint(data)
    if (found := replay(session, Document, data.client_key, fp)) is not None:
        return Result(found, True)
    warehouse = _warehouse(session, data.warehouse_id)
    warehouses.check_move(session, principal, warehouse)
    items = catalogue.by_codes(session, [line.item_code for line in data.lines])
    doc = _open(session, principal, _values(data, "receipt", warehouse, fp, reason=data.reason))
    if isinstance(doc, Result):
        return doc
    lines, touches = [], []
    for no, line in enumerate(data.lines, 1):
        item = items[line.item_code]
        batch_id = ledger.batch_for(
            session,
            item,
            owner_code=line.owner_code or warehouse.jurisdiction_code,
            owner_name=line.owner_name,
            jurisdiction_code=warehouse.jurisdiction_code,
            batch_no=line.batch_no,
            expires_on=line.expires_on or _shelf_life_end(item, line.produced_on),
            produced_on=line.produced_on,
        )
        lines.append(_line(doc, no, item, batch_id, line.qty, line.qty))
        touches.append((no, warehouse, item, line.qty, "receipt"))
    return _finish(session, doc, lines, touches)


def _shelf_life_end(item: Item, produced_on: date | None) -> date | None:
    if produced_on is None or not item.shelf_life_months:
        return None
    months = produced_on.month - 1 + item.shelf_life_months
    year, month = produced_on.year + months // 12, months % 12 + 1
    return date(year, month, min(produced_on.day, 28))


def _values(data, kind: str, warehouse: Warehouse, fp: str, **kw) -> dict:
    return {
        "kind": kind,
        "status": "done",
        "warehouse_id": warehouse.id,
        "jurisdiction_code": warehouse.jurisdiction_code,
        "client_key": data.client_key,
        "fingerprint": fp,
        "note": data.note,
        "counterparty": getattr(data, "counterparty", None),
    } | kw


# -- issue and transfer -----------------------------------------------------------------------
def plan_out(session: Session, warehouse: Warehouse, lines: list[OutLine]) -> list[tuple[Item, int, int]]:
    """Which batches the lines take, as (item, batch_id, qty): the named batch, or the first to
    expire (already expired stock is only taken when named). Locks the rows it reads."""
    items = catalogue.by_codes(session, [line.item_code for line in lines])
    stock = ledger.lock_balances(session, warehouse.id, [i.id for i in items.values()])
    left = {b: q for rows in stock.values() for b, q, _ in rows}
    today = clock.now().date()
    out = []
    for line in lines:
        item = items[line.item_code]
        if line.batch_id is not None:
            if line.batch_id not in {b for b, _, _ in stock[item.id]}:
                raise ValidationFailed(
                    details=[{"field": "batch_id", "message": "No such batch of this item here."}]
                )
            candidates = [line.batch_id]
        else:
            candidates = [b for b, _, e in stock[item.id] if e is None or e >= today]
        need = line.qty
        available = sum(left[b] for b in candidates)
        if available < need:
            raise NotEnoughStock(item=item.name, store=warehouse.name, available=available, requested=need)
        for b in candidates:
            take = min(need, left[b])
            if take:
                out.append((item, b, take))
                left[b] -= take
                need -= take
            if need == 0:
                break
    return out


def issue(
    session: Session,
    principal: Principal,
    data: IssueIn,
    *,
    dispatch: bool = False,
    request_id: int | None = None,
) -> Result:
    """Goods leave a store for use (rescue, relief, drill, loan, scrap)."""
    fp = fingerprint(data)
    if (found := replay(session, Document, data.client_key, fp)) is not None:
        return Result(found, True)
    warehouse = _warehouse(session, data.warehouse_id)
    warehouses.check_move(session, principal, warehouse, dispatch=dispatch)
    _check_incident(session, principal, data.incident_id)
    values = _values(data, "issue", warehouse, fp, reason=data.reason, incident_id=data.incident_id)
    return _out(session, principal, warehouse, data.lines, values | {"request_id": request_id}, "issue")


def transfer(
    session: Session,
    principal: Principal,
    data: TransferIn,
    *,
    dispatch: bool = False,
    request_id: int | None = None,
) -> Result:
    """Goods leave a store for another store; they are in transit until the destination confirms."""
    fp = fingerprint(data)
    if (found := replay(session, Document, data.client_key, fp)) is not None:
        return Result(found, True)
    warehouse = _warehouse(session, data.warehouse_id)
    warehouses.check_move(session, principal, warehouse, dispatch=dispatch)
    _check_incident(session, principal, data.incident_id)
    destination = visible(principal, session.get(Warehouse, data.to_warehouse_id))
    if destination.id == warehouse.id or not destination.active:
        raise ValidationFailed(
            details=[{"field": "to_warehouse_id", "message": "Choose another, open store."}]
        )
    values = _values(
        data,
        "transfer",
        warehouse,
        fp,
        status="in_transit",
        to_warehouse_id=destination.id,
        to_jurisdiction_code=destination.jurisdiction_code,
        counterparty=destination.name,
        incident_id=data.incident_id,
        request_id=request_id,
    )
    return _out(session, principal, warehouse, data.lines, values, "transfer_out")


def _check_incident(session: Session, principal: Principal, incident_id: int | None) -> None:
    if incident_id is not None:
        from yingji.incidents.models import Incident

        visible(principal, session.get(Incident, incident_id))


def _out(session, principal, warehouse, lines, values, kind) -> Result:
    plan = plan_out(session, warehouse, lines)
    doc = _open(session, principal, values)
    if isinstance(doc, Result):
        return doc
    doc_lines, touches = [], []
    for no, (item, batch_id, qty) in enumerate(plan, 1):
        doc_lines.append(_line(doc, no, item, batch_id, qty, -qty))
        touches.append((no, warehouse, item, -qty, kind))
    return _finish(session, doc, doc_lines, touches)


# -- count ------------------------------------------------------------------------------------
REASON_SIGN = {"lost": -1, "damaged": -1, "expired": -1, "found": 1, "recount": 0}


def count(session: Session, principal: Principal, data: CountIn) -> Result:
    """A stock count (盘点): each line sets what is on the shelf or records a change, with its reason."""
    fp = fingerprint(data)
    if (found := replay(session, Document, data.client_key, fp)) is not None:
        return Result(found, True)
    warehouse = _warehouse(session, data.warehouse_id)
    warehouses.check_move(session, principal, warehouse)
    items = catalogue.by_codes(session, [line.item_code for line in data.lines])
    stock = ledger.lock_balances(session, warehouse.id, [i.id for i in items.values()])
    held = {b: q for rows in stock.values() for b, q, _ in rows}
    doc = _open(session, principal, _values(data, "count", warehouse, fp))
    if isinstance(doc, Result):
        return doc
    doc_lines, touches, no = [], [], 0
    for line in data.lines:
        item = items[line.item_code]
        batches = [b for b, _, _ in stock[item.id]]
        if line.batch_id is not None and line.batch_id not in batches:
            raise ValidationFailed(
                details=[{"field": "batch_id", "message": "No such batch of this item here."}]
            )
        scope = [line.batch_id] if line.batch_id is not None else batches
        current = sum(held[b] for b in scope)
        delta = line.delta if line.delta is not None else line.counted - current
        sign = REASON_SIGN[line.reason]
        if delta and sign and (delta > 0) != (sign > 0):
            raise ValidationFailed(
                details=[
                    {
                        "field": "reason",
                        "message": "The reason does not match the change.",
                        "value": line.reason,
                    }
                ]
            )
        if current + delta < 0:
            raise NotEnoughStock(item=item.name, store=warehouse.name, available=current, requested=-delta)
        for batch_id, change in _split_count(session, warehouse, item, scope, held, delta, line.batch_id):
            no += 1
            doc_lines.append(
                _line(doc, no, item, batch_id, abs(change), change, counted=line.counted, reason=line.reason)
            )
            if change:
                touches.append((no, warehouse, item, change, "count"))
    return _finish(session, doc, doc_lines, touches)


def _split_count(session, warehouse, item, scope, held, delta, named) -> list[tuple[int, int]]:
    """Spread a count's change over batches: losses first-expiring first, finds into the named batch
    or the store's own default batch."""
    if delta == 0:
        return [(named if named is not None else (scope[0] if scope else None), 0)]
    if delta > 0:
        if named is not None:
            return [(named, delta)]
        own = ledger.batch_for(
            session,
            item,
            owner_code=warehouse.jurisdiction_code,
            jurisdiction_code=warehouse.jurisdiction_code,
        )
        return [(own, delta)]
    need, out = -delta, []
    for b in scope:
        take = min(need, held[b])
        if take:
            out.append((b, -take))
            need -= take
        if need == 0:
            break
    return out


# -- reading ----------------------------------------------------------------------------------
def get(session: Session, principal: Principal, document_id: int) -> Document:
    """A document seen from either end (the source or, for transfers, the destination)."""
    doc = session.get(Document, document_id)
    if doc is None or not (
        principal.covers(doc.jurisdiction_code) or principal.covers(doc.to_jurisdiction_code)
    ):
        raise NotFound()
    return doc


def batches_of(session: Session, batch_ids: set[int]) -> dict[int, Batch]:
    if not batch_ids:
        return {}
    return {b.id: b for b in session.scalars(select(Batch).where(Batch.id.in_(batch_ids)))}

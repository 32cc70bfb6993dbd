"""Stock documents: receipt 入库, issue 出库, transfer 调拨 (dispatch side) and count 盘点.

Every document carries the client's key: the first request with a key creates the document, a retry
returns that same document (a retry with the same key but other content is a 409). A document that
fails (not enough stock) leaves nothing behind, so its key stays free for a corrected attempt.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal, visible
from yingji.core import clock
from yingji.core.errors import Conflict, NotFound, ValidationFailed
from yingji.supplies import catalogue, ledger, posting, warehouses
from yingji.supplies.codes import DocumentState
from yingji.supplies.ledger import NotEnoughStock
from yingji.supplies.models import Document, Warehouse
from yingji.supplies.schemas import CountIn, IssueIn, OutLine, ReceiptIn, TransferIn


class KeyReused(Conflict):
    code = "client_key_reused"
    message = "This client key was already used for a different request."


class Result:
    """A document and whether it was created now (False) or found from an earlier try (True). A post
    hands back what it wrote; the ORM document is built from it when first asked for (an answer
    that shows it), without reading it back."""

    def __init__(
        self,
        document: Document | None = None,
        replayed: bool = False,
        *,
        session: Session | None = None,
        posted: posting.Posted | None = None,
    ) -> None:
        self._document = document
        self.replayed = replayed
        self._session = session
        self._posted = posted
        self.id = document.id if document is not None else posted.id

    @property
    def document(self) -> Document:
        if self._document is None:
            self._document = posting.as_document(self._session, self._posted)
        return self._document


_FP_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False).encode  # json.dumps(…) made one per call
_NO_KEY = frozenset({"client_key"})


def fingerprint(data: BaseModel, **extra) -> str:
    """A hash of a request without its client key: tells a true retry from a reused key."""
    body = data.model_dump(mode="json", exclude=_NO_KEY)
    if extra:
        body |= extra
    return hashlib.sha256(_FP_JSON(body).encode()).hexdigest()


def replay(session: Session, model, client_key: str, fp: str):
    """The row an earlier request with this key created, or None; a different request → 409."""
    # most keys are new: look at the key alone before loading a row with its eager relations
    hit = session.execute(select(model.id, model.fingerprint).where(model.client_key == client_key)).first()
    if hit is None:
        return None
    if hit.fingerprint != fp:
        raise KeyReused()
    return session.get(model, hit.id)


def _facts(session: Session, key: str, warehouse_id: int, codes: list[str], *, stock: bool) -> posting.Facts:
    """One read of the key, the store, the items and their stock. An item code not found (or not
    active) goes through the catalogue, which adds a standard item on first use or refuses."""
    facts = posting.read(session, key, warehouse_id, codes, stock=stock)
    if facts.earlier is None and not all(c in facts.items and facts.items[c].active for c in codes):
        catalogue.by_codes(session, codes)  # raises for an unknown code
        facts = posting.read(session, key, warehouse_id, codes, stock=stock)
    return facts


def _replayed(session: Session, earlier: tuple[int, str], fp: str) -> Result:
    doc_id, earlier_fp = earlier
    if earlier_fp != fp:
        raise KeyReused()
    return Result(session.get(Document, doc_id), True)


def _post(
    session: Session,
    values: dict,
    lines: list[posting.Line],
    kind: str,
    locked: bool,
    facts: posting.Facts,
    held: dict[int, int] | None = None,
) -> Result:
    """Write the document; a concurrent twin with the same key that won hands back its document.
    ``Stale`` (only on PostgreSQL without locks) goes back to the caller, which plans again.
    ``held``: see ``posting.write``."""
    pg = facts.pg
    touched = [x.batch_id for x in lines if x.delta]
    if pg and len(touched) > 1 and not locked:
        # more than one balance: lock them in batch order first (no two documents wait in a cycle)
        posting.lock(session, values["warehouse_id"], touched)
    try:
        posted = posting.write(session, values, lines, kind, facts, None if pg else held)
    except posting.Stale:
        # nothing was written: a request with the same key made its document first, or (PostgreSQL,
        # not locked) the stock changed since it was read and the caller plans again under the lock
        found = replay(session, Document, values["client_key"], values["fingerprint"])
        if found is not None:
            return Result(found, True)
        if pg and not locked:
            raise
        raise Conflict() from None  # planned under the lock (or SQLite's one writer): cannot be
    if posted is None:
        # a request with the same key committed first: answer with its document
        found = replay(session, Document, values["client_key"], values["fingerprint"])
        if found is None:
            raise Conflict()
        return Result(found, True)
    return Result(session=session, posted=posted)


# -- receipt ----------------------------------------------------------------------------------
def receive(session: Session, principal: Principal, data: ReceiptIn) -> Result:
    """Goods come into a store (purchase, donation, allocation, return)."""
    fp = fingerprint(data)  # before the read: the write lock is taken there
    codes = [line.item_code for line in data.lines]
    facts = _facts(session, data.client_key, data.warehouse_id, codes, stock=False)
    if facts.earlier is not None:
        return _replayed(session, facts.earlier, fp)
    store = posting.require_store(facts)
    warehouses.check_move(session, principal, store)
    lines = []
    for no, line in enumerate(data.lines, 1):
        item = facts.items[line.item_code]
        batch_id = ledger.batch_for(
            session,
            item,
            owner_code=line.owner_code or store.jurisdiction_code,
            owner_name=line.owner_name,
            jurisdiction_code=store.jurisdiction_code,
            batch_no=line.batch_no,
            expires_on=line.expires_on or _shelf_life_end(item, line.produced_on),
            produced_on=line.produced_on,
            via=(facts.cur, facts.pg),
        )
        lines.append(posting.Line(no, item.id, batch_id, line.qty, line.qty))
    values = _values(data, "receipt", store, fp, reason=data.reason)
    # receipts only add: no guard can fail, so the balances are locked (in batch order) only when
    # there are several of them
    if len(lines) > 1:
        posting.lock(session, store.id, [x.batch_id for x in lines])
    return _post(session, values, lines, "receipt", True, facts)


def _shelf_life_end(item, produced_on: date | None) -> date | None:
    if produced_on is None or not item.shelf_life_months:
        return None
    months = produced_on.month - 1 + item.shelf_life_months
    year, month = produced_on.year + months // 12, months % 12 + 1
    return date(year, month, min(produced_on.day, 28))


def _values(data, kind: str, warehouse, fp: str, **kw) -> dict:
    return {
        "kind": kind,
        "status": DocumentState.DONE.value,
        "warehouse_id": warehouse.id,
        "jurisdiction_code": warehouse.jurisdiction_code,
        "client_key": data.client_key,
        "fingerprint": fp,
        "note": data.note,
        "counterparty": getattr(data, "counterparty", None),
    } | kw


# -- issue and transfer -----------------------------------------------------------------------
def plan_from(store, items: dict, stock: dict, lines: list[OutLine]) -> list[tuple]:
    """Which batches the lines take, as (item, batch_id, qty): the named batch, or the first to
    expire (already expired stock is only taken when named). ``stock``: item id → [(batch, qty,
    expires_on)] first-expiring first."""
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
            raise NotEnoughStock(item=item.name, store=store.name, available=available, requested=need)
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
    fp, facts, store = _leaving(session, principal, data, dispatch)
    if store is None:
        return _replayed(session, facts.earlier, fp)
    values = _values(data, "issue", store, fp, reason=data.reason, incident_id=data.incident_id)
    return _out(session, store, facts, data.lines, values | {"request_id": request_id}, "issue")


def transfer(
    session: Session,
    principal: Principal,
    data: TransferIn,
    *,
    dispatch: bool = False,
    request_id: int | None = None,
) -> Result:
    """Goods leave a store for another store; they are in transit until the destination confirms."""
    fp, facts, store = _leaving(session, principal, data, dispatch)
    if store is None:
        return _replayed(session, facts.earlier, fp)
    destination = visible(principal, session.get(Warehouse, data.to_warehouse_id))
    if destination.id == store.id or not destination.active:
        raise ValidationFailed(
            details=[{"field": "to_warehouse_id", "message": "Choose another, open store."}]
        )
    values = _values(
        data,
        "transfer",
        store,
        fp,
        status=DocumentState.IN_TRANSIT,
        to_warehouse_id=destination.id,
        to_jurisdiction_code=destination.jurisdiction_code,
        counterparty=destination.name,
        incident_id=data.incident_id,
        request_id=request_id,
    )
    return _out(session, store, facts, data.lines, values, "transfer_out")


def _leaving(session: Session, principal: Principal, data: IssueIn | TransferIn, dispatch: bool) -> tuple:
    """What an issue and a transfer check first: (fingerprint, facts, the store that goods leave),
    the store None when the key was posted before (a replay)."""
    fp = fingerprint(data)  # before the read: the write lock is taken there
    facts = _facts(session, data.client_key, data.warehouse_id, [x.item_code for x in data.lines], stock=True)
    if facts.earlier is not None:
        return fp, facts, None
    store = posting.require_store(facts)
    warehouses.check_move(session, principal, store, dispatch=dispatch)
    _check_incident(session, principal, data.incident_id)
    return fp, facts, store


def _check_incident(session: Session, principal: Principal, incident_id: int | None) -> None:
    if incident_id is not None:
        from yingji.incidents.models import Incident

        visible(principal, session.get(Incident, incident_id))


def _out(session, store, facts, lines, values, kind) -> Result:
    """Plan from the stock read without a lock and post; if the stock changed meanwhile (a guard
    failed, PostgreSQL only), plan again under the lock of the items' balances and post."""
    plan = plan_from(store, facts.items, facts.stock, lines)
    # More than one balance to take from (PostgreSQL): plan again under their locks, taken in batch
    # order, so every guard holds and no document waits for another in a cycle. A single balance
    # needs no lock first: its guarded UPDATE either takes the stock or changes nothing.
    locked = len(plan) > 1 and facts.pg
    if locked:
        plan = _locked_plan(session, store, facts, lines)
    held = None if facts.pg else {b: q for rows in facts.stock.values() for b, q, _ in rows}
    try:
        return _post(session, values, _out_lines(plan), kind, locked, facts, held)
    except posting.Stale:
        plan = _locked_plan(session, store, facts, lines)
        return _post(session, values, _out_lines(plan), kind, True, facts)


def _locked_plan(session, store, facts, lines) -> list[tuple]:
    stock = ledger.lock_balances(session, store.id, [i.id for i in facts.items.values()])
    return plan_from(store, facts.items, stock, lines)


def _out_lines(plan: list[tuple]) -> list[posting.Line]:
    return [posting.Line(no, item.id, b, qty, -qty) for no, (item, b, qty) in enumerate(plan, 1)]


# -- count ------------------------------------------------------------------------------------
REASON_SIGN = {"lost": -1, "damaged": -1, "expired": -1, "found": 1, "recount": 0}


def count(session: Session, principal: Principal, data: CountIn) -> Result:
    """A stock count (盘点): each line sets what is on the shelf or records a change, with its reason."""
    fp = fingerprint(data)
    facts = _facts(
        session, data.client_key, data.warehouse_id, [x.item_code for x in data.lines], stock=False
    )
    if facts.earlier is not None:
        return _replayed(session, facts.earlier, fp)
    store = posting.require_store(facts)
    warehouses.check_move(session, principal, store)
    items = facts.items
    # what is on the shelf decides the change: read it under the lock
    stock = ledger.lock_balances(session, store.id, [i.id for i in items.values()])
    held = {b: q for rows in stock.values() for b, q, _ in rows}
    doc_lines, no = [], 0
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
            raise NotEnoughStock(item=item.name, store=store.name, available=current, requested=-delta)
        for batch_id, change in _split_count(session, store, item, scope, held, delta, line.batch_id):
            no += 1
            doc_lines.append(
                posting.Line(no, item.id, batch_id, abs(change), change, line.counted, line.reason)
            )
    values = _values(data, "count", store, fp)
    touched = [x.batch_id for x in doc_lines if x.delta]
    posting.lock(session, store.id, touched)  # a batch found new since the read above
    return _post(session, values, doc_lines, "count", True, facts, held)


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

"""The destination side of a transfer: confirm what arrived (partial receipts allowed) and send back
what is refused (returns go back to the source store). Until then the goods are in transit."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yingji.auth.audit import actor_of
from yingji.auth.scope import Principal, in_scope
from yingji.core import clock
from yingji.core.errors import Conflict, NotFound, ValidationFailed
from yingji.supplies import ledger, warehouses
from yingji.supplies.codes import ARRIVING, DocumentState
from yingji.supplies.documents import Result, fingerprint, replay
from yingji.supplies.ledger import Touch
from yingji.supplies.models import Document, DocumentLine, TransferReceipt, Warehouse
from yingji.supplies.schemas import ReceiveIn


def confirm(session: Session, principal: Principal, document_id: int, data: ReceiveIn) -> Result:
    """Record a receipt at the destination; a retry with the same key returns the document as the
    first try left it."""
    fp = fingerprint(data, document_id=document_id)
    found = replay(session, TransferReceipt, data.client_key, fp)
    if found is not None:
        return Result(session.get(Document, found.document_id), True)
    doc = session.get(Document, document_id, with_for_update={"of": Document}, populate_existing=True)
    if (
        doc is None
        or doc.kind != "transfer"
        or not (principal.covers(doc.jurisdiction_code) or principal.covers(doc.to_jurisdiction_code))
    ):
        raise NotFound()
    destination = session.get(Warehouse, doc.to_warehouse_id)
    warehouses.check_move(session, principal, destination)
    if doc.status == DocumentState.RECEIVED:
        raise Conflict("This transfer has already been received in full.")
    lines = {
        line.line_no: line
        for line in session.scalars(
            select(DocumentLine)
            .where(DocumentLine.document_id == doc.id)
            .execution_options(populate_existing=True)
        )
    }
    # A concurrent retry may have committed while we waited for the document's lock.
    if (found := replay(session, TransferReceipt, data.client_key, fp)) is not None:
        return Result(doc, True)
    source = session.get(Warehouse, doc.warehouse_id)
    if len({e.line_no for e in data.lines}) != len(data.lines):
        raise ValidationFailed(details=[{"field": "line_no", "message": "A line is named twice."}])
    for entry in data.lines:
        line = lines.get(entry.line_no)
        if line is None:
            raise ValidationFailed(
                details=[{"field": "line_no", "message": "No such line.", "value": entry.line_no}]
            )
        if entry.received + entry.returned > line.in_transit:
            raise ValidationFailed(
                details=[
                    {"field": "received", "message": "More than is still in transit.", "value": entry.line_no}
                ]
            )
    if not any(e.received or e.returned for e in data.lines):
        raise ValidationFailed(details=[{"field": "lines", "message": "Nothing received or returned."}])
    if not _claim(session, doc, data, fp):
        found = replay(session, TransferReceipt, data.client_key, fp)
        return Result(session.get(Document, found.document_id), True)
    touches = []
    for entry in data.lines:
        line = lines[entry.line_no]
        line.received_qty += entry.received
        line.returned_qty += entry.returned
        if entry.received:
            touches.append(
                Touch(destination, line.batch_id, line.item, entry.received, "transfer_in", line.id)
            )
        if entry.returned:
            touches.append(
                Touch(source, line.batch_id, line.item, entry.returned, "transfer_return", line.id)
            )
    ledger.apply(session, doc.id, touches)
    if all(line.in_transit == 0 for line in lines.values()):
        doc.status, doc.completed_at = DocumentState.RECEIVED, clock.now()
    else:
        doc.status = DocumentState.PARTIAL
    session.flush()
    return Result(doc)


def _claim(session: Session, doc: Document, data: ReceiveIn, fp: str) -> bool:
    actor = actor_of(session)
    row = TransferReceipt(
        document_id=doc.id,
        client_key=data.client_key,
        fingerprint=fp,
        lines=[e.model_dump() for e in data.lines],
        note=data.note,
        jurisdiction_code=doc.to_jurisdiction_code or doc.jurisdiction_code,
        actor=actor.name,
        actor_id=actor.user_id,
        at=clock.now(),
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return False
    return True


def receipts_of(session: Session, document_id: int) -> list[TransferReceipt]:
    return list(
        session.scalars(
            select(TransferReceipt)
            .where(TransferReceipt.document_id == document_id)
            .order_by(TransferReceipt.id)
        )
    )


def incoming(session: Session, principal: Principal, warehouse_id: int | None = None) -> list[Document]:
    """Transfers on their way to stores in scope (or to one store), oldest first."""
    stmt = select(Document).where(
        Document.kind == "transfer",
        Document.status.in_(ARRIVING),
        in_scope(Document.to_jurisdiction_code, principal),
    )
    if warehouse_id is not None:
        stmt = stmt.where(Document.to_warehouse_id == warehouse_id)
    return list(session.scalars(stmt.order_by(Document.id).limit(200)))


def in_transit_total(session: Session) -> int:
    """Units still on the road across all transfers (the ledger invariant's third term)."""
    return session.scalar(
        select(
            func.coalesce(
                func.sum(DocumentLine.qty - DocumentLine.received_qty - DocumentLine.returned_qty), 0
            )
        )
        .join(Document, Document.id == DocumentLine.document_id)
        .where(Document.kind == "transfer")
    )

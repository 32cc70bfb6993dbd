"""The distribution ledger (发放台账): cash, or goods issued from a supply store through the stock
ledger (``supplies.documents.issue``: an issue document whose lines lower ``supply_balances``), so
what aid says was handed out and what left the store are one record. A phone on a weak signal sends
the same ``client_key`` again and gets the first handing-out back; a household paid beyond its plan
is refused unless an override note is given (audited)."""

from __future__ import annotations

from sqlalchemy import case, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yingji.aid import labels, programmes, recipients
from yingji.aid.access import check_step
from yingji.aid.codes import ProgrammeState, RecipientState
from yingji.aid.models import AidDistribution, AidRecipient
from yingji.aid.schemas import DistributionIn
from yingji.auth import audit
from yingji.auth.scope import Principal, in_scope
from yingji.core import clock
from yingji.core.errors import Conflict, NotFound
from yingji.supplies import documents
from yingji.supplies.models import Item
from yingji.supplies.schemas import IssueIn, OutLine

TOLERANCE = 0.005  # yuan: sums of floats


class Overpaid(Conflict):
    code = "aid_overpaid"
    message = (
        "{name} would receive {total} yuan against a plan of {planned} yuan; give an override note "
        "to hand out more."
    )


class KeyReused(Conflict):
    code = "client_key_reused"
    message = "This client key was already used for a different request."


def _same(d: AidDistribution, data: DistributionIn) -> bool:
    return (
        d.recipient_id == data.recipient_id
        and d.kind == data.kind
        and abs(d.amount_yuan - data.amount_yuan) < TOLERANCE
        and (d.quantity or None) == (data.quantity or None)
        and d.warehouse_id == data.warehouse_id
    )


def _replay(session: Session, data: DistributionIn) -> AidDistribution | None:
    found = session.scalar(select(AidDistribution).where(AidDistribution.client_key == data.client_key))
    if found is not None and not _same(found, data):
        raise KeyReused()
    return found


def distribute(
    session: Session, principal: Principal, programme_id: int, data: DistributionIn
) -> tuple[AidDistribution, bool]:
    """Hand out to an approved household: (the row, whether it was an earlier try's)."""
    programme = programmes.get(session, principal, programme_id)
    if (found := _replay(session, data)) is not None:
        return found, True
    if programme.state != ProgrammeState.DISTRIBUTING.value:
        raise recipients.NotNow(state=labels.label(labels.STATE_LABELS, programme.state))
    recipient = recipients.get(session, principal, data.recipient_id)
    if recipient.programme_id != programme.id:
        raise NotFound()
    check_step(principal, recipient.jurisdiction_code, "village")
    if recipient.state not in (RecipientState.APPROVED.value, RecipientState.PAID.value):
        raise recipients.BadRecipientMove(state=labels.label(labels.RECIPIENT_LABELS, recipient.state))
    _check_plan(recipient, data)
    row = AidDistribution(
        programme_id=programme.id,
        recipient_id=recipient.id,
        kind=data.kind,
        amount_yuan=round(data.amount_yuan, 2),
        at=clock.now(),
        by_user=principal.user_id,
        receiver_name=data.receiver_name or recipient.head_name,
        client_key=data.client_key,
        jurisdiction_code=recipient.jurisdiction_code,
        note=data.note,
    )
    if data.kind == "goods":
        issued = documents.issue(
            session,
            principal,
            IssueIn(
                client_key=f"aid:{data.client_key}",
                warehouse_id=data.warehouse_id,
                reason="relief",
                counterparty=f"{recipient.head_name}（{programme.code}）"[:120],
                lines=[OutLine(item_code=data.item_code, qty=data.quantity)],
                note=data.note,
            ),
        )
        doc = issued.document
        row.stock_document_id = doc.id
        row.warehouse_id = doc.warehouse_id
        row.item_id = doc.lines[0].item_id if doc.lines else None
        row.quantity = data.quantity
    if (won := _insert(session, row, data)) is not row:
        return won, True
    _count(session, recipient, row, data)
    if data.override_note:
        audit.record(
            session,
            "override",
            "aid_distributions",
            row.id,
            jurisdiction_code=row.jurisdiction_code,
            after={"rule": "plan", "planned_yuan": recipient.planned_yuan, "amount_yuan": row.amount_yuan},
            note=data.override_note,
        )
    recipients.mark_paid(session, recipient.id)
    return row, False


def _check_plan(recipient: AidRecipient, data: DistributionIn) -> None:
    if data.override_note:
        return
    total = recipient.paid_yuan + recipient.goods_yuan + data.amount_yuan
    planned = recipient.planned_yuan
    if recipient.state == RecipientState.PAID.value or (planned is not None and total > planned + TOLERANCE):
        raise Overpaid(name=recipient.head_name, total=round(total, 2), planned=planned or 0)


def _insert(session: Session, row: AidDistribution, data: DistributionIn) -> AidDistribution:
    """Insert claiming the key; a concurrent request with the same key that won is handed back."""
    if session.get_bind().dialect.name == "sqlite":
        session.add(row)  # one writer at a time: the key was looked up in this transaction
        session.flush()
        return row
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        found = _replay(session, data)
        if found is None:
            raise
        return found
    return row


def _count(session: Session, recipient: AidRecipient, row: AidDistribution, data: DistributionIn) -> None:
    """Add to the household's totals in one UPDATE whose WHERE holds the plan's check, so two phones
    paying at once cannot both pass it."""
    r = AidRecipient
    column = r.paid_yuan if row.kind == "cash" else r.goods_yuan
    form = "goods" if row.kind == "goods" else (data.pay_form or "card")
    stmt = update(r).where(r.id == recipient.id)
    if not data.override_note:
        stmt = stmt.where(
            r.state != RecipientState.PAID.value,
            or_(
                r.planned_yuan.is_(None),
                r.paid_yuan + r.goods_yuan + row.amount_yuan <= r.planned_yuan + TOLERANCE,
            ),
        )
    done = session.execute(
        stmt.values(
            {column: column + row.amount_yuan, r.pay_form: func.coalesce(r.pay_form, form)}
        ).execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        raise Overpaid(name=recipient.head_name, total="?", planned=recipient.planned_yuan or 0)
    session.expire(recipient)


def ledger(session: Session, principal: Principal, programme_id: int, *, limit: int = 5000) -> list[dict]:
    programme = programmes.get(session, principal, programme_id)
    rows = session.execute(
        select(AidDistribution, AidRecipient.head_name, Item.name)
        .join(AidRecipient, AidRecipient.id == AidDistribution.recipient_id)
        .outerjoin(Item, Item.id == AidDistribution.item_id)
        .where(
            AidDistribution.programme_id == programme.id,
            in_scope(AidDistribution.jurisdiction_code, principal),
        )
        .order_by(AidDistribution.at.desc(), AidDistribution.id.desc())
        .limit(limit)
    ).all()
    return [out(d, head, item) for d, head, item in rows]


def out(
    d: AidDistribution, head_name: str | None = None, item_name: str | None = None, replayed=False
) -> dict:
    return {
        "id": d.id,
        "programme_id": d.programme_id,
        "recipient_id": d.recipient_id,
        "head_name": head_name,
        "jurisdiction_code": d.jurisdiction_code,
        "kind": d.kind,
        "kind_label": labels.label(labels.DISTRIBUTION_LABELS, d.kind),
        "amount_yuan": d.amount_yuan,
        "item_id": d.item_id,
        "item_name": item_name,
        "quantity": d.quantity,
        "warehouse_id": d.warehouse_id,
        "stock_document_id": d.stock_document_id,
        "at": d.at,
        "receiver_name": d.receiver_name,
        "client_key": d.client_key,
        "note": d.note,
        "replayed": replayed,
    }


def out_full(session: Session, d: AidDistribution, replayed: bool) -> dict:
    head = session.scalar(select(AidRecipient.head_name).where(AidRecipient.id == d.recipient_id))
    item = session.scalar(select(Item.name).where(Item.id == d.item_id)) if d.item_id else None
    return out(d, head, item, replayed)


def summary(session: Session, programme_id: int) -> dict:
    """Cash and goods handed out (count and yuan)."""
    row = session.execute(
        select(
            func.count(),
            func.sum(case((AidDistribution.kind == "cash", AidDistribution.amount_yuan), else_=0)),
            func.sum(case((AidDistribution.kind == "goods", AidDistribution.amount_yuan), else_=0)),
        ).where(AidDistribution.programme_id == programme_id)
    ).one()
    return {"count": row[0] or 0, "cash": round(float(row[1] or 0), 2), "goods": round(float(row[2] or 0), 2)}

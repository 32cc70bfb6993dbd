"""Acknowledgement: a grid leader or worker confirms receipt by a signed link, an SMS reply
("1" or "收到" + the dispatch's code) or the in-app button. One acknowledgement per person and
dispatch (a repeat is a no-op); it marks the person's deliveries and every cell they serve as
acknowledged, so escalation leaves those cells alone. Also the gateway's delivery receipts."""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass

from sqlalchemy import or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from yingji.auth.models import User
from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, require
from yingji.core import clock
from yingji.core.errors import Forbidden, NotFound, Unauthenticated, ValidationFailed
from yingji.delivery import pushed, signing
from yingji.delivery.codes import AWAITING_RECEIPT, AckMethod, DeliveryState, DispatchState
from yingji.delivery.models import Acknowledgement, ChannelEndpoint, Delivery, Dispatch, DispatchCell
from yingji.org.models import GridAssignment, Person
from yingji.warnings.hooks import WarningEvent

REPLY = re.compile(r"^\s*(?:1|收到|确认)[\s,，:：]*([A-Za-z0-9]{4})?\s*$")
KEY = re.compile(r"^yj-(\d+)-(\d+)$")


@dataclass
class AckResult:
    dispatch_id: int
    person_id: int
    new: bool
    cells: int


def acknowledge(
    session: Session,
    dispatch_id: int,
    person_id: int,
    method: str,
    *,
    user_id: int | None = None,
    detail: str | None = None,
) -> AckResult:
    """Record the confirmation once; mark deliveries and the person's cells acknowledged."""
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound()
    now = clock.now()
    dialect = session.get_bind().dialect.name
    ins = (pg_insert if dialect == "postgresql" else sqlite_insert)(Acknowledgement)
    new_id = session.execute(
        ins.values(
            dispatch_id=dispatch_id,
            person_id=person_id,
            user_id=user_id,
            method=method,
            jurisdiction_code=person.jurisdiction_code,
            at=now,
            detail=(detail or None) and detail[:200],
        )
        .on_conflict_do_nothing(index_elements=["dispatch_id", "person_id"])
        .returning(Acknowledgement.id)
    ).scalar()
    if new_id is None:
        return AckResult(dispatch_id, person_id, False, 0)
    users = select(User.id).where(User.person_id == person_id)
    session.execute(
        update(Delivery)
        .where(
            Delivery.dispatch_id == dispatch_id,
            Delivery.state != DeliveryState.ACKNOWLEDGED,
            or_(
                (Delivery.recipient_kind == "person") & (Delivery.recipient_id == person_id),
                (Delivery.recipient_kind == "user") & Delivery.recipient_id.in_(users),
            ),
        )
        .values(state=DeliveryState.ACKNOWLEDGED.value, acknowledged_at=now)
        .execution_options(synchronize_session=False)
    )
    cells = session.execute(
        update(DispatchCell)
        .where(
            DispatchCell.dispatch_id == dispatch_id,
            DispatchCell.acknowledged_at.is_(None),
            DispatchCell.grid_cell_id.in_(
                select(GridAssignment.grid_cell_id).where(GridAssignment.person_id == person_id)
            ),
        )
        .values(acknowledged_at=now, acknowledged_by=person_id)
        .execution_options(synchronize_session=False)
    ).rowcount
    pushed.coverage_changed(session, dispatch_id, person.jurisdiction_code)
    return AckResult(dispatch_id, person_id, True, cells or 0)


def by_link(session: Session, secret: str, token: str) -> tuple[Delivery, Dispatch]:
    """The delivery a signed link names (BadToken if tampered or expired)."""
    delivery = session.get(Delivery, signing.verify(secret, token))
    if delivery is None or delivery.recipient_kind != "person":
        raise signing.BadToken("invalid")
    return delivery, session.get(Dispatch, delivery.dispatch_id)


def person_of(session: Session, principal: Principal) -> int:
    user = session.get(User, principal.user_id) if principal.user_id else None
    if user is None or user.person_id is None:
        raise Forbidden("Your account is not linked to a person of the grid.")
    return user.person_id


def ack_in_app(session: Session, principal: Principal, dispatch_id: int) -> AckResult:
    """The in-app button: the person must be among the dispatch's recipients."""
    require(principal, Perm.WARNING_ACK)
    person_id = person_of(session, principal)
    reached = session.scalar(
        select(Delivery.id)
        .where(
            Delivery.dispatch_id == dispatch_id,
            Delivery.recipient_kind == "person",
            Delivery.recipient_id == person_id,
        )
        .limit(1)
    )
    if reached is None:
        raise NotFound()
    return acknowledge(session, dispatch_id, person_id, AckMethod.APP.value, user_id=principal.user_id)


def check_gateway(session: Session, token: str | None) -> ChannelEndpoint:
    """The SMS endpoint whose callback token the caller presented (webhooks carry no user)."""
    if token:
        enabled = select(ChannelEndpoint).where(ChannelEndpoint.kind == "sms", ChannelEndpoint.enabled)
        for endpoint in session.scalars(enabled):
            expected = str((endpoint.config or {}).get("callback_token") or "")
            if expected and hmac.compare_digest(expected, token):
                return endpoint
    raise Unauthenticated("The gateway token is not valid.")


def sms_reply(session: Session, sender: str, text: str) -> AckResult | None:
    """An inbound SMS: "1", "收到" or "确认", optionally with the 4-character code of the warning."""
    match = REPLY.match(text or "")
    number = re.sub(r"\D", "", sender or "")[-11:]
    if match is None or not number:
        return None
    person = session.scalar(select(Person).where(Person.mobile == number))
    if person is None:
        return None
    stmt = (
        select(Dispatch.id)
        .join(Delivery, Delivery.dispatch_id == Dispatch.id)
        .where(
            Delivery.recipient_kind == "person",
            Delivery.recipient_id == person.id,
            Delivery.channel == "sms",
            Dispatch.event != WarningEvent.LIFTED,
        )
        .order_by(Dispatch.id.desc())
        .limit(1)
    )
    if match.group(1):
        stmt = stmt.where(Dispatch.ack_code == match.group(1).upper())
    else:
        stmt = stmt.where(Dispatch.state == DispatchState.ACTIVE)
    dispatch_id = session.scalar(stmt)
    if dispatch_id is None:
        return None
    return acknowledge(session, dispatch_id, person.id, AckMethod.SMS.value, detail=text)


def receipts(session: Session, items: list[dict]) -> dict[str, int]:
    """Delivery reports from the gateway: ``{"id": "yj-…", "status": "delivered"|"failed"}``."""
    now = clock.now()
    counts = {"delivered": 0, "failed": 0, "ignored": 0}
    for item in items:
        match = KEY.match(str(item.get("id", "")))
        status = str(item.get("status", "")).lower()
        if match is None or status not in (DeliveryState.DELIVERED, DeliveryState.FAILED):
            counts["ignored"] += 1
            continue
        values: dict = {"state": status}
        if status == DeliveryState.DELIVERED:
            values["delivered_at"] = now
        else:
            values["detail"] = str(item.get("error") or "gateway: failed")[:200]
        changed = session.execute(
            update(Delivery)
            .where(
                Delivery.id == int(match.group(1)),
                Delivery.round == int(match.group(2)),
                Delivery.state.in_(AWAITING_RECEIPT),
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        ).rowcount
        counts[status if changed else "ignored"] += 1
    return counts


def parse_items(body) -> list[dict]:
    items = body.get("receipts") if isinstance(body, dict) else body
    if not isinstance(items, list):
        raise ValidationFailed(details=[{"field": "receipts", "message": "A list of receipts is required."}])
    return [i for i in items if isinstance(i, dict)]

"""The in-app inbox channel and its queries."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from yingji.auth.models import User
from yingji.auth.roles import Perm, permissions_of
from yingji.auth.scope import Principal
from yingji.core import clock
from yingji.core.pagination import Page, paginate
from yingji.notify import channels
from yingji.notify.channels import Message, Receipt, ReceiptState
from yingji.notify.models import InboxMessage


class InboxChannel:
    name = "inbox"

    def send(self, session: Session, batch: list[Message]) -> list[Receipt]:
        """One row per message; a message whose key was already delivered is a duplicate."""
        now = clock.now()
        dialect = session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        receipts = []
        for m in batch:
            if m.recipient_user_id is None:
                receipts.append(Receipt(m.key, ReceiptState.FAILED, self.name, "no recipient"))
                continue
            stmt = (
                insert(InboxMessage)
                .values(
                    user_id=m.recipient_user_id,
                    category=m.category,
                    severity=m.severity,
                    subject=m.subject[:200],
                    body=m.body,
                    link=m.link,
                    jurisdiction_code=m.jurisdiction_code,
                    data=m.data or None,
                    dedupe_key=m.key,
                    created_at=now,
                )
                .on_conflict_do_nothing(index_elements=["dedupe_key"])
                .returning(InboxMessage.id)
            )
            new_id = session.execute(stmt).scalar()
            receipts.append(
                Receipt(m.key, ReceiptState.DELIVERED if new_id else ReceiptState.DUPLICATE, self.name)
            )
        return receipts


channels.register("inbox", InboxChannel)


def users_with(session: Session, jurisdiction_code: str, perm: Perm) -> list[int]:
    """Active users bound exactly to ``jurisdiction_code`` whose role holds ``perm``: the people
    a level's notifications go to (its duty officers and officials)."""
    users = session.execute(
        select(User.id, User.role).where(User.jurisdiction_code == jurisdiction_code, User.active)
    ).all()
    return [uid for uid, role in users if perm in permissions_of(role)]


def notify_level(
    session: Session,
    jurisdiction_code: str,
    *,
    subject: str,
    body: str = "",
    link: str | None = None,
    category: str = "general",
    severity: str = "info",
    key: str | None = None,
    perm: Perm = Perm.INCIDENT_MANAGE,
) -> list[Receipt]:
    """Tell a level (its users holding ``perm``) through the inbox, in the caller's transaction.
    ``key`` (per user: ``key:user_id``) makes a repeated notification land once."""
    batch = [
        Message(
            recipient_user_id=uid,
            subject=subject,
            body=body,
            link=link,
            category=category,
            severity=severity,
            jurisdiction_code=jurisdiction_code,
            key=f"{key}:{uid}" if key else None,
        )
        for uid in users_with(session, jurisdiction_code, perm)
    ]
    return InboxChannel().send(session, batch) if batch else []


def messages(
    session: Session, principal: Principal, *, unread_only: bool = False, page: int = 1, size: int = 30
) -> Page:
    stmt = select(InboxMessage).where(InboxMessage.user_id == principal.user_id)
    if unread_only:
        stmt = stmt.where(InboxMessage.read_at.is_(None))
    return paginate(session, stmt.order_by(InboxMessage.id.desc()), page, size)


def unread_count(session: Session, principal: Principal) -> int:
    return (
        session.scalar(
            select(func.count()).where(
                InboxMessage.user_id == principal.user_id, InboxMessage.read_at.is_(None)
            )
        )
        or 0
    )


def mark_read(session: Session, principal: Principal, message_id: int | None = None) -> int:
    """Mark one message (or all) of the principal as read; returns how many changed."""
    stmt = update(InboxMessage).where(
        InboxMessage.user_id == principal.user_id, InboxMessage.read_at.is_(None)
    )
    if message_id is not None:
        stmt = stmt.where(InboxMessage.id == message_id)
    return session.execute(
        stmt.values(read_at=clock.now()).execution_options(synchronize_session=False)
    ).rowcount

"""The in-app inbox: one row per message per recipient user."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core import clock
from yingji.core.models import Base, IdMixin
from yingji.core.types import BigId, CodeStr, JSONType


class InboxMessage(IdMixin, Base):
    __tablename__ = "inbox_messages"
    __table_args__ = (Index("ix_inbox_messages_user_unread", "user_id", "read_at", "id"),)

    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))
    category: Mapped[str] = mapped_column(String(40))  # e.g. incident.report, deadline.overdue, duty.gap
    severity: Mapped[str] = mapped_column(String(8), default="info")  # info, warning, urgent
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str | None] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(300))
    jurisdiction_code: Mapped[str | None] = mapped_column(CodeStr)
    data: Mapped[dict | None] = mapped_column(JSONType)
    # The same notification sent twice (a retried job) lands once per user.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    read_at: Mapped[datetime | None] = mapped_column()

"""The event log: what was pushed, kept a while so that a reconnecting browser gets what it missed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core import clock
from yingji.core.models import Base, IdMixin
from yingji.core.types import CodeStr, JSONType


class EventLog(IdMixin, Base):
    """One pushed event. Ids are given in commit order (see ``publish``), so "everything after id N"
    is exactly what a client that saw N has not seen. Not audited: the write it reports is."""

    __tablename__ = "event_log"
    # AUTOINCREMENT: SQLite would otherwise reuse ids once pruning empties the table, and a client
    # holding a higher Last-Event-ID would never see the new events.
    __table_args__ = (Index("ix_event_log_created", "created_at"), {"sqlite_autoincrement": True})

    kind: Mapped[str] = mapped_column(String(40))
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)
    payload: Mapped[dict] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

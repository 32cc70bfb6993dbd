"""Output shapes of the inbox API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class InboxMessageOut(BaseModel):
    id: int
    category: str  # e.g. incident.report, deadline.overdue, duty.gap
    severity: str  # info, warning, urgent
    subject: str
    body: str | None
    link: str | None
    created_at: datetime
    read_at: datetime | None


class InboxOut(BaseModel):
    items: list[InboxMessageOut]
    total: int
    unread: int


class ChangedOut(BaseModel):
    changed: int  # messages marked read

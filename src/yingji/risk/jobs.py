"""Queued work of dual prevention: the reminder and the overdue escalation of a rectification
deadline (rows made by ``escalation.schedule`` in the transaction that set the deadline)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from yingji.jobs.registry import JobContext, handler
from yingji.risk import escalation


@handler(escalation.REMIND, max_attempts=5)
def danger_remind(session: Session, ctx: JobContext) -> None:
    """Remind the town (and the village) that a rectification is due soon."""
    escalation.remind(session, ctx.payload)


@handler(escalation.OVERDUE, max_attempts=5)
def danger_overdue(session: Session, ctx: JobContext) -> None:
    """Tell the level above of an overdue rectification; list a 重大 danger for supervision."""
    escalation.overdue(session, ctx.payload)

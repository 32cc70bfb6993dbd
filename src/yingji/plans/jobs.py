"""Job handlers of the plan registry: the reminder before and the escalation after each legal
clock (filing, publication, evaluation), and the daily sweep that repairs lost ones and deems
enterprise filings filed that the authority left unanswered for 5 working days."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy.orm import Session

from yingji.jobs.registry import JobContext, handler
from yingji.plans import clocks, filings

log = logging.getLogger("yingji.plans")


@handler(clocks.REMIND_JOB, max_attempts=5, backoff_base_s=60)
def clock_remind(session: Session, ctx: JobContext) -> None:
    clocks.remind(session, int(ctx.payload["clock_id"]), ctx.payload.get("due_on"))


@handler(clocks.ESCALATE_JOB, max_attempts=5, backoff_base_s=60)
def clock_escalate(session: Session, ctx: JobContext) -> None:
    clocks.escalate(session, int(ctx.payload["clock_id"]), ctx.payload.get("due_on"))


@handler("plans.clock_sweep", period=timedelta(hours=24), max_attempts=3)
def clock_sweep(session: Session, ctx: JobContext) -> None:
    done = clocks.sweep(session)
    done["deemed_filed"] = filings.deem_enterprise_filings(session)
    if any(done.values()):
        log.info("plan clocks: %s", done)

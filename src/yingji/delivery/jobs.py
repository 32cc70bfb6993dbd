"""Job handlers of warning delivery: the residents' fan-out, the senders, escalation steps and the
escalation auditor. Each re-checks state inside its own transaction."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.core import clock
from yingji.delivery import escalation, issuing, pushed, recipients, sending
from yingji.delivery.codes import DeliveryState
from yingji.delivery.models import Delivery, Dispatch
from yingji.jobs.models import ALIVE, Job
from yingji.jobs.registry import JobContext, handler

RECENT = timedelta(days=3)


# Leases: the default (15 s) for the fan-out, one INSERT … SELECT whose lease the heartbeat renews
# however long it takes; 10 s for the senders, whose batches each renew it at their checkpoint.
@handler(issuing.FANOUT_JOB, max_attempts=5, backoff_base_s=5)
def fanout_residents(session: Session, ctx: JobContext) -> None:
    """Subscribed residents of the dispatch's cells → SMS deliveries (one INSERT … SELECT)."""
    dispatch_id = int(ctx.payload["dispatch_id"])
    dispatch = session.get(Dispatch, dispatch_id)
    if dispatch is None or (dispatch.targeting or {}).get("residents_done"):
        return
    n = recipients.residents(session, dispatch_id)
    dispatch.targeting = dispatch.targeting | {"residents": n, "residents_done": True}
    if n:
        issuing.ensure_sender(session, dispatch_id, "sms", "residents", issuing.SEND_PRIORITY[2])


@handler(issuing.SEND_JOB, max_attempts=20, backoff_base_s=5, backoff_max_s=300, lease_s=10)
def send(session: Session, ctx: JobContext) -> None:
    """Hand queued deliveries of one channel to it, within the job's time budget, committing each
    gateway batch's receipts as it goes (``ctx.checkpoint``)."""
    sending.run(
        session, int(ctx.payload["dispatch_id"]), str(ctx.payload["channel"]), ctx.job_id, ctx.checkpoint
    )


@handler(issuing.STEP_JOB, max_attempts=5, backoff_base_s=10)
def escalate(session: Session, ctx: JobContext) -> None:
    escalation.run_step(session, int(ctx.payload["step_id"]))


@handler("delivery.audit", period=timedelta(minutes=5), max_attempts=3)
def audit(session: Session, ctx: JobContext) -> None:
    """Repair stalled escalation steps, and restart senders of recent dispatches whose queued
    deliveries have no live send job (a job that died after all its retries)."""
    escalation.audit_steps(session)
    live = {
        (p.get("dispatch_id"), p.get("channel"))
        for p in session.scalars(
            select(Job.payload).where(Job.kind == issuing.SEND_JOB, Job.state.in_(ALIVE))
        )
    }
    slot = int(clock.now().timestamp() // 300)
    for dispatch_id in session.scalars(
        select(Dispatch.id).where(Dispatch.created_at >= clock.now() - RECENT)
    ):
        for channel in session.scalars(
            select(Delivery.channel)
            .where(Delivery.dispatch_id == dispatch_id, Delivery.state == DeliveryState.QUEUED)
            .group_by(Delivery.channel)
        ):
            if (dispatch_id, channel) not in live:
                issuing.ensure_sender(session, dispatch_id, channel, f"audit{slot}")


@handler(pushed.JOB, max_attempts=3, backoff_base_s=1)
def coverage_event(session: Session, ctx: JobContext) -> None:
    """The last coverage change of a busy second, pushed to live pages (delivery/pushed.py)."""
    pushed.publish_coverage(session, int(ctx.payload["dispatch_id"]), ctx.payload.get("place") or "")

"""The sender: one job per (dispatch, channel) takes queued deliveries in order (staff, groups,
residents), hands them to the channel in batches, and records the receipts.

- Small steps: each gateway batch (one HTTP request: the SMS gateway's ``batch_size``, one robot or
  loudspeaker message, ``STEP`` e-mails) is a step of its own: its rows are taken under lock, sent,
  and their receipts committed by ``ctx.checkpoint()`` together with a renewal of the job's lease.
  A worker killed mid-send therefore repeats at most the one batch it had in flight, and a worker
  that lost its lease stops at its next checkpoint without committing (the new owner sends).
- Idempotency: every message carries ``yj-{delivery}-{round}``; a worker killed after the gateway
  took a batch but before its step committed leaves the rows queued, and the retry hands the
  gateway the same keys, which it recognises.
- Rate limits: a provider endpoint (SMS gateway, SMTP server) and each robot or loudspeaker has
  ``rate_per_s``; sending reserves time on the endpoint row under its lock (``next_free_at``), so
  any number of workers together keep to the limit; when the budget is used the job continues later.
- Retries: a transport failure fails the job (the queue retries with backoff, same keys); a message
  the channel leaves queued is tried again by a continuation after a backoff; after
  ``MAX_ATTEMPTS`` it is failed.
- A job works for at most ``JOB_SECONDS`` and then hands over to a continuation, so other
  dispatches and channels get their turn; a step holds its transaction (and SQLite's write lock)
  for one batch only.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from yingji.core import clock
from yingji.delivery import pushed, signing
from yingji.delivery.codes import REACHED, DeliveryState
from yingji.delivery.issuing import SEND_JOB
from yingji.delivery.models import ChannelEndpoint, Delivery, Dispatch, delivery_key
from yingji.drills import sandbox
from yingji.jobs import queue
from yingji.notify import adapters
from yingji.notify.adapter_base import ChannelUnavailable
from yingji.notify.channels import Message, Receipt, ReceiptState
from yingji.notify.inbox import InboxChannel
from yingji.org.codes import ancestors
from yingji.warnings.hooks import WarningEvent

JOB_SECONDS = 2.0
SLICE_SECONDS = 1.0  # the share of the rate budget reserved at a time
CHUNK = 5000  # deliveries read per round trip (and per step of the inbox, which is our own table)
STEP = 50  # messages per step for channels without a batch size of their own (e-mail)
MAX_ATTEMPTS = 5
RETRY_AFTER = timedelta(seconds=30)
# A gateway receipt's status → the delivery's state.
STATE_OF_RECEIPT = {
    "sent": DeliveryState.SENT.value,
    "duplicate": DeliveryState.SENT.value,
    "delivered": DeliveryState.DELIVERED.value,
    "failed": DeliveryState.FAILED.value,
}


@dataclass
class Outcome:
    sent: int = 0
    failed: int = 0
    retry: int = 0
    more: bool = False
    wait: timedelta = timedelta(0)

    def add(self, other: Outcome) -> None:
        self.sent += other.sent
        self.failed += other.failed
        self.retry += other.retry


def provider_for(session: Session, kind: str, code: str) -> ChannelEndpoint | None:
    """The nearest enabled provider endpoint of ``kind`` at or above ``code``."""
    chain = [*ancestors(code), code] if code else []
    rows = session.scalars(
        select(ChannelEndpoint).where(
            ChannelEndpoint.kind == kind,
            ChannelEndpoint.enabled,
            ChannelEndpoint.jurisdiction_code.in_(chain),
        )
    ).all()
    return max(rows, key=lambda e: (len(e.jurisdiction_code), e.id), default=None)


def _queued(session: Session, dispatch_id: int, channel: str, limit: int) -> list:
    stmt = (
        select(
            Delivery.id,
            Delivery.recipient_kind,
            Delivery.recipient_id,
            Delivery.address,
            Delivery.round,
            Delivery.tier,
            Delivery.purpose,
            Delivery.attempts,
            Delivery.cell_code,
        )
        .where(
            Delivery.dispatch_id == dispatch_id,
            Delivery.channel == channel,
            Delivery.state == DeliveryState.QUEUED,
        )
        .order_by(Delivery.tier, Delivery.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return session.execute(stmt).all()


def _lock(session: Session, endpoint_id: int) -> ChannelEndpoint:
    return session.scalar(
        select(ChannelEndpoint)
        .where(ChannelEndpoint.id == endpoint_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _reserve(endpoint: ChannelEndpoint, count: int) -> None:
    now = clock.now()
    start = max(now, endpoint.next_free_at or now)
    endpoint.next_free_at = start + timedelta(seconds=count / max(endpoint.rate_per_s, 0.001))


def _wait_of(endpoint: ChannelEndpoint) -> timedelta:
    now = clock.now()
    return max((endpoint.next_free_at or now) - now, timedelta(0))


def _message(dispatch: Dispatch, channel: str, row, secret: str) -> Message:
    texts = dispatch.content or {}
    key = delivery_key(row.id, row.round)
    severity = "urgent" if dispatch.level in ("red", "orange") else "warning"
    staff = row.recipient_kind in ("person", "user")
    if row.purpose == "warning":
        body = texts.get("sms", "")
        if staff and dispatch.event != WarningEvent.LIFTED and channel == "sms":
            body = f"{body} {texts.get('ack_hint', '')}{signing.link(secret, row.id)}"
    else:
        body = texts.get(row.purpose, texts.get("sms", ""))
        if channel == "sms":
            body = f"{body} {signing.public_url()}/field"
    subject = texts.get("subject", dispatch.headline)
    if channel in adapters.TARGET_KINDS:
        body = texts.get("tts" if channel == "broadcast" else "markdown", body)
    if dispatch.drill_id is not None:
        subject, body = sandbox.tag() + subject, sandbox.tag() + body
    return Message(
        recipient_user_id=row.recipient_id if row.recipient_kind == "user" else None,
        subject=subject,
        body=body,
        link=f"/field?dispatch={dispatch.id}" if staff else None,
        category="warning",
        severity=severity,
        jurisdiction_code=row.cell_code,
        key=key,
        address=row.address,
    )


def record(session: Session, rows: list, receipts: list[Receipt]) -> Outcome:
    """Write the receipts back (only onto rows still queued: an acknowledgement wins)."""
    by_key = {delivery_key(r.id, r.round): r for r in rows}
    now = clock.now()
    groups: dict[tuple[str, str | None], list[int]] = defaultdict(list)
    out = Outcome()
    for receipt in receipts:
        row = by_key.get(receipt.key or "")
        if row is None:
            continue
        state = STATE_OF_RECEIPT.get(receipt.state)
        if state is None:  # left queued by the channel
            state = (
                DeliveryState.FAILED.value if row.attempts + 1 >= MAX_ATTEMPTS else DeliveryState.QUEUED.value
            )
            out.retry += state == DeliveryState.QUEUED
        out.sent += state in REACHED
        out.failed += state == DeliveryState.FAILED
        groups[(state, (receipt.detail or "")[:200] or None)].append(row.id)
    for (state, detail), ids in groups.items():
        values: dict = {"state": state, "attempts": Delivery.attempts + 1, "detail": detail}
        if state in REACHED:
            values["sent_at"] = now
        if state == DeliveryState.DELIVERED:
            values["delivered_at"] = now
        for i in range(0, len(ids), CHUNK):
            session.execute(
                update(Delivery)
                .where(Delivery.id.in_(ids[i : i + CHUNK]), Delivery.state == DeliveryState.QUEUED)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
    return out


def fail_all(session: Session, dispatch_id: int, channel: str, detail: str) -> int:
    """No channel to send through: say so on every queued delivery of the channel."""
    return (
        session.execute(
            update(Delivery)
            .where(
                Delivery.dispatch_id == dispatch_id,
                Delivery.channel == channel,
                Delivery.state == DeliveryState.QUEUED,
            )
            .values(state=DeliveryState.FAILED.value, detail=detail[:200], attempts=Delivery.attempts + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
        or 0
    )


def _continue(session: Session, dispatch_id: int, channel: str, job_id: int, wait: timedelta) -> None:
    queue.enqueue(
        session,
        SEND_JOB,
        {"dispatch_id": dispatch_id, "channel": channel},
        due_at=clock.now() + wait,
        dedupe_key=f"{SEND_JOB}:{dispatch_id}:{channel}:after{job_id}",
        priority=10,
    )


def run(
    session: Session,
    dispatch_id: int,
    channel: str,
    job_id: int,
    checkpoint: Callable[[], None] | None = None,
) -> Outcome:
    """Send what is queued on one channel of one dispatch, within this job's time budget.

    ``checkpoint`` (the job's ``ctx.checkpoint``) commits each batch's receipts as it is recorded;
    without it everything commits with the caller's transaction."""
    dispatch = session.get(Dispatch, dispatch_id)
    if dispatch is None:
        return Outcome()
    step = checkpoint or (lambda: None)
    if dispatch.drill_id is not None and channel != "inbox":
        outcome = _run_sandbox(session, dispatch, channel, step)
    elif channel in adapters.TARGET_KINDS:
        outcome = _run_targets(session, dispatch, channel, step)
    else:
        outcome = _run_provided(session, dispatch, channel, step)
    if outcome.more or outcome.retry:
        wait = RETRY_AFTER if outcome.retry and not outcome.more else timedelta(0)
        _continue(session, dispatch_id, channel, job_id, max(wait, outcome.wait))
    return outcome


def _step_size(channel: str, sender) -> int:
    """Messages per committed step: one gateway batch, so that a crash repeats at most one."""
    if channel == "inbox":
        return CHUNK
    return max(1, min(CHUNK, int(getattr(sender.config, "batch_size", STEP))))


def _run_provided(
    session: Session, dispatch: Dispatch, channel: str, checkpoint: Callable[[], None]
) -> Outcome:
    endpoint_id = None
    if channel == "inbox":
        sender = InboxChannel()
    else:
        found = provider_for(session, channel, dispatch.jurisdiction_code)
        if found is None:
            n = fail_all(
                session, dispatch.id, channel, f"no enabled {channel} endpoint for this jurisdiction"
            )
            return Outcome(failed=n)
        endpoint_id = found.id
        sender = adapters.build(channel, found.config)
    step = _step_size(channel, sender)
    secret = signing.app_secret()
    total = Outcome()
    started = time.monotonic()
    while time.monotonic() - started < JOB_SECONDS:
        limit, endpoint = step, None
        if endpoint_id is not None:
            # Locked for this step only: senders sharing the endpoint take turns batch by batch.
            endpoint = _lock(session, endpoint_id)
            wait = _wait_of(endpoint)
            if wait > timedelta(seconds=0.2):
                total.more, total.wait = True, wait
                return total
            limit = max(1, min(step, int(endpoint.rate_per_s * SLICE_SECONDS)))
        rows = _queued(session, dispatch.id, channel, limit)
        if not rows:
            return total
        if endpoint is not None:
            _reserve(endpoint, len(rows))
        try:
            receipts = sender.send(session, [_message(dispatch, channel, r, secret) for r in rows])
        except ChannelUnavailable:
            if not total.sent and not total.failed:
                raise  # nothing done: the job fails and the queue retries it with backoff
            total.retry += len(rows)  # keep what went out; the rest after a pause
            return total
        got = record(session, rows, receipts)
        total.add(got)
        pushed.coverage_changed(session, dispatch.id)
        checkpoint()  # this batch's receipts commit now: a crash from here on never repeats it
        if got.retry:
            return total
    total.more = True
    return total


def _run_sandbox(
    session: Session, dispatch: Dispatch, channel: str, checkpoint: Callable[[], None]
) -> Outcome:
    """A drill's dispatch: every queued message of the channel goes to the sandbox, none to a gateway."""
    sender = sandbox.SandboxChannel(dispatch.drill_id, dispatch.jurisdiction_code, channel, dispatch.id)
    secret = signing.app_secret()
    total = Outcome()
    while rows := _queued(session, dispatch.id, channel, CHUNK):
        total.add(
            record(
                session, rows, sender.send(session, [_message(dispatch, channel, r, secret) for r in rows])
            )
        )
        pushed.coverage_changed(session, dispatch.id)
        checkpoint()
    return total


def _take(session: Session, row_id: int) -> bool:
    """Whether a delivery is still queued and now locked by this step (PostgreSQL: not by another
    sender of the same channel, which skips it)."""
    stmt = select(Delivery.id).where(Delivery.id == row_id, Delivery.state == DeliveryState.QUEUED)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return session.scalar(stmt) is not None


def _run_targets(
    session: Session, dispatch: Dispatch, channel: str, checkpoint: Callable[[], None]
) -> Outcome:
    """Robots and loudspeakers: one message per endpoint, each under its own rate limit, each its
    own step."""
    rows = _queued(session, dispatch.id, channel, CHUNK)
    secret = signing.app_secret()
    total = Outcome()
    for row in rows:
        # The rows were read in an earlier step whose locks the checkpoints released: take each
        # again before sending it.
        if not _take(session, row.id):
            continue
        endpoint = _lock(session, row.recipient_id)
        if endpoint is None or not endpoint.enabled:
            session.execute(
                update(Delivery)
                .where(Delivery.id == row.id, Delivery.state == DeliveryState.QUEUED)
                .values(
                    state=DeliveryState.FAILED.value,
                    detail="endpoint disabled or removed",
                    attempts=Delivery.attempts + 1,
                )
            )
            total.failed += 1
            continue
        if _wait_of(endpoint) > timedelta(seconds=0.2):
            total.more, total.wait = True, _wait_of(endpoint)
            continue
        _reserve(endpoint, 1)
        message = _message(dispatch, channel, row, secret)
        try:
            receipts = adapters.build(channel, endpoint.config).send(session, [message])
        except ChannelUnavailable as exc:
            receipts = [Receipt(message.key, ReceiptState.QUEUED, channel, str(exc)[:200])]
        total.add(record(session, [row], receipts))
        pushed.coverage_changed(session, dispatch.id)
        checkpoint()
    return total

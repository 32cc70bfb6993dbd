"""Warning timers and polling: expiry at ``expires`` (a row made at publish), upstream feeds."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.core import clock
from yingji.jobs import queue
from yingji.jobs.registry import JobContext, handler
from yingji.warnings import feeds, lifecycle
from yingji.warnings.models import WarningFeed


@handler("warnings.expire", max_attempts=10, backoff_base_s=5)
def expire_warning(session: Session, ctx: JobContext) -> None:
    """Expire the warning if it is still published and past ``expires`` (else nothing to do)."""
    lifecycle.expire(session, int(ctx.payload["warning_id"]))


@handler("warnings.poll_feeds", period=timedelta(minutes=1), max_attempts=3)
def schedule_feed_polls(session: Session, ctx: JobContext) -> None:
    """Queue one poll per enabled feed whose interval has passed (one per feed and minute)."""
    slot = int(clock.now().timestamp() // 60)
    for feed in feeds.due_feeds(session):
        queue.enqueue(
            session,
            "warnings.poll_feed",
            {"feed_id": feed.id},
            dedupe_key=f"warnings.poll_feed:{feed.id}:{slot}",
        )


@handler("warnings.poll_feed", max_attempts=3, backoff_base_s=30, lease_s=120)
def poll_feed(session: Session, ctx: JobContext) -> None:
    """Fetch one upstream feed and import its new messages."""
    feed = session.scalar(
        select(WarningFeed).where(WarningFeed.id == int(ctx.payload["feed_id"])).with_for_update()
    )
    if feed is None or not feed.enabled:
        return
    feeds.poll(session, feed)

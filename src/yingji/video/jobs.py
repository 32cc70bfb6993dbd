"""Job handlers of video linkage: forget clip uploads a phone abandoned (and their partial files)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from yingji.config import load_settings
from yingji.jobs.registry import JobContext, handler
from yingji.video import clips


@handler("video.expire_uploads", period=timedelta(hours=6), max_attempts=3)
def expire_uploads(session: Session, ctx: JobContext) -> None:
    """Uploads left open for days: the worker runs with the server's settings, so the same var dir."""
    clips.expire(session, clips.dir_of(load_settings()))

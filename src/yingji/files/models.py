"""The file jobs table: one row per large export or import, with its progress and its file."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core import clock
from yingji.core.models import Base, IdMixin
from yingji.core.types import BigId, CodeStr, JSONType


class FileJobState(StrEnum):
    """queued → running → done or failed; done and failed jobs expire (their file is removed)."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    EXPIRED = "expired"


STATES = tuple(FileJobState)
LIVE = (FileJobState.QUEUED, FileJobState.RUNNING)  # the worker has yet to finish it


class FileJob(IdMixin, Base):
    """A large export (the file is written by the worker) or import (the upload is applied by it).

    Not an audited table: progress is written every few thousand rows. What matters is audited
    where it happens: the import's changes and summary, and every download of the file."""

    __tablename__ = "file_jobs"
    __table_args__ = (
        Index("ix_file_jobs_user", "user_id", "id"),
        Index("ix_file_jobs_expiry", "state", "expires_at"),
    )

    direction: Mapped[str] = mapped_column(String(8))  # export | import
    kind: Mapped[str] = mapped_column(String(40))  # a registered kind, e.g. risk_enterprises
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))
    # The place the file is about (the requester's own, or the narrower one asked for): administrators
    # whose jurisdiction covers it may download the file too.
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)
    params: Mapped[dict] = mapped_column(JSONType, default=dict)
    locale: Mapped[str] = mapped_column(String(10), default="zh_CN")
    state: Mapped[str] = mapped_column(String(12), default=FileJobState.QUEUED.value)
    total: Mapped[int | None] = mapped_column(Integer)  # rows expected (estimate for exports)
    done: Mapped[int] = mapped_column(Integer, default=0)  # rows written or checked so far
    filename: Mapped[str] = mapped_column(String(200))  # the download's name, or the uploaded file's
    path: Mapped[str | None] = mapped_column(String(500))  # on disk, under the var directory
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    result: Mapped[dict | None] = mapped_column(JSONType)  # an import's counts or its row errors
    message: Mapped[str | None] = mapped_column(String(300))  # why it failed: an English message id
    message_params: Mapped[dict | None] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column()

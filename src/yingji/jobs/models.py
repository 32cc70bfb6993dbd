"""The jobs table: one row per unit of deferred work, with its lease and retry state."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index, Integer, SmallInteger, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core import clock
from yingji.core.models import Base, IdMixin, one_of
from yingji.core.types import JSONType


class JobState(StrEnum):
    """queued → running → done; a failed run goes back to queued (with backoff) or, out of attempts,
    to dead; a queued job may be cancelled. SQL text that must match a partial index keeps the
    literal ('queued', 'running'): a bound parameter would not prove the index applies."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    DEAD = "dead"
    CANCELLED = "cancelled"


ALIVE = (JobState.QUEUED, JobState.RUNNING)


class Job(IdMixin, Base):
    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint(one_of("state", JobState), name="state"),
        # The auditor's scan: running rows by lease end.
        Index(
            "ix_jobs_running",
            "lease_expires_at",
            postgresql_where=text("state = 'running'"),
            sqlite_where=text("state = 'running'"),
        ),
    )

    kind: Mapped[str] = mapped_column(String(64), index=True)
    payload: Mapped[dict] = mapped_column(JSONType, default=dict)
    state: Mapped[str] = mapped_column(String(10), default=JobState.QUEUED)
    priority: Mapped[int] = mapped_column(SmallInteger, default=0)
    due_at: Mapped[datetime] = mapped_column(default=clock.now)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=5)
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_token: Mapped[str | None] = mapped_column(String(32))
    lease_expires_at: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    # Enqueueing the same key twice gives one job (used by periodic jobs and idempotent callers).
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)
    finished_at: Mapped[datetime | None] = mapped_column()


# The claim's order over the queued rows only: a claim reads the first due rows of this index and
# never sorts, and finished rows (most of the table) are not in it. Queries must spell the state as
# a literal ('queued', not a bound parameter) for either database to prove that the index applies.
Index(
    "ix_jobs_queued",
    Job.priority.desc(),
    Job.due_at,
    Job.id,
    postgresql_where=text("state = 'queued'"),
    sqlite_where=text("state = 'queued'"),
)

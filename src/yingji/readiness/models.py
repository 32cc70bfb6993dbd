"""Readiness tables.

- ``readiness_confirmations``: an item of a place's scorecard confirmed by hand (who, when, a note,
  whether it overrides a computed item that is not met), in force until its ``expires_on`` (the end
  of the year it was made) unless withdrawn; the newest in force counts.
- ``readiness_evidence``: files (photos, PDF, Word, Excel) attached to a confirmation or a meeting,
  kept by content hash under ``<var>/uploads/readiness``.
- ``readiness_meetings``: the town's quarterly 应急例会 (seed 002 863 (3)) with ``year`` and
  ``quarter`` kept from its date, so "a meeting in every quarter" is one grouped count.
- ``readiness_followups``: the follow-ups a meeting decided (owner, deadline, state).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from yingji.core import clock
from yingji.core.models import Audited, Base, IdMixin, TimestampMixin, one_of
from yingji.core.types import BigId, CodeStr
from yingji.readiness.codes import FollowUpState


class Confirmation(IdMixin, Audited, Base):
    __tablename__ = "readiness_confirmations"
    __table_args__ = (
        Index("ix_readiness_confirmations_place", "jurisdiction_code", "item_ref", "expires_on"),
        CheckConstraint("level IN ('town', 'village')", name="level"),
    )

    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey("jurisdictions.code"))
    level: Mapped[str] = mapped_column(String(10))
    item_ref: Mapped[str] = mapped_column(String(60))  # "<model>.<item>"
    note: Mapped[str] = mapped_column(Text)
    override: Mapped[bool] = mapped_column(Boolean, default=False)
    confirmed_by: Mapped[str] = mapped_column(String(100))
    confirmed_by_user_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    confirmed_at: Mapped[datetime] = mapped_column(default=clock.now)
    expires_on: Mapped[date] = mapped_column(Date)
    withdrawn_at: Mapped[datetime | None] = mapped_column()
    withdrawn_by: Mapped[str | None] = mapped_column(String(100))

    evidence = relationship("Evidence", lazy="selectin", order_by="Evidence.id")


class Meeting(IdMixin, TimestampMixin, Audited, Base):
    __tablename__ = "readiness_meetings"
    __table_args__ = (
        Index("ix_readiness_meetings_place_year", "jurisdiction_code", "year", "quarter"),
        CheckConstraint("quarter BETWEEN 1 AND 4", name="quarter"),
    )

    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey("jurisdictions.code"))
    held_on: Mapped[date] = mapped_column(Date)
    year: Mapped[int] = mapped_column(Integer)
    quarter: Mapped[int] = mapped_column(SmallInteger)
    title: Mapped[str] = mapped_column(String(200))
    place: Mapped[str | None] = mapped_column(String(200))
    chair: Mapped[str | None] = mapped_column(String(60))
    attendees: Mapped[str] = mapped_column(Text)  # one a line: name and post
    agenda: Mapped[str] = mapped_column(Text)
    situation: Mapped[str | None] = mapped_column(Text)  # 研判安全形势
    decisions: Mapped[str | None] = mapped_column(Text)  # 部署重点工作
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_by_user_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    client_key: Mapped[str | None] = mapped_column(String(64), unique=True)

    followups = relationship(
        "FollowUp", lazy="selectin", order_by="FollowUp.id", cascade="all, delete-orphan"
    )
    evidence = relationship("Evidence", lazy="selectin", order_by="Evidence.id")


class FollowUp(IdMixin, TimestampMixin, Audited, Base):
    __tablename__ = "readiness_followups"
    __table_args__ = (
        CheckConstraint(one_of("state", FollowUpState), name="state"),
        Index("ix_readiness_followups_scope_state", "jurisdiction_code", "state", "due_on"),
    )

    meeting_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("readiness_meetings.id", ondelete="CASCADE"), index=True
    )
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)  # the meeting's
    text: Mapped[str] = mapped_column(Text)
    owner_name: Mapped[str] = mapped_column(String(100))
    owner_user_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    due_on: Mapped[date | None] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(6), default=FollowUpState.OPEN.value)
    closed_at: Mapped[datetime | None] = mapped_column()
    closed_by: Mapped[str | None] = mapped_column(String(100))
    close_note: Mapped[str | None] = mapped_column(Text)


class Evidence(IdMixin, Audited, Base):
    __tablename__ = "readiness_evidence"
    __table_args__ = (
        CheckConstraint("kind IN ('photo', 'document')", name="kind"),
        CheckConstraint("(confirmation_id IS NULL) <> (meeting_id IS NULL)", name="one_owner"),
    )

    confirmation_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("readiness_confirmations.id", ondelete="CASCADE"), index=True
    )
    meeting_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("readiness_meetings.id", ondelete="CASCADE"), index=True
    )
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)
    kind: Mapped[str] = mapped_column(String(8))
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(100))
    extension: Mapped[str] = mapped_column(String(8))
    size_bytes: Mapped[int] = mapped_column(Integer)
    original_name: Mapped[str | None] = mapped_column(String(200))
    uploaded_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

"""Training and publicity tables (RULES2 §13).

- ``training_courses``: what is taught (mode, 学时, topics, the roles it is meant for).
- ``training_sessions``: one holding of a course (dates, place, organiser, teacher, materials).
- ``training_participants``: the training file of a session (安全生产法 第二十八条: 时间, 内容, 参加人员,
  考核结果), one row per person and session. ``ref_key`` names the person across registries
  (``p:<person>``, ``m:<member>``, ``e:<enterprise>:<role>``, ``o:<officer>``, ``x:<name>|<mobile>``):
  unique per session (a second sign-in is the same row), and what "distinct people" counts.
  ``home_code`` is the participant's own place (coverage and obligations count by it); ``year`` and
  ``held_on`` are the session's, copied so that coverage is one indexed scan of this table.
- ``publicity_events`` (宣传活动: 五进, the national days) with ``publicity_photos``.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core import clock
from yingji.core.models import Audited, Base, IdMixin, TimestampMixin, one_of
from yingji.core.types import BigId, CodeStr, UTCDateTime
from yingji.training.codes import CourseMode, ParticipantKind, Result, Role, SessionState, Via


class TrainingCourse(IdMixin, TimestampMixin, Audited, Base):
    __tablename__ = "training_courses"
    __table_args__ = (
        CheckConstraint(one_of("mode", CourseMode), name="mode"),
        CheckConstraint("hours >= 0", name="hours"),
    )

    title: Mapped[str] = mapped_column(String(200))
    mode: Mapped[str] = mapped_column(String(10))
    hours: Mapped[float] = mapped_column(Float, default=0)  # 学时
    topics: Mapped[str | None] = mapped_column(String(300))
    audience: Mapped[str] = mapped_column(String(300), default="")  # comma-separated Role codes
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey("jurisdictions.code"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    note: Mapped[str | None] = mapped_column(Text)


class TrainingSession(IdMixin, TimestampMixin, Audited, Base):
    __tablename__ = "training_sessions"
    __table_args__ = (
        CheckConstraint(one_of("mode", CourseMode), name="mode"),
        CheckConstraint(one_of("state", SessionState), name="state"),
        CheckConstraint("ends_on >= starts_on", name="dates"),
        CheckConstraint("hours >= 0", name="hours"),
        Index("ix_training_sessions_scope_day", "jurisdiction_code", "starts_on"),
    )

    course_id: Mapped[int] = mapped_column(BigId, ForeignKey("training_courses.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    mode: Mapped[str] = mapped_column(String(10))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str | None] = mapped_column(String(200))
    organiser_unit_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("units.id"), index=True)
    organiser: Mapped[str | None] = mapped_column(String(120))
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey("jurisdictions.code"))
    teacher: Mapped[str | None] = mapped_column(String(120))
    hours: Mapped[float] = mapped_column(Float, default=0)  # each participant's default 学时
    materials: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(10), default=SessionState.PLANNED.value)
    drill_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("drills.id"), index=True)
    note: Mapped[str | None] = mapped_column(Text)


class TrainingParticipant(IdMixin, Audited, Base):
    __tablename__ = "training_participants"
    __table_args__ = (
        CheckConstraint(one_of("kind", ParticipantKind), name="kind"),
        CheckConstraint(one_of("role", Role), name="role"),
        CheckConstraint(one_of("result", Result), name="result"),
        CheckConstraint(one_of("via", Via), name="via"),
        CheckConstraint("hours >= 0", name="hours"),
        UniqueConstraint("session_id", "ref_key", name="uq_training_participants_session_ref"),
        Index("ix_training_participants_home_year", "home_code", "year"),
        Index("ix_training_participants_scope_year", "jurisdiction_code", "year"),
    )

    session_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("training_sessions.id", ondelete="CASCADE"), index=True
    )
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)  # the session's
    home_code: Mapped[str] = mapped_column(CodeStr)  # the participant's own place
    year: Mapped[int] = mapped_column(SmallInteger)
    held_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(10))
    role: Mapped[str] = mapped_column(String(16))
    ref_key: Mapped[str] = mapped_column(String(120))
    person_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("people.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("team_members.id"), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("risk_enterprises.id"), index=True)
    officer_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("disaster_officers.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    mobile: Mapped[str | None] = mapped_column(String(20))
    unit_name: Mapped[str | None] = mapped_column(String(200))
    hours: Mapped[float] = mapped_column(Float, default=0)
    result: Mapped[str] = mapped_column(String(10), default=Result.PENDING.value)
    score: Mapped[float | None] = mapped_column(Float)
    via: Mapped[str] = mapped_column(String(8), default=Via.DESK.value)
    client_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    signed_in_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    signed_in_by: Mapped[int | None] = mapped_column(BigId)


class PublicityEvent(IdMixin, TimestampMixin, Audited, Base):
    __tablename__ = "publicity_events"
    __table_args__ = (
        CheckConstraint("audience >= 0", name="audience"),
        CheckConstraint("materials >= 0", name="materials"),
        Index("ix_publicity_events_scope_day", "jurisdiction_code", "held_on"),
    )

    title: Mapped[str] = mapped_column(String(200))
    target: Mapped[str] = mapped_column(String(16))  # rules/publicity_calendar.json targets (五进 / 七进)
    day: Mapped[str | None] = mapped_column(String(40))  # a national day or campaign, if on one
    held_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str | None] = mapped_column(String(200))
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey("jurisdictions.code"))
    organiser: Mapped[str | None] = mapped_column(String(120))
    audience: Mapped[int] = mapped_column(Integer, default=0)  # 受众人数
    materials: Mapped[int] = mapped_column(Integer, default=0)  # 发放资料(份)
    materials_note: Mapped[str | None] = mapped_column(String(300))
    note: Mapped[str | None] = mapped_column(Text)
    client_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_by: Mapped[int | None] = mapped_column(BigId)


class PublicityPhoto(IdMixin, Audited, Base):
    __tablename__ = "publicity_photos"
    __table_args__ = (UniqueConstraint("event_id", "sha256", name="uq_publicity_photos_event_sha256"),)

    event_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("publicity_events.id", ondelete="CASCADE"), index=True
    )
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(20))
    size_bytes: Mapped[int] = mapped_column(Integer)
    caption: Mapped[str | None] = mapped_column(String(200))
    uploaded_by: Mapped[int | None] = mapped_column(BigId)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

"""Hidden-danger tables (事故隐患): the danger and its place in the loop, the 重大 rectification plan,
the append-only event log, and the photos before and after.

The loop 排查 → 登记 → 分级 → 整改 → 复查验收 → 销号 is ``loop.TRANSITIONS``; the danger row keeps the
time each step was reached (the ledger and the statistics read them without joining the log).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
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
from yingji.core.types import BigId, CodeStr, JSONType


class DangerStatus(StrEnum):
    """The hidden-danger loop's states (``loop.TRANSITIONS`` moves between them); the values are
    what the database and the API hold."""

    FOUND = "found"  # 排查发现
    REGISTERED = "registered"  # 登记
    GRADED = "graded"  # 分级
    RECTIFYING = "rectifying"  # 整改
    REVIEWING = "reviewing"  # 复查
    ACCEPTED = "accepted"  # 验收
    CLOSED = "closed"  # 销号
    DISMISSED = "dismissed"  # 不予登记


STATUSES = tuple(DangerStatus)
OPEN_STATUSES = (
    DangerStatus.FOUND,
    DangerStatus.REGISTERED,
    DangerStatus.GRADED,
    DangerStatus.RECTIFYING,
    DangerStatus.REVIEWING,
)
RECTIFIED_STATUSES = (DangerStatus.ACCEPTED, DangerStatus.CLOSED)
SOURCES = ("inspection", "grid", "enterprise", "public")


class Danger(IdMixin, TimestampMixin, Audited, Base):
    """A hidden danger (事故隐患) and where it stands in the closed loop."""

    __tablename__ = "risk_dangers"
    # Reporters' names and numbers (the public's above all) stay out of the audit snapshots.
    __audit_exclude__ = frozenset({"reporter_name", "reporter_phone"})
    __table_args__ = (
        CheckConstraint(one_of("status", STATUSES), name="status"),
        CheckConstraint(one_of("source", SOURCES), name="source"),
        CheckConstraint("grade IS NULL OR grade IN ('general', 'major')", name="grade"),
        CheckConstraint("funds_cny IS NULL OR funds_cny >= 0", name="funds"),
        Index("ix_risk_dangers_scope_status", "jurisdiction_code", "status"),
        Index("ix_risk_dangers_month_scope", "found_month", "jurisdiction_code"),
    )

    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey("jurisdictions.code"))
    grid_cell_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("grid_cells.id"))
    enterprise_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("risk_enterprises.id"), index=True)
    risk_point_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("risk_points.id"))
    inspection_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("risk_inspections.id"), index=True)
    source: Mapped[str] = mapped_column(String(12))
    category: Mapped[str] = mapped_column(String(20), default="other")
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(String(200))
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(12), default=DangerStatus.FOUND.value)
    grade: Mapped[str | None] = mapped_column(String(8))  # 一般 general / 重大 major
    checklist: Mapped[dict | None] = mapped_column(JSONType)
    # 整改: who, how, with what money, by when
    responsible_party: Mapped[str | None] = mapped_column(String(200))
    responsible_person: Mapped[str | None] = mapped_column(String(60))
    responsible_phone: Mapped[str | None] = mapped_column(String(30))
    measures: Mapped[str | None] = mapped_column(Text)
    funds_cny: Mapped[int | None] = mapped_column(Integer)
    deadline: Mapped[date | None] = mapped_column(Date)
    completion_note: Mapped[str | None] = mapped_column(Text)  # 整改情况
    review_note: Mapped[str | None] = mapped_column(Text)  # 复查验收意见
    dismiss_reason: Mapped[str | None] = mapped_column(Text)
    # 督办 / 挂牌督办 and escalation: 0 none, 1 reminded, 2 level above told, 3 listed
    supervised_by: Mapped[str | None] = mapped_column(CodeStr)
    listed: Mapped[bool] = mapped_column(Boolean, default=False)
    listed_at: Mapped[datetime | None] = mapped_column()
    escalation: Mapped[int] = mapped_column(SmallInteger, default=0)
    overdue_at: Mapped[datetime | None] = mapped_column()
    # when each step was reached
    found_month: Mapped[str] = mapped_column(String(7))  # YYYY-MM of found_at, Asia/Shanghai
    found_at: Mapped[datetime] = mapped_column(default=clock.now)
    registered_at: Mapped[datetime | None] = mapped_column()
    graded_at: Mapped[datetime | None] = mapped_column()
    rectifying_at: Mapped[datetime | None] = mapped_column()
    reviewing_at: Mapped[datetime | None] = mapped_column()
    accepted_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    dismissed_at: Mapped[datetime | None] = mapped_column()
    # who reported it
    reported_by_user_id: Mapped[int | None] = mapped_column(BigId)
    reporter_name: Mapped[str | None] = mapped_column(String(60))
    reporter_phone: Mapped[str | None] = mapped_column(String(30))
    public_ref: Mapped[str | None] = mapped_column(String(16), unique=True)  # the tip-off's receipt
    client_key: Mapped[str | None] = mapped_column(String(64), unique=True)

    @property
    def number(self) -> str:
        """The ledger number people quote: YH + year found + id."""
        return f"YH{clock.to_local(self.found_at):%Y}{self.id:07d}"


class DangerPlan(IdMixin, TimestampMixin, Audited, Base):
    """The rectification plan a 重大 danger needs (治理方案), one per danger."""

    __tablename__ = "risk_danger_plans"

    danger_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("risk_dangers.id", ondelete="CASCADE"), unique=True
    )
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)
    target_tasks: Mapped[str] = mapped_column(Text)
    methods_measures: Mapped[str] = mapped_column(Text)
    funds_materials: Mapped[str] = mapped_column(Text)
    responsible_body: Mapped[str] = mapped_column(String(200))
    responsible_people: Mapped[str] = mapped_column(String(200))
    time_limit: Mapped[date] = mapped_column(Date)
    safety_measures: Mapped[str] = mapped_column(Text)
    emergency_plan: Mapped[str] = mapped_column(Text)


class DangerEvent(IdMixin, Base):
    """The danger's log (append-only): every step, reminder, escalation and photo."""

    __tablename__ = "risk_danger_events"
    __table_args__ = (
        UniqueConstraint("danger_id", "client_key", name="uq_risk_danger_events_danger_client_key"),
    )

    danger_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("risk_dangers.id", ondelete="CASCADE"), index=True
    )
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)
    at: Mapped[datetime] = mapped_column(default=clock.now)
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str | None] = mapped_column(String(12))
    actor_user_id: Mapped[int | None] = mapped_column(BigId)
    actor: Mapped[str] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict | None] = mapped_column(JSONType)
    client_key: Mapped[str | None] = mapped_column(String(64))


class DangerPhoto(IdMixin, Audited, Base):
    """A photo of the danger before (发现时) or after (整改后) rectification, stored by content hash."""

    __tablename__ = "risk_danger_photos"
    __table_args__ = (
        UniqueConstraint("danger_id", "sha256", name="uq_risk_danger_photos_danger_sha"),
        CheckConstraint("stage IN ('before', 'after')", name="stage"),
    )

    danger_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("risk_dangers.id", ondelete="CASCADE"), index=True
    )
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)
    stage: Mapped[str] = mapped_column(String(6))
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(20))
    size_bytes: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    uploaded_by_user_id: Mapped[int | None] = mapped_column(BigId)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

"""Dual-prevention tables (双重预防): enterprises and their enforcement, risk points and assessments,
hidden dangers as a closed loop, monthly village risk meetings, per-jurisdiction settings.

Every table carries ``jurisdiction_code`` so scope is one indexed range. Codes are stored; labels
come from the catalogs and the rule tables (``yingji/rules/risk_*.json``).
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
from yingji.risk.danger_models import Danger, DangerEvent, DangerPhoto, DangerPlan

LEVELS = ("major", "high", "general", "low")
LEVEL_CHECK = "level IS NULL OR level IN ('major', 'high', 'general', 'low')"
JUR_FK = "jurisdictions.code"


class EnterpriseStatus(StrEnum):
    """An enterprise's standing in the register (the ``status`` check below lists the same values)."""

    ACTIVE = "active"
    SUSPENDED = "suspended"  # ordered to stop by an inspection
    CLOSED = "closed"  # out of the plans, the map and the counts


class Enterprise(IdMixin, TimestampMixin, Audited, Base):
    """A production or business unit (生产经营单位) in the register."""

    __tablename__ = "risk_enterprises"
    __table_args__ = (
        CheckConstraint("scale IN ('large', 'medium', 'small', 'micro')", name="scale"),
        CheckConstraint(one_of("status", EnterpriseStatus), name="status"),
        CheckConstraint("enforcement_class IN ('A', 'B', 'C', 'D')", name="enforcement_class"),
        CheckConstraint("major_hazard_grade IS NULL OR major_hazard_grade BETWEEN 1 AND 4", name="mh_grade"),
        CheckConstraint(
            "risk_level IS NULL OR risk_level IN ('major', 'high', 'general', 'low')", name="risk_level"
        ),
        Index("ix_risk_enterprises_scope_class", "jurisdiction_code", "enforcement_class"),
        Index("ix_risk_enterprises_map", "risk_rank", "lon", "lat"),
    )

    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)  # 统一社会信用代码
    industry: Mapped[str] = mapped_column(String(32))
    scale: Mapped[str] = mapped_column(String(10))
    employees: Mapped[int | None] = mapped_column(Integer)
    hazardous_chemicals: Mapped[bool] = mapped_column(Boolean, default=False)  # 危险化学品
    chemicals: Mapped[str | None] = mapped_column(Text)
    major_hazard: Mapped[bool] = mapped_column(Boolean, default=False)  # 重大危险源
    major_hazard_grade: Mapped[int | None] = mapped_column(SmallInteger)
    address: Mapped[str | None] = mapped_column(String(200))
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    # scope is the (jurisdiction_code, enforcement_class) index; names are searched by substring
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey(JUR_FK))
    grid_cell_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("grid_cells.id"))
    principal_name: Mapped[str | None] = mapped_column(String(60))  # 主要负责人
    principal_phone: Mapped[str | None] = mapped_column(String(30))
    safety_manager_name: Mapped[str | None] = mapped_column(String(60))  # 安全管理人员
    safety_manager_phone: Mapped[str | None] = mapped_column(String(30))
    enforcement_class: Mapped[str] = mapped_column(String(1), default="D")  # 计划执法分类
    class_fixed: Mapped[bool] = mapped_column(Boolean, default=False)  # set by hand, not recomputed
    status: Mapped[str] = mapped_column(String(12), default=EnterpriseStatus.ACTIVE.value)
    risk_level: Mapped[str | None] = mapped_column(String(10))  # highest of its risk points
    risk_rank: Mapped[int] = mapped_column(SmallInteger, default=0)
    note: Mapped[str | None] = mapped_column(Text)


class EnforcementPlan(IdMixin, TimestampMixin, Audited, Base):
    """The yearly enforcement plan (安全生产年度监督检查计划) of one jurisdiction."""

    __tablename__ = "risk_enforcement_plans"
    __table_args__ = (
        UniqueConstraint("jurisdiction_code", "year", name="uq_risk_enforcement_plans_place_year"),
    )

    year: Mapped[int] = mapped_column(SmallInteger)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey(JUR_FK), index=True)
    name: Mapped[str] = mapped_column(String(200))
    classes: Mapped[dict] = mapped_column(JSONType)  # the classes and ratios in force when generated
    generated_at: Mapped[datetime] = mapped_column(default=clock.now)
    created_by_user_id: Mapped[int | None] = mapped_column(BigId)
    note: Mapped[str | None] = mapped_column(Text)


class PlanItem(IdMixin, Base):
    """One enterprise in a yearly plan; done once an inspection of that year is linked."""

    __tablename__ = "risk_plan_items"
    __table_args__ = (
        UniqueConstraint("plan_id", "enterprise_id", name="uq_risk_plan_items_plan_enterprise"),
        CheckConstraint("reason IN ('key', 'sampled')", name="reason"),
    )

    plan_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("risk_enforcement_plans.id", ondelete="CASCADE"), index=True
    )
    enterprise_id: Mapped[int] = mapped_column(BigId, ForeignKey("risk_enterprises.id"), index=True)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)
    enforcement_class: Mapped[str] = mapped_column(String(1))
    reason: Mapped[str] = mapped_column(String(8))
    planned_month: Mapped[int] = mapped_column(SmallInteger)
    inspection_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("risk_inspections.id"))
    done_at: Mapped[datetime | None] = mapped_column()


class Inspection(IdMixin, TimestampMixin, Audited, Base):
    """An inspection or enforcement visit (监督检查/执法检查) and what came of it."""

    __tablename__ = "risk_inspections"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('planned', 'random', 'special', 'complaint', 'review', 'grid')", name="kind"
        ),
        Index("ix_risk_inspections_scope_at", "jurisdiction_code", "inspected_at"),
    )

    enterprise_id: Mapped[int] = mapped_column(BigId, ForeignKey("risk_enterprises.id"), index=True)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)
    kind: Mapped[str] = mapped_column(String(10))
    inspected_at: Mapped[datetime] = mapped_column()
    inspectors: Mapped[str] = mapped_column(String(200))
    inspector_user_id: Mapped[int | None] = mapped_column(BigId)
    findings: Mapped[str | None] = mapped_column(Text)
    dangers_found: Mapped[int] = mapped_column(Integer, default=0)
    orders: Mapped[list | None] = mapped_column(JSONType)  # codes: rectify, stop_use, suspend, fine …
    penalty_cny: Mapped[int | None] = mapped_column(Integer)
    document_no: Mapped[str | None] = mapped_column(String(60))  # 执法文书号
    client_key: Mapped[str | None] = mapped_column(String(64), unique=True)


class RiskPoint(IdMixin, TimestampMixin, Audited, Base):
    """A risk point (风险点) of an enterprise or a public place, with its controls (分级管控)."""

    __tablename__ = "risk_points"
    __table_args__ = (
        CheckConstraint(LEVEL_CHECK, name="level"),
        CheckConstraint("control_level IN ('company', 'workshop', 'team', 'post')", name="control_level"),
        CheckConstraint("enterprise_id IS NOT NULL OR place_kind IS NOT NULL", name="owner"),
        Index("ix_risk_points_map", "risk_rank", "lon", "lat"),
    )

    enterprise_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("risk_enterprises.id"), index=True)
    place_kind: Mapped[str | None] = mapped_column(String(20))  # public places (公共场所)
    name: Mapped[str] = mapped_column(String(200))
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey(JUR_FK), index=True)
    grid_cell_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("grid_cells.id"))
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    hazards: Mapped[str | None] = mapped_column(Text)  # 危险有害因素
    accident_types: Mapped[str | None] = mapped_column(String(200))
    measures: Mapped[str | None] = mapped_column(Text)  # 管控措施
    control_level: Mapped[str] = mapped_column(String(10), default="team")
    responsible_name: Mapped[str | None] = mapped_column(String(60))
    responsible_phone: Mapped[str | None] = mapped_column(String(30))
    method: Mapped[str | None] = mapped_column(String(4))
    score: Mapped[float | None] = mapped_column(Float)
    level: Mapped[str | None] = mapped_column(String(10))
    risk_rank: Mapped[int] = mapped_column(SmallInteger, default=0)
    assessed_at: Mapped[datetime | None] = mapped_column()
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class RiskAssessment(IdMixin, Audited, Base):
    """One assessment of a risk point (append-only): LEC or LS, the score and the banding used."""

    __tablename__ = "risk_assessments"
    __table_args__ = (
        CheckConstraint("method IN ('LEC', 'LS')", name="method"),
        CheckConstraint(LEVEL_CHECK, name="level"),
    )

    risk_point_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("risk_points.id", ondelete="CASCADE"), index=True
    )
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)
    method: Mapped[str] = mapped_column(String(4))
    l_value: Mapped[float] = mapped_column(Float)
    e_value: Mapped[float | None] = mapped_column(Float)
    c_value: Mapped[float | None] = mapped_column(Float)
    s_value: Mapped[float | None] = mapped_column(Float)
    score: Mapped[float] = mapped_column(Float)
    band: Mapped[str | None] = mapped_column(String(12))  # LEC danger band
    level: Mapped[str] = mapped_column(String(10))
    banding: Mapped[str] = mapped_column(String(20))  # e.g. "LEC:A", "LS:standard"
    assessed_by_user_id: Mapped[int | None] = mapped_column(BigId)
    assessor: Mapped[str | None] = mapped_column(String(100))
    assessed_at: Mapped[datetime] = mapped_column(default=clock.now)
    note: Mapped[str | None] = mapped_column(Text)


class RiskSetting(TimestampMixin, Audited, Base):
    """Local choices for one jurisdiction; an empty field inherits from the nearest ancestor."""

    __tablename__ = "risk_settings"
    __table_args__ = (
        CheckConstraint("lec_mapping IS NULL OR lec_mapping IN ('A', 'B')", name="lec_mapping"),
        CheckConstraint("ls_banding IS NULL OR ls_banding IN ('standard', 'alternative')", name="ls_banding"),
    )

    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey(JUR_FK), primary_key=True)
    lec_mapping: Mapped[str | None] = mapped_column(String(1))
    ls_banding: Mapped[str | None] = mapped_column(String(12))
    remind_days: Mapped[int | None] = mapped_column(SmallInteger)
    enforcement: Mapped[dict | None] = mapped_column(JSONType)
    source: Mapped[str | None] = mapped_column(String(200))  # the local document that sets them


class Meeting(IdMixin, TimestampMixin, Audited, Base):
    """The monthly village risk meeting (村级风险研判会): minutes, decisions, reported upward."""

    __tablename__ = "risk_meetings"
    __table_args__ = (
        UniqueConstraint("jurisdiction_code", "month", name="uq_risk_meetings_village_month"),
        Index("ix_risk_meetings_month_scope", "month", "jurisdiction_code"),
    )

    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey(JUR_FK), index=True)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM, Asia/Shanghai
    held_on: Mapped[date] = mapped_column(Date)
    host: Mapped[str] = mapped_column(String(60))  # 村级应急协管员
    attendees: Mapped[str | None] = mapped_column(Text)
    minutes: Mapped[str] = mapped_column(Text)
    decisions: Mapped[str | None] = mapped_column(Text)
    reported_at: Mapped[datetime | None] = mapped_column()
    created_by_user_id: Mapped[int | None] = mapped_column(BigId)
    client_key: Mapped[str | None] = mapped_column(String(64), unique=True)


class MeetingDanger(IdMixin, Base):
    """A hidden danger discussed at a meeting."""

    __tablename__ = "risk_meeting_dangers"
    __table_args__ = (
        UniqueConstraint("meeting_id", "danger_id", name="uq_risk_meeting_dangers_meeting_danger"),
    )

    meeting_id: Mapped[int] = mapped_column(BigId, ForeignKey("risk_meetings.id", ondelete="CASCADE"))
    danger_id: Mapped[int] = mapped_column(BigId, ForeignKey("risk_dangers.id"), index=True)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)
    note: Mapped[str | None] = mapped_column(String(200))


class TipoffLimit(Base):
    """Public tip-offs per address in the current window, shared by every server process."""

    __tablename__ = "risk_tipoff_limits"

    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_started_at: Mapped[datetime] = mapped_column()
    count: Mapped[int] = mapped_column(Integer, default=0)


__all__ = [
    "LEVELS",
    "Danger",
    "DangerEvent",
    "DangerPhoto",
    "DangerPlan",
    "EnforcementPlan",
    "Enterprise",
    "Inspection",
    "Meeting",
    "MeetingDanger",
    "PlanItem",
    "RiskAssessment",
    "RiskPoint",
    "RiskSetting",
    "TipoffLimit",
]

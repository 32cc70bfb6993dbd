"""Drill tables: the drill (with its 双盲 flags) and the plans it exercises. Participants, records,
evaluation, injects and measurements are added beside these by their services.

Every table carries ``jurisdiction_code`` so that scope is one indexed range.
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
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from yingji.core.models import Audited, Base, IdMixin, TimestampMixin
from yingji.core.types import BigId, CodeStr
from yingji.drills.codes import DrillForm, DrillPurpose, DrillScope, DrillState


def _in(column: str, enum) -> str:
    return f"{column} IN ({', '.join(repr(e.value) for e in enum)})"


class Drill(IdMixin, TimestampMixin, Audited, Base):
    """A drill of the jurisdiction's yearly drill plan. ``notice_time`` / ``notice_scenario`` false
    both = 双盲 (players told neither when nor what)."""

    __tablename__ = "drills"
    __table_args__ = (
        CheckConstraint(_in("form", DrillForm), name="form"),
        CheckConstraint(_in("scope", DrillScope), name="scope"),
        CheckConstraint(_in("purpose", DrillPurpose), name="purpose"),
        CheckConstraint(_in("state", DrillState), name="state"),
        Index("ix_drills_scope_year", "jurisdiction_code", "year"),
    )

    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey("jurisdictions.code"))
    year: Mapped[int] = mapped_column(Integer)  # the yearly drill plan it belongs to
    title: Mapped[str] = mapped_column(String(200))
    form: Mapped[str] = mapped_column(String(12))
    scope: Mapped[str] = mapped_column(String(16))
    purpose: Mapped[str] = mapped_column(String(16), default=DrillPurpose.TEST.value)
    notice_time: Mapped[bool] = mapped_column(Boolean, default=True)  # players told when
    notice_scenario: Mapped[bool] = mapped_column(Boolean, default=True)  # players told what
    scenario: Mapped[str | None] = mapped_column(Text)  # hidden from players while the drill is blind
    planned_on: Mapped[date | None] = mapped_column(Date)
    starts_at: Mapped[datetime | None] = mapped_column()
    ended_at: Mapped[datetime | None] = mapped_column()
    place: Mapped[str | None] = mapped_column(String(200))
    organiser_unit_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("units.id"), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("risk_enterprises.id"), index=True)
    state: Mapped[str] = mapped_column(String(12), default=DrillState.PLANNED.value)
    note: Mapped[str | None] = mapped_column(Text)

    plans = relationship("DrillPlan", lazy="selectin", cascade="all, delete-orphan")

    @property
    def double_blind(self) -> bool:
        return not self.notice_time and not self.notice_scenario


class DrillPlan(IdMixin, Audited, Base):
    """A plan exercised by the drill (a comprehensive drill may exercise several)."""

    __tablename__ = "drill_plans"
    __table_args__ = (UniqueConstraint("drill_id", "plan_id"),)

    drill_id: Mapped[int] = mapped_column(BigId, ForeignKey("drills.id", ondelete="CASCADE"), index=True)
    plan_id: Mapped[int] = mapped_column(BigId, ForeignKey("plans.id"), index=True)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)

    plan = relationship("Plan", lazy="joined")


# -- drills (participants, records, evaluation, the yearly plan) ---------------------------------


# -- exercise mode (scripts, injects, measurements) -------------------------------------------------

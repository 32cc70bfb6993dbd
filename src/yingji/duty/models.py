"""Duty tables (值班值守): rosters stored as rotations, overrides and swaps, leader leave, the
handover log with its open items, and routine (daily / zero) reports with their settings.

Rotations are data (an ordered list of people per role from a start date) resolved with zoneinfo
at read time; nothing is expanded into per-day rows, and nothing goes through iCal.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from yingji.core import clock
from yingji.core.models import Audited, Base, IdMixin, TimestampMixin, one_of
from yingji.core.types import BigId, CodeStr, JSONType
from yingji.duty.codes import CallOutcome, DutyRole, LeaveStatus, PeriodKind

ROLES = tuple(DutyRole)  # 带班领导, 值班员, 备班
_ROLE_CHECK = "role IN ('leader', 'officer', 'backup')"


class Roster(IdMixin, TimestampMixin, Audited, Base):
    """The duty roster of one unit (a command centre, a town's emergency office): 24-hour shifts
    starting at ``shift_start_minute`` local time in ``timezone``."""

    __tablename__ = "duty_rosters"
    __table_args__ = (CheckConstraint("shift_start_minute BETWEEN 0 AND 1439", name="shift_start"),)

    unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("units.id", ondelete="CASCADE"), unique=True)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey("jurisdictions.code"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    shift_start_minute: Mapped[int] = mapped_column(SmallInteger, default=510)  # 08:30
    timezone: Mapped[str] = mapped_column(String(40), default="Asia/Shanghai")
    gap_days: Mapped[int] = mapped_column(SmallInteger, default=7)  # how far ahead gaps are looked for
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str | None] = mapped_column(Text)

    unit = relationship("Unit", lazy="joined")
    rotations = relationship(
        "Rotation", back_populates="roster", lazy="selectin", order_by="Rotation.starts_on"
    )


class Rotation(IdMixin, TimestampMixin, Audited, Base):
    """From ``starts_on`` on, the people of ``members`` take turns in ``role``: each turn lasts
    ``days_per_turn`` shifts and puts ``per_shift`` people on. A later rotation of the same role
    replaces it from its own start date (the past stays as it was)."""

    __tablename__ = "duty_rotations"
    __table_args__ = (
        UniqueConstraint("roster_id", "role", "starts_on", name="uq_duty_rotations_roster_role_start"),
        CheckConstraint(_ROLE_CHECK, name="role"),
        CheckConstraint("days_per_turn BETWEEN 1 AND 31", name="days_per_turn"),
        CheckConstraint("per_shift BETWEEN 1 AND 20", name="per_shift"),
    )

    roster_id: Mapped[int] = mapped_column(BigId, ForeignKey("duty_rosters.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(10))
    starts_on: Mapped[date] = mapped_column(Date)
    members: Mapped[list] = mapped_column(JSONType)  # person ids, in turn order
    days_per_turn: Mapped[int] = mapped_column(SmallInteger, default=1)
    per_shift: Mapped[int] = mapped_column(SmallInteger, default=1)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)

    roster = relationship(Roster, back_populates="rotations")


class Override(IdMixin, Audited, Base):
    """A change to one shift: ``person_id`` stands in for ``replaces_person_id`` (None: added to
    the shift; ``person_id`` None: taken off). A swap is two overrides sharing ``swap_key``."""

    __tablename__ = "duty_overrides"
    __table_args__ = (
        CheckConstraint(_ROLE_CHECK, name="role"),
        CheckConstraint("kind IN ('override', 'swap')", name="kind"),
        CheckConstraint("person_id IS NOT NULL OR replaces_person_id IS NOT NULL", name="someone"),
        Index("ix_duty_overrides_roster_date", "roster_id", "shift_date"),
    )

    roster_id: Mapped[int] = mapped_column(BigId, ForeignKey("duty_rosters.id", ondelete="CASCADE"))
    shift_date: Mapped[date] = mapped_column(Date)
    role: Mapped[str] = mapped_column(String(10))
    person_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("people.id"))
    replaces_person_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("people.id"))
    kind: Mapped[str] = mapped_column(String(8), default="override")
    swap_key: Mapped[str | None] = mapped_column(String(40), index=True)
    reason: Mapped[str | None] = mapped_column(String(200))
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    created_by: Mapped[str | None] = mapped_column(String(100))


LEAVE_STATES = tuple(LeaveStatus)


class Leave(IdMixin, TimestampMixin, Audited, Base):
    """A leader's absence report (领导外出请假报备): when, where, who acts; approved by a superior.
    While approved, the roster shows the deputy in the leader's place."""

    __tablename__ = "duty_leaves"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'approved', 'rejected', 'cancelled')", name="status"),
        CheckConstraint("ends_at > starts_at", name="period"),
        Index("ix_duty_leaves_person_period", "person_id", "starts_at"),
        Index("ix_duty_leaves_jurisdiction_period", "jurisdiction_code", "starts_at"),
    )

    person_id: Mapped[int] = mapped_column(BigId, ForeignKey("people.id"))
    unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("units.id", ondelete="CASCADE"), index=True)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)
    starts_at: Mapped[datetime] = mapped_column()
    ends_at: Mapped[datetime] = mapped_column()
    destination: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(String(500))
    deputy_person_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("people.id"))
    status: Mapped[str] = mapped_column(String(10), default=LeaveStatus.PENDING.value)
    requested_by: Mapped[str | None] = mapped_column(String(100))
    decided_by_user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column()
    decision_note: Mapped[str | None] = mapped_column(String(500))
    client_key: Mapped[str | None] = mapped_column(String(64), unique=True)

    person = relationship("Person", foreign_keys=[person_id], lazy="joined")
    deputy = relationship("Person", foreign_keys=[deputy_person_id], lazy="joined")
    unit = relationship("Unit", lazy="joined")


class Handover(IdMixin, Audited, Base):
    """The log of one shift's handover (交接班): written by the outgoing officer, confirmed by the
    incoming one."""

    __tablename__ = "duty_handovers"
    __table_args__ = (UniqueConstraint("roster_id", "shift_date", name="uq_duty_handovers_roster_shift"),)

    roster_id: Mapped[int] = mapped_column(BigId, ForeignKey("duty_rosters.id", ondelete="CASCADE"))
    shift_date: Mapped[date] = mapped_column(Date)
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)
    summary: Mapped[str] = mapped_column(Text)
    written_by_user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    written_by: Mapped[str] = mapped_column(String(100))
    written_at: Mapped[datetime] = mapped_column(default=clock.now)
    confirmed_by_user_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    confirmed_by: Mapped[str | None] = mapped_column(String(100))
    confirmed_at: Mapped[datetime | None] = mapped_column()
    confirm_note: Mapped[str | None] = mapped_column(Text)
    client_key: Mapped[str | None] = mapped_column(String(64), unique=True)


class HandoverItem(IdMixin, Audited, Base):
    """An open item (待办事项) handed from shift to shift until someone closes it."""

    __tablename__ = "duty_handover_items"
    __table_args__ = (Index("ix_duty_handover_items_roster_open", "roster_id", "closed_at"),)

    roster_id: Mapped[int] = mapped_column(BigId, ForeignKey("duty_rosters.id", ondelete="CASCADE"))
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr)
    text: Mapped[str] = mapped_column(String(500))
    opened_handover_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("duty_handovers.id", ondelete="SET NULL")
    )
    opened_at: Mapped[datetime] = mapped_column(default=clock.now)
    closed_handover_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("duty_handovers.id", ondelete="SET NULL")
    )
    closed_at: Mapped[datetime | None] = mapped_column()
    closed_by: Mapped[str | None] = mapped_column(String(100))
    close_note: Mapped[str | None] = mapped_column(String(500))


REPORTING_LEVELS = ("town", "county")


class ReportSetting(IdMixin, TimestampMixin, Audited, Base):
    """The routine-report deadline of one level (towns, counties) under a jurisdiction; the most
    specific row wins. Defaults live in ``duty.deadlines`` (settings, not law)."""

    __tablename__ = "duty_report_settings"
    __table_args__ = (
        UniqueConstraint("jurisdiction_code", "level", name="uq_duty_report_settings_place_level"),
        CheckConstraint("level IN ('town', 'county')", name="level"),
        CheckConstraint("deadline_minute BETWEEN 0 AND 1439", name="deadline"),
        CheckConstraint("remind_minutes BETWEEN 0 AND 720", name="remind"),
    )

    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey("jurisdictions.code"))
    level: Mapped[str] = mapped_column(String(10))
    deadline_minute: Mapped[int] = mapped_column(SmallInteger)
    remind_minutes: Mapped[int] = mapped_column(SmallInteger, default=60)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str | None] = mapped_column(String(300))


PERIOD_KINDS = tuple(PeriodKind)


class SpecialPeriod(IdMixin, TimestampMixin, Audited, Base):
    """A holiday, flood season (汛期) or sensitive period under a jurisdiction, with its own report
    deadlines per level (``{"town": [540, 960], "county": [600, 1020]}``: minutes after local
    midnight; two deadlines mean reporting twice a day)."""

    __tablename__ = "duty_special_periods"
    __table_args__ = (
        CheckConstraint("kind IN ('holiday', 'flood_season', 'sensitive', 'other')", name="kind"),
        CheckConstraint("ends_on >= starts_on", name="period"),
        Index("ix_duty_special_periods_jurisdiction_start", "jurisdiction_code", "starts_on"),
    )

    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey("jurisdictions.code"))
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    deadlines: Mapped[dict] = mapped_column(JSONType)
    note: Mapped[str | None] = mapped_column(String(300))


class RoutineReport(IdMixin, Audited, Base):
    """One daily report (日报告) or zero report (零报告) of a town or county for one period
    (``slot``) of a day. The deadline it answered is kept, so later setting changes do not
    rewrite history."""

    __tablename__ = "duty_routine_reports"
    __table_args__ = (
        UniqueConstraint(
            "jurisdiction_code", "report_date", "slot", name="uq_duty_routine_reports_place_day_slot"
        ),
        CheckConstraint("kind IN ('daily', 'zero')", name="kind"),
        CheckConstraint("level IN ('town', 'county')", name="level"),
        Index("ix_duty_routine_reports_date_place", "report_date", "jurisdiction_code"),
    )

    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey("jurisdictions.code"))
    level: Mapped[str] = mapped_column(String(10))
    report_date: Mapped[date] = mapped_column(Date)
    slot: Mapped[int] = mapped_column(SmallInteger, default=0)
    kind: Mapped[str] = mapped_column(String(6))
    summary: Mapped[str | None] = mapped_column(Text)
    deadline_at: Mapped[datetime] = mapped_column()
    submitted_at: Mapped[datetime] = mapped_column(default=clock.now)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    submitted_by_user_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    submitted_by: Mapped[str | None] = mapped_column(String(100))
    client_key: Mapped[str | None] = mapped_column(String(64), unique=True)


class DutyCall(IdMixin, Audited, Base):
    """One incoming call at a duty desk (值班来电登记): who called, when, about what, and what became of
    it. The officer who answered is its first receiver (首接) and owner (``ownership``)."""

    __tablename__ = "duty_calls"
    __table_args__ = (
        CheckConstraint(one_of("outcome", list(CallOutcome)), name="outcome"),
        Index("ix_duty_calls_place_received", "jurisdiction_code", "received_at"),
    )

    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey("jurisdictions.code"))  # the desk
    received_at: Mapped[datetime] = mapped_column()
    caller_name: Mapped[str | None] = mapped_column(String(60))
    caller_phone: Mapped[str | None] = mapped_column(String(30))
    summary: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(12), default=CallOutcome.PENDING.value)
    incident_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("incidents.id", ondelete="SET NULL"))
    transferred_to: Mapped[str | None] = mapped_column(String(200))
    outcome_note: Mapped[str | None] = mapped_column(String(500))
    taken_by_user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    taken_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    client_key: Mapped[str | None] = mapped_column(String(64), unique=True)

"""Code tables of the duty domain: roles on a shift, leave states, special-period kinds, routine
report kinds and a report's state on the day. The values are what the database and the JSON hold."""

from __future__ import annotations

from enum import StrEnum


class DutyRole(StrEnum):
    LEADER = "leader"  # 带班领导
    OFFICER = "officer"  # 值班员
    BACKUP = "backup"  # 备班


class LeaveStatus(StrEnum):
    """A leader's leave: decided once (pending → approved / rejected); pending or approved may be
    cancelled (``duty.leave``)."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


LEAVE_MOVES: dict[LeaveStatus, frozenset[LeaveStatus]] = {
    LeaveStatus.PENDING: frozenset({LeaveStatus.APPROVED, LeaveStatus.REJECTED, LeaveStatus.CANCELLED}),
    LeaveStatus.APPROVED: frozenset({LeaveStatus.CANCELLED}),
    LeaveStatus.REJECTED: frozenset(),
    LeaveStatus.CANCELLED: frozenset(),
}


class PeriodKind(StrEnum):
    HOLIDAY = "holiday"
    FLOOD_SEASON = "flood_season"
    SENSITIVE = "sensitive"
    OTHER = "other"


class ReportKind(StrEnum):
    DAILY = "daily"  # 日报告
    ZERO = "zero"  # 零报告


class ReportStatus(StrEnum):
    """A place's routine report for a deadline of the day."""

    MISSING = "missing"  # the deadline passed with no report
    LATE = "late"
    PENDING = "pending"  # not yet due
    RECEIVED = "received"

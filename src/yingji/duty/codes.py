"""Code tables of the duty domain: roles on a shift, leave states, special-period kinds, routine
report kinds, a report's state on the day, and what became of a call (值班来电登记, with its
moves). The values are what the database and the JSON hold."""

from __future__ import annotations

from enum import StrEnum

from yingji.core.i18n import N_


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


class CallOutcome(StrEnum):
    PENDING = "pending"  # being dealt with (called back, checking)
    INCIDENT = "incident"  # became incident N (接报)
    TIPOFF = "tipoff"  # a tip-off: sent to the tip-off channel
    ADVISED = "advised"  # answered, advice given (咨询)
    TRANSFERRED = "transferred"  # transferred to another body (转办: 110, 119, a department)


# A call's outcome is settled once; only a pending call moves.
CALL_MOVES: dict[CallOutcome, frozenset[CallOutcome]] = {
    CallOutcome.PENDING: frozenset(set(CallOutcome) - {CallOutcome.PENDING}),
    CallOutcome.INCIDENT: frozenset(),
    CallOutcome.TIPOFF: frozenset(),
    CallOutcome.ADVISED: frozenset(),
    CallOutcome.TRANSFERRED: frozenset(),
}

OUTCOME_LABELS = {
    CallOutcome.PENDING: N_("Being dealt with"),
    CallOutcome.INCIDENT: N_("Became an incident"),
    CallOutcome.TIPOFF: N_("A tip-off"),
    CallOutcome.ADVISED: N_("Advice given"),
    CallOutcome.TRANSFERRED: N_("Transferred"),
}

"""Code tables of work tasks and supervision (seed 002's 任务分解; RULES2 §12.3 督查督办), each
transition table beside its enum."""

from __future__ import annotations

from enum import StrEnum


class PlanState(StrEnum):
    ACTIVE = "active"  # issued, measures under way
    CLOSED = "closed"  # every unit's year-end summary signed twice (or closed by the manager)


PLAN_MOVES: dict[PlanState, frozenset[PlanState]] = {
    PlanState.ACTIVE: frozenset({PlanState.CLOSED}),
    PlanState.CLOSED: frozenset({PlanState.ACTIVE}),  # reopened by the manager, with a reason
}


class MeasureState(StrEnum):
    PENDING = "pending"  # 未启动
    ONGOING = "ongoing"  # 推进中 (a first progress report moves it here)
    DONE = "done"  # 已完成 (a dated measure, accepted by the manager)
    CLOSED = "closed"  # 已办结 (no more reports: the plan's year is over or the measure withdrawn)


MEASURE_MOVES: dict[MeasureState, frozenset[MeasureState]] = {
    MeasureState.PENDING: frozenset({MeasureState.ONGOING, MeasureState.DONE, MeasureState.CLOSED}),
    MeasureState.ONGOING: frozenset({MeasureState.DONE, MeasureState.CLOSED}),
    MeasureState.DONE: frozenset({MeasureState.ONGOING, MeasureState.CLOSED}),
    MeasureState.CLOSED: frozenset({MeasureState.ONGOING}),
}

OPEN_MEASURE = frozenset({MeasureState.PENDING.value, MeasureState.ONGOING.value})


class DeadlineKind(StrEnum):
    DATE = "date"  # 完成时限 a date (2024年12月, 12月上旬 …)
    LONG_TERM = "long_term"  # 长期坚持: reported every period


class Period(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    HALF_YEAR = "half_year"
    YEAR = "year"


class UnitRole(StrEnum):
    LEAD = "lead"  # 牵头
    CO = "co"  # 配合


class Flag(StrEnum):
    """What the sweep and the pages see in a measure (computed, never stored)."""

    DONE = "done"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OVERDUE = "overdue"
    CLOSED = "closed"


class NoticeKind(StrEnum):
    REMINDER = "reminder"  # 催办
    SUPERVISION = "supervision"  # 督办 (三色督查单)


class NoticeLevel(StrEnum):
    """三色督查单 (RULES2 §12.3): blue reminder → orange warning → red final."""

    BLUE = "blue"
    ORANGE = "orange"
    RED = "red"


LEVEL_NEXT: dict[NoticeLevel, NoticeLevel | None] = {
    NoticeLevel.BLUE: NoticeLevel.ORANGE,
    NoticeLevel.ORANGE: NoticeLevel.RED,
    NoticeLevel.RED: None,
}


class NoticeState(StrEnum):
    OPEN = "open"  # 交办, waiting for the unit
    ANSWERED = "answered"  # 反馈 by the unit
    CLOSED = "closed"  # 办结 by the manager
    SUPERSEDED = "superseded"  # escalated: the next colour replaces it


NOTICE_MOVES: dict[NoticeState, frozenset[NoticeState]] = {
    NoticeState.OPEN: frozenset({NoticeState.ANSWERED, NoticeState.CLOSED, NoticeState.SUPERSEDED}),
    # A manager may send an answer back (still open) or close it.
    NoticeState.ANSWERED: frozenset({NoticeState.OPEN, NoticeState.CLOSED}),
    NoticeState.CLOSED: frozenset(),
    NoticeState.SUPERSEDED: frozenset(),
}


class SignRole(StrEnum):
    HEAD = "head"  # 股室负责人
    LEADER = "leader"  # 分管领导

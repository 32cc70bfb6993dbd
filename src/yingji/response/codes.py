"""The states of response records, as ``StrEnum`` members (the same strings in the database and JSON).

Task moves are in ``tasks.TRANSITIONS``; an activation ends ``ADJUSTED`` (a new level replaced it) or
``ENDED``; a frozen escalation step is pending until it runs, is skipped or fails."""

from __future__ import annotations

from enum import StrEnum


class TaskState(StrEnum):
    ASSIGNED = "assigned"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


OPEN_TASK_STATES = (TaskState.ASSIGNED, TaskState.ACKNOWLEDGED, TaskState.IN_PROGRESS)


class AssigneeKind(StrEnum):
    """Who a task is for: a unit (its users), a rescue team (by name), or one person."""

    UNIT = "unit"
    TEAM = "team"
    PERSON = "person"


class LevelEnd(StrEnum):
    """How a response level (an activation) stopped being the current one."""

    ADJUSTED = "adjusted"
    ENDED = "ended"


class StepState(StrEnum):
    PENDING = "pending"
    DONE = "done"
    SKIPPED = "skipped"
    FAILED = "failed"


class InvestigationState(StrEnum):
    OPEN = "open"
    SUBMITTED = "submitted"

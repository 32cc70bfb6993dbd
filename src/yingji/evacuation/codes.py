"""Code tables of evacuation: the order's states and the household's marks, each beside its one
transition table, and which accounting bucket each household state falls in.

The accounting (台账) is: threatened = moved + sheltered + safe_elsewhere + unaccounted (+ returned once
the order is lifted). Every household is in exactly one bucket at every moment, because the bucket is
a function of the household's one ``state`` column.
"""

from __future__ import annotations

from enum import StrEnum


class OrderSource(StrEnum):
    WARNING = "warning"  # a warning in force (its area)
    ALARM = "alarm"  # a monitoring alarm (its hazard point's threat list)
    INCIDENT = "incident"
    HAZARD = "hazard"  # a hazard point's threat list, by hand
    MANUAL = "manual"  # an area chosen by hand


class OrderState(StrEnum):
    ACTIVE = "active"  # 转移中: tasks out, marks accepted
    LIFTED = "lifted"  # 解除: people may go home; marks of return accepted
    CLOSED = "closed"  # everyone home or accounted for; read-only
    CANCELLED = "cancelled"  # issued in error; read-only, keeps its marks


ORDER_MOVES: dict[OrderState, frozenset[OrderState]] = {
    OrderState.ACTIVE: frozenset({OrderState.LIFTED, OrderState.CANCELLED}),
    OrderState.LIFTED: frozenset({OrderState.CLOSED}),
    OrderState.CLOSED: frozenset(),
    OrderState.CANCELLED: frozenset(),
}


class HouseholdState(StrEnum):
    PENDING = "pending"  # 待转移: not yet reached
    MOVED = "moved"  # 已转移: moved by the worker, not yet checked in anywhere
    SELF_MOVED = "self_moved"  # 自行转移 (confirmed by phone or by neighbours)
    AT_RELATIVES = "at_relatives"  # 投亲靠友
    SHELTERED = "sheltered"  # 集中安置: checked into a shelter
    REFUSED = "refused"  # 拒绝转移: still at home, needs the town's follow-up (强制转移)
    NOT_HOME = "not_home"  # 不在家 / 联系不上
    RETURNED = "returned"  # 已返回 (after the order was lifted)


class Bucket(StrEnum):
    MOVED = "moved"
    SHELTERED = "sheltered"
    SAFE_ELSEWHERE = "safe_elsewhere"
    UNACCOUNTED = "unaccounted"
    RETURNED = "returned"


BUCKET_OF: dict[HouseholdState, Bucket] = {
    HouseholdState.PENDING: Bucket.UNACCOUNTED,
    HouseholdState.NOT_HOME: Bucket.UNACCOUNTED,
    HouseholdState.REFUSED: Bucket.UNACCOUNTED,
    HouseholdState.MOVED: Bucket.MOVED,
    HouseholdState.SELF_MOVED: Bucket.SAFE_ELSEWHERE,
    HouseholdState.AT_RELATIVES: Bucket.SAFE_ELSEWHERE,
    HouseholdState.SHELTERED: Bucket.SHELTERED,
    HouseholdState.RETURNED: Bucket.RETURNED,
}

# Which marks the field may send while the order is active / lifted. Any state may follow any other
# (a family at relatives may come to a shelter later); the newest mark by the phone's own clock wins,
# so marks arriving out of order settle on the same answer. RETURNED only after the order is lifted.
MARKS_WHILE_ACTIVE = frozenset(HouseholdState) - {HouseholdState.PENDING, HouseholdState.RETURNED}
MARKS_WHILE_LIFTED = frozenset({HouseholdState.RETURNED}) | MARKS_WHILE_ACTIVE


class MarkOutcome(StrEnum):
    APPLIED = "applied"  # the household's state is now this mark's
    REPEAT = "repeat"  # the same client key was received before: nothing changes
    SAME = "same"  # another mark already set this state (e.g. "moved" twice): not counted twice
    STALE = "stale"  # an older mark (by the phone's clock) than the one in force: kept in the log only
    REFUSED = "refused"  # not allowed now (order closed, RETURNED while active …): see the error


class TaskState(StrEnum):
    OPEN = "open"
    DONE = "done"  # every household of the cell has a mark other than pending
    CANCELLED = "cancelled"


TASK_MOVES: dict[TaskState, frozenset[TaskState]] = {
    TaskState.OPEN: frozenset({TaskState.DONE, TaskState.CANCELLED}),
    TaskState.DONE: frozenset({TaskState.OPEN, TaskState.CANCELLED}),  # a later "not home" reopens it
    TaskState.CANCELLED: frozenset(),
}

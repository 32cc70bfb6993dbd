"""The hidden-danger loop as an explicit transition table: 排查 (found) → 登记 (registered) → 分级
(graded) → 整改 (rectifying) → 复查验收 (reviewing → accepted) → 销号 (closed). A step not in the
table is refused, so no step can be skipped. Pure data and lookups, no I/O."""

from __future__ import annotations

from dataclasses import dataclass

from yingji.auth.roles import Perm
from yingji.core.errors import Conflict
from yingji.risk.danger_models import DangerStatus as S


@dataclass(frozen=True)
class Step:
    action: str
    source: S
    target: S
    perm: Perm
    stamp: str | None  # the danger's column that records when the target was reached


TRANSITIONS: dict[tuple[S, str], Step] = {
    (s.source, s.action): s
    for s in (
        Step("register", S.FOUND, S.REGISTERED, Perm.DANGER_MANAGE, "registered_at"),
        Step("dismiss", S.FOUND, S.DISMISSED, Perm.DANGER_MANAGE, "dismissed_at"),
        Step("grade", S.REGISTERED, S.GRADED, Perm.DANGER_MANAGE, "graded_at"),
        Step("rectify", S.GRADED, S.RECTIFYING, Perm.DANGER_MANAGE, "rectifying_at"),
        Step("report_done", S.RECTIFYING, S.REVIEWING, Perm.DANGER_REPORT, "reviewing_at"),
        Step("extend", S.RECTIFYING, S.RECTIFYING, Perm.DANGER_MANAGE, None),
        Step("supervise", S.RECTIFYING, S.RECTIFYING, Perm.DANGER_MANAGE, None),
        Step("accept", S.REVIEWING, S.ACCEPTED, Perm.DANGER_MANAGE, "accepted_at"),
        Step("reject", S.REVIEWING, S.RECTIFYING, Perm.DANGER_MANAGE, "rectifying_at"),
        Step("close", S.ACCEPTED, S.CLOSED, Perm.DANGER_MANAGE, "closed_at"),
    )
}
ACTIONS = frozenset(action for _, action in TRANSITIONS)


class StepNotAllowed(Conflict):
    code = "step_not_allowed"
    message = "This step is not allowed while the hidden danger is in this state."


def step(status: str, action: str) -> Step:
    """The step ``action`` from ``status``; StepNotAllowed (409) if the table has none."""
    found = TRANSITIONS.get((status, action))
    if found is None:
        raise StepNotAllowed(details=[{"field": "action", "message": "Not a next step of the loop."}])
    return found


def next_steps(status: str) -> list[Step]:
    """The steps open from ``status``, in table order."""
    return [s for (source, _), s in TRANSITIONS.items() if source == status]

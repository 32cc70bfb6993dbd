"""Code tables of drills (RULES2 §9.4: AQ/T 9007-2019 content and form, 应急办函〔2009〕62号 purpose,
双盲 as two notice flags) and the one transition table of a drill, beside its enum."""

from __future__ import annotations

from enum import StrEnum


class DrillForm(StrEnum):
    TABLETOP = "tabletop"  # 桌面演练
    LIVE = "live"  # 实战演练


class DrillScope(StrEnum):
    SINGLE = "single"  # 单项演练
    COMPREHENSIVE = "comprehensive"  # 综合演练


class DrillPurpose(StrEnum):
    TEST = "test"  # 检验性
    DEMONSTRATION = "demonstration"  # 示范性
    RESEARCH = "research"  # 研究性


class DrillState(StrEnum):
    PLANNED = "planned"  # in the yearly drill plan
    PREPARED = "prepared"  # scenario and injects ready
    RUNNING = "running"  # exercise mode live
    ENDED = "ended"  # done, evaluation open
    EVALUATED = "evaluated"  # 评估报告 written
    CANCELLED = "cancelled"


DRILL_MOVES: dict[DrillState, frozenset[DrillState]] = {
    DrillState.PLANNED: frozenset(
        {DrillState.PREPARED, DrillState.RUNNING, DrillState.ENDED, DrillState.CANCELLED}
    ),
    DrillState.PREPARED: frozenset({DrillState.PLANNED, DrillState.RUNNING, DrillState.CANCELLED}),
    DrillState.RUNNING: frozenset({DrillState.ENDED}),
    DrillState.ENDED: frozenset({DrillState.EVALUATED}),
    DrillState.EVALUATED: frozenset(),
    DrillState.CANCELLED: frozenset(),
}


class ProgrammeState(StrEnum):
    """The yearly drill plan: drafted, then approved (after which its drills are the place's)."""

    DRAFT = "draft"
    APPROVED = "approved"


class ProblemState(StrEnum):
    """A problem found by the evaluation, as a follow-up task."""

    OPEN = "open"
    DONE = "done"

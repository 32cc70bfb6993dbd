"""Code tables of plans: kinds (RULES2 §9.2), lifecycle states (§9.3, 国办发〔2024〕5号 第三条) and the
one transition table of a plan, beside its enum."""

from __future__ import annotations

from enum import StrEnum


class PlanKind(StrEnum):
    OVERALL = "overall"  # 总体应急预案
    SPECIAL = "special"  # 专项应急预案
    DEPARTMENT = "department"  # 部门应急预案
    JOINT = "joint"  # 联合应急预案
    CATASTROPHE = "catastrophe"  # 巨灾应急预案
    MAJOR_EVENT = "major_event"  # 重大活动应急预案
    TOWNSHIP = "township"  # 乡镇(街道)应急预案
    VILLAGE = "village"  # 村(社区)应急预案
    UNIT = "unit"  # 单位应急预案
    ENTERPRISE_COMPREHENSIVE = "enterprise_comprehensive"  # 企业综合应急预案
    ENTERPRISE_SPECIAL = "enterprise_special"  # 企业专项应急预案
    ONSITE_PROCEDURE = "onsite_procedure"  # 现场处置方案


class PlanState(StrEnum):
    DRAFTING = "drafting"  # 编制
    REVIEW = "review"  # 征求意见 / 评审
    APPROVAL = "approval"  # 审批
    ISSUED = "issued"  # 印发
    PUBLISHED = "published"  # 公布
    FILED = "filed"  # 备案 (accepted by the receiving body)
    EVALUATING = "evaluating"  # 评估
    REVISING = "revising"  # 修订 (a new version is being drafted; the issued one stays in force)
    REPEALED = "repealed"  # 废止


# The one transition table of a plan. Filing and publication both run on the 20-working-day clock
# from issue and may come in either order; a returned filing leaves the plan where it was.
PLAN_MOVES: dict[PlanState, frozenset[PlanState]] = {
    PlanState.DRAFTING: frozenset({PlanState.REVIEW, PlanState.REPEALED}),
    PlanState.REVIEW: frozenset({PlanState.DRAFTING, PlanState.APPROVAL, PlanState.REPEALED}),
    PlanState.APPROVAL: frozenset({PlanState.REVIEW, PlanState.ISSUED, PlanState.REPEALED}),
    PlanState.ISSUED: frozenset({PlanState.PUBLISHED, PlanState.FILED, PlanState.REPEALED}),
    PlanState.PUBLISHED: frozenset(
        {PlanState.FILED, PlanState.EVALUATING, PlanState.REVISING, PlanState.REPEALED}
    ),
    PlanState.FILED: frozenset(
        {PlanState.PUBLISHED, PlanState.EVALUATING, PlanState.REVISING, PlanState.REPEALED}
    ),
    PlanState.EVALUATING: frozenset({PlanState.FILED, PlanState.REVISING, PlanState.REPEALED}),
    PlanState.REVISING: frozenset({PlanState.REVIEW, PlanState.ISSUED, PlanState.REPEALED}),
    PlanState.REPEALED: frozenset(),
}

# States in which a plan is in force: it may be activated for a response and counts for coverage.
IN_FORCE = frozenset(
    {PlanState.ISSUED, PlanState.PUBLISHED, PlanState.FILED, PlanState.EVALUATING, PlanState.REVISING}
)


class ActionRole(StrEnum):
    """Who a digital plan's action is for: the HQ (its office) or a member unit."""

    HQ = "hq"
    MEMBER = "member"


class VersionStatus(StrEnum):
    """A plan version's standing: one draft at most, one in force."""

    DRAFT = "draft"
    IN_FORCE = "in_force"
    SUPERSEDED = "superseded"  # a later version was issued
    REPEALED = "repealed"


class DraftStage(StrEnum):
    """How far a draft version has come (the plan's own state says the same for a first version)."""

    DRAFTING = "drafting"
    REVIEW = "review"
    APPROVAL = "approval"


class FilingState(StrEnum):
    SUBMITTED = "submitted"  # waiting for the receiving body
    ACCEPTED = "accepted"  # registered
    RETURNED = "returned"  # sent back; the plan stays where it was


class ClockState(StrEnum):
    """A legal clock (filing, publication, evaluation) on the working-day calendar."""

    OPEN = "open"  # running, due date known
    WAITING = "waiting"  # the due date waits for the year's holiday notice
    MET = "met"
    MISSED = "missed"
    CANCELLED = "cancelled"  # the version it ran for was replaced or repealed


# Clocks not yet settled: met or cancelled by what happens to the plan.
UNSETTLED_CLOCKS = (ClockState.OPEN, ClockState.WAITING, ClockState.MISSED)
# Clocks that can be overdue (a waiting clock has no due date yet).
DUE_CLOCKS = (ClockState.OPEN, ClockState.MISSED)


class TriggerState(StrEnum):
    OPEN = "open"
    HANDLED = "handled"  # by the revised version's issue
    DISMISSED = "dismissed"  # by hand, with the reason


class ActionKind(StrEnum):
    """What a plan's action makes when the plan is applied: a response task, a notice sent at once, or
    an item to tick on the incident's checklist."""

    TASK = "task"
    NOTICE = "notice"
    CHECK = "check"


class ItemState(StrEnum):
    """An item of an activated plan's checklist (task, notice or check)."""

    OPEN = "open"
    DONE = "done"
    SENT = "sent"  # a notice that went out
    CANCELLED = "cancelled"

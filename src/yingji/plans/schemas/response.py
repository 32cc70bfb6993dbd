"""Plans: In and Out models of the digital response part (levels, conditions, actions) and of
activation under a plan."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from yingji.core.text import Input
from yingji.incidents.models import MEASURES
from yingji.plans.codes import ActionRole

FIGURE_NAMES = MEASURES  # a condition names a figure that every incident report carries
Grade = Literal["I", "II", "III", "IV"]
GradingKind = Literal[
    "production_safety", "geological_damage", "geological_threat", "natural_disaster_relief"
]
STRICT = ConfigDict(str_strip_whitespace=True, extra="forbid")


class FigureCondition(Input):
    """A figure of the incident reaching a number (死亡 ≥ 3 人 …)."""

    model_config = STRICT
    measure: Literal[FIGURE_NAMES]  # type: ignore[valid-type]
    min: int = Field(ge=1, le=10**13)


class RuleCondition(Input):
    """The grade the incident's figures reach under a grading table of the law (rules/grading_*.json
    with the place's overrides), at least ``grade``."""

    model_config = STRICT
    kind: GradingKind
    grade: Grade


class Conditions(Input):
    """A level's trigger as data. The level starts when ANY of the given conditions holds (plans
    word it 符合下列条件之一的): the incident's grade is one of ``grades``; the figures reach ``rule``'s
    grade under the law's grading table; or one of ``figures`` reaches its number."""

    model_config = STRICT
    grades: list[Grade] = Field(default_factory=list, max_length=4)
    rule: RuleCondition | None = None
    figures: list[FigureCondition] = Field(default_factory=list, max_length=20)


class LevelIn(Input):
    model_config = STRICT
    trigger_text: str = Field(min_length=1, max_length=4000)
    conditions: Conditions = Field(default_factory=Conditions)
    decided_by: str | None = Field(default=None, max_length=120)


class ResourceIn(Input):
    model_config = STRICT
    item: str = Field(min_length=1, max_length=100)
    quantity: float | None = Field(default=None, ge=0, le=10**9)
    unit: str | None = Field(default=None, max_length=20)


class ActionIn(Input):
    """An action of a level: for the HQ (its office) or a member unit of the plan."""

    model_config = STRICT
    role: ActionRole
    unit_id: int | None = None
    kind: Literal["task", "notice", "check"] = "task"
    title: str = Field(min_length=1, max_length=200)
    detail: str | None = Field(default=None, max_length=4000)
    due_minutes: int | None = Field(default=None, ge=1, le=60 * 24 * 30)
    priority: Literal["urgent", "high", "normal", "low"] = "normal"
    resources: list[ResourceIn] = Field(default_factory=list, max_length=30)

    @model_validator(mode="after")
    def _shape(self):
        if self.role == ActionRole.MEMBER and self.unit_id is None:
            raise ValueError("a member unit's action names the unit (unit_id)")
        if self.role == ActionRole.HQ and self.unit_id is not None:
            raise ValueError("an HQ action names no unit")
        if self.kind == "task" and self.due_minutes is None:
            raise ValueError("a task needs its time limit (due_minutes)")
        return self


class ActionPatch(Input):
    model_config = STRICT
    role: ActionRole | None = None
    unit_id: int | None = None
    kind: Literal["task", "notice", "check"] | None = None
    title: str | None = Field(default=None, min_length=1, max_length=200)
    detail: str | None = Field(default=None, max_length=4000)
    due_minutes: int | None = Field(default=None, ge=1, le=60 * 24 * 30)
    priority: Literal["urgent", "high", "normal", "low"] | None = None
    resources: list[ResourceIn] | None = Field(default=None, max_length=30)
    seq: int | None = Field(default=None, ge=1, le=10_000)


class FromRulesIn(Input):
    model_config = STRICT
    kind: GradingKind
    replace: bool = False  # also overwrite levels that already have a trigger


class ResourceOut(BaseModel):
    item: str
    quantity: float | None = None
    unit: str | None = None


class ActionOut(BaseModel):
    id: int
    level: int
    seq: int
    role: str
    unit_id: int | None
    unit_name: str | None
    kind: str
    title: str
    detail: str | None
    due_minutes: int | None
    priority: str
    resources: list[ResourceOut]


class LevelOut(BaseModel):
    level: int
    label: str
    trigger_text: str
    conditions: dict
    decided_by: str | None
    actions: list[ActionOut]


class MemberOut(BaseModel):
    unit_id: int
    unit_name: str
    role: str
    duties: str | None


class ResponsePartOut(BaseModel):
    plan_id: int
    code: str
    title: str
    kind: str
    state: str
    in_force: bool
    hq_unit_id: int | None
    hq_unit_name: str | None
    members: list[MemberOut]
    levels: list[LevelOut]
    missing_levels: list[int]


class LevelCheckOut(BaseModel):
    level: int
    label: str
    reached: bool
    reasons: list[str]


class ProposalOut(BaseModel):
    plan_id: int
    plan_title: str
    incident_id: int
    proposed_level: int | None
    reasons: list[str]
    levels: list[LevelCheckOut]


class PreviewItemOut(BaseModel):
    plan_action_id: int
    kind: str
    role: str
    unit_id: int | None
    unit_name: str
    title: str
    due_minutes: int | None
    priority: str


class PreviewOut(ProposalOut):
    level: int
    items: list[PreviewItemOut]
    tasks: int
    notices: int
    checks: int


class CandidatesOut(BaseModel):
    incident_id: int
    plans: list[ProposalOut]


class PlanItemOut(BaseModel):
    id: int
    incident_id: int
    activation_id: int
    plan_id: int
    plan_action_id: int | None
    level: int
    kind: str
    role: str
    unit_id: int | None
    unit_name: str
    title: str
    detail: str | None
    task_id: int | None
    task_state: str | None
    due_at: datetime | None
    state: str
    recipients: int
    done_at: datetime | None
    done_by: str | None
    cancelled_at: datetime | None
    cancel_reason: str | None


class ChecklistOut(BaseModel):
    incident_id: int
    plan_id: int | None
    items: list[PlanItemOut]
    open: int
    done: int
    cancelled: int


class CheckItemIn(Input):
    model_config = STRICT
    done: bool = True
    note: str | None = Field(default=None, max_length=1000)

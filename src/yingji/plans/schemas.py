"""Plans: In and Out models of the API. Sections by owner, in this order."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from yingji.core.text import Input
from yingji.org import codes as division_codes
from yingji.plans.codes import ActionRole, PlanKind


# -- registry: plans, versions and documents, lifecycle, filings, clocks, Excel --------------------------
def _place(value: str) -> str:
    try:
        return division_codes.normalise(value)
    except ValueError:
        raise ValueError("not a division code") from None


class _In(Input):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


class PlanMemberIn(_In):
    unit_id: int
    role: Literal["lead", "member"] = "member"
    duties: str | None = Field(None, max_length=4000)


class PlanIn(_In):
    code: str = Field(min_length=1, max_length=60, pattern=r"^[0-9A-Za-z\-_/.〔〕()]+$")
    title: str = Field(min_length=2, max_length=200)
    kind: PlanKind
    jurisdiction_code: str
    issuer: str = Field(min_length=1, max_length=120)
    issuer_unit_id: int | None = None
    lead_unit_id: int | None = None
    hq_unit_id: int | None = None
    enterprise_id: int | None = None
    event_categories: list[str] = Field(default_factory=list, max_length=30)
    parent_id: int | None = None
    note: str | None = Field(None, max_length=4000)
    members: list[PlanMemberIn] = Field(default_factory=list, max_length=200)

    _code = field_validator("jurisdiction_code")(_place)


class PlanPatch(_In):
    title: str | None = Field(None, min_length=2, max_length=200)
    issuer: str | None = Field(None, min_length=1, max_length=120)
    issuer_unit_id: int | None = None
    lead_unit_id: int | None = None
    hq_unit_id: int | None = None
    enterprise_id: int | None = None
    event_categories: list[str] | None = Field(None, max_length=30)
    parent_id: int | None = None
    note: str | None = Field(None, max_length=4000)
    members: list[PlanMemberIn] | None = Field(None, max_length=200)

    @model_validator(mode="after")
    def _required_stay(self) -> PlanPatch:
        for name in ("title", "issuer", "event_categories"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be emptied")
        return self


class PlanMemberOut(BaseModel):
    unit_id: int
    unit_name: str
    role: str
    duties: str | None


class ClockOut(BaseModel):
    id: int
    version_no: int
    kind: str
    kind_label: str
    starts_on: date
    due_on: date | None
    remind_on: date | None
    state: str
    state_label: str
    met_on: date | None
    late: bool


class PlanOut(BaseModel):
    id: int
    code: str
    title: str
    kind: str
    kind_label: str
    jurisdiction_code: str
    jurisdiction_name: str
    issuer: str
    issuer_unit_id: int | None
    lead_unit_id: int | None
    lead_unit_name: str | None
    hq_unit_id: int | None
    hq_unit_name: str | None
    enterprise_id: int | None
    event_categories: list[str]
    event_category_labels: list[str]
    parent_id: int | None
    parent_title: str | None
    state: str
    state_label: str
    in_force: bool
    version_no: int
    doc_number: str | None
    issued_on: date | None
    published_on: date | None
    filed_on: date | None
    evaluated_on: date | None
    note: str | None
    overdue: list[str]
    updated_at: datetime


class PlanPageOut(BaseModel):
    items: list[PlanOut]
    total: int
    page: int
    size: int


class VersionOut(BaseModel):
    version_no: int
    status: str
    stage: str
    major: bool
    reason: str | None
    reason_label: str | None
    change_summary: str | None
    signatory: str | None
    signatory_role: str | None
    doc_number: str | None
    issued_on: date | None
    published_on: date | None
    filed_on: date | None


class DocumentOut(BaseModel):
    id: int
    version_no: int
    kind: str
    kind_label: str
    original_name: str | None
    content_type: str
    size_bytes: int
    created_at: datetime
    url: str


class ReviewIn(_In):
    reviewer: str = Field(min_length=1, max_length=120)
    reviewer_kind: Literal["department", "expert", "public", "unit"]
    opinion: Literal["agree", "revise", "disagree"]
    comment: str = Field(min_length=1, max_length=8000)
    resolution: str | None = Field(None, max_length=4000)


class ReviewOut(BaseModel):
    id: int
    version_no: int
    reviewer: str
    reviewer_kind: str
    opinion: str
    opinion_label: str
    comment: str
    resolution: str | None
    created_at: datetime


class FilingIn(_In):
    to_jurisdiction_code: str
    to_body: str = Field(min_length=1, max_length=20)
    to_unit_id: int | None = None
    to_name: str | None = Field(None, max_length=120)
    submitted_on: date | None = None

    _code = field_validator("to_jurisdiction_code")(_place)


class FilingDecisionIn(_In):
    accept: bool
    reason: str | None = Field(None, max_length=4000)
    decided_on: date | None = None


class FilingOut(BaseModel):
    id: int
    plan_id: int
    plan_title: str
    version_no: int
    to_jurisdiction_code: str
    to_body: str
    to_body_label: str
    to_name: str
    cc: str | None
    submitted_on: date
    state: str
    state_label: str
    decided_on: date | None
    decided_by: str | None
    reason: str | None


class FilingPageOut(BaseModel):
    items: list[FilingOut]
    total: int
    page: int
    size: int


class EventOut(BaseModel):
    version_no: int
    action: str
    action_label: str
    from_state: str | None
    to_state: str | None
    comment: str | None
    actor: str
    at: datetime


class TriggerIn(_In):
    reason: str = Field(min_length=1, max_length=32)
    detail: str = Field(min_length=1, max_length=4000)
    source: Literal["drill", "response", "evaluation", "manual"] = "manual"
    source_ref: str | None = Field(None, max_length=60)


class TriggerDismissIn(_In):
    trigger_id: int = Field(ge=1)
    note: str = Field(min_length=2, max_length=4000)  # why the plan need not be revised


class TriggerOut(BaseModel):
    id: int
    reason: str
    reason_label: str
    source: str
    source_ref: str | None
    detail: str
    raised_on: date
    state: str
    handled_version_no: int | None
    handled_note: str | None


class PlanDetailOut(PlanOut):
    members: list[PlanMemberOut]
    moves: list[str]
    signatory_roles: list[str]
    filing_route: dict
    clocks: list[ClockOut]
    versions: list[VersionOut]
    documents: list[DocumentOut]
    reviews: list[ReviewOut]
    filings: list[FilingOut]
    triggers: list[TriggerOut]
    events: list[EventOut]


class StepIn(_In):
    """A plain step (send for review, to approval, return, start an evaluation) with a comment."""

    comment: str | None = Field(None, max_length=4000)


class IssueIn(_In):
    doc_number: str = Field(min_length=1, max_length=80)
    issued_on: date
    signatory: str = Field(min_length=1, max_length=120)
    signatory_role: str = Field(min_length=1, max_length=32)
    comment: str | None = Field(None, max_length=4000)


class PublishIn(_In):
    published_on: date
    how: str | None = Field(None, max_length=400)  # 政府网站, 公开栏 …


class EvaluatedIn(_In):
    outcome: Literal["keep", "revise"]
    evaluated_on: date
    findings: str = Field(min_length=1, max_length=8000)
    reason: str | None = Field(None, max_length=32)  # the revision trigger when the outcome is revise


class ReviseIn(_In):
    reason: str = Field(min_length=1, max_length=32)
    major: bool = True
    change_summary: str = Field(min_length=1, max_length=8000)


class RepealIn(_In):
    reason: str = Field(min_length=1, max_length=4000)


class CalendarYearIn(_In):
    year: int = Field(ge=2000, le=2100)
    holidays: list[str] = Field(min_length=1, max_length=60)
    workdays: list[str] = Field(default_factory=list, max_length=30)
    source: str = Field(min_length=4, max_length=200)


class CalendarYearOut(BaseModel):
    year: int
    holidays: list[date]
    workdays: list[date]
    source: str
    loaded_by: str
    loaded_at: datetime


class CalendarOut(BaseModel):
    years: list[CalendarYearOut]
    package_years: list[int]


class DueOut(BaseModel):
    issued_on: date
    filing_due: date
    publish_due: date
    evaluation_due: date


class PlanImportOut(BaseModel):
    kind: str
    created: int
    updated: int
    unchanged: int


# -- coverage ---------------------------------------------------------------------------------------
class CoverageCellOut(BaseModel):
    total: int
    covered: int
    rate: float | None  # covered / total, None when nothing is required there
    meets_goal: bool | None


class CoverageRuleOut(BaseModel):
    key: str
    label: str
    subject: str  # place, unit, enterprise
    kinds: list[str]
    required: bool
    responsible: str
    law: str
    confidence: str


class CoverageAreaOut(BaseModel):
    code: str
    name: str
    cells: dict[str, CoverageCellOut]  # by rule key
    overall: CoverageCellOut


class CoverageGapOut(BaseModel):
    rule: str
    subject: str
    subject_id: str
    name: str
    place_code: str
    place_name: str
    area_code: str
    responsible: str


class CoverageCategoryOut(BaseModel):
    code: str
    name: str
    counts: dict[str, int]  # plans in force per event category
    uncovered: list[str]


class CoverageOut(BaseModel):
    scope_code: str
    scope_name: str
    goal: float
    rules: list[CoverageRuleOut]
    areas: list[CoverageAreaOut]
    totals: dict[str, CoverageCellOut]
    overall: CoverageCellOut
    gaps: list[CoverageGapOut]
    gaps_total: int
    category_labels: dict[str, str]
    categories: list[CoverageCategoryOut]


# -- digital plans: the response part, activation under a plan --------------------------------------
FIGURE_NAMES = (
    "deaths",
    "missing",
    "serious_injuries",
    "injuries",
    "trapped",
    "direct_loss_cny",
    "relocated",
    "affected",
    "needing_aid",
    "collapsed_rooms",
    "collapsed_households",
    "threatened_people",
    "potential_loss_cny",
)
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

"""Drills: In and Out models of the API. Sections by owner, in this order."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from yingji.core.text import Input
from yingji.drills.codes import DrillForm, DrillPurpose, DrillScope, DrillState
from yingji.drills.exercise_codes import InjectKind
from yingji.incidents.schemas import Figures
from yingji.org import codes as division_codes

# -- drills: yearly drill plan, drills, participants, records, evaluation, compliance, reporting ------
# -- exercise mode: scripts and injects, measurements ----------------------------------------------


def _division(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return division_codes.normalise(value)
    except ValueError:
        raise ValueError("not a division code") from None


class DrillIn(Input):
    """A drill of the yearly drill plan (``year`` defaults to the year of ``planned_on``)."""

    jurisdiction_code: str
    year: int | None = Field(None, ge=2000, le=2100)
    title: str = Field(min_length=2, max_length=200)
    form: DrillForm
    scope: DrillScope
    purpose: DrillPurpose = DrillPurpose.TEST
    notice_time: bool = True
    notice_scenario: bool = True
    scenario: str | None = Field(None, max_length=10_000)
    planned_on: date | None = None
    starts_at: datetime | None = None
    place: str | None = Field(None, max_length=200)
    organiser_unit_id: int | None = Field(None, ge=1)
    enterprise_id: int | None = Field(None, ge=1)
    plan_ids: list[int] = Field(default_factory=list, max_length=20)
    note: str | None = Field(None, max_length=4000)

    _code = field_validator("jurisdiction_code")(_division)


class DrillPatch(Input):
    title: str | None = Field(None, min_length=2, max_length=200)
    year: int | None = Field(None, ge=2000, le=2100)
    form: DrillForm | None = None
    scope: DrillScope | None = None
    purpose: DrillPurpose | None = None
    notice_time: bool | None = None
    notice_scenario: bool | None = None
    scenario: str | None = Field(None, max_length=10_000)
    planned_on: date | None = None
    starts_at: datetime | None = None
    place: str | None = Field(None, max_length=200)
    organiser_unit_id: int | None = Field(None, ge=1)
    enterprise_id: int | None = Field(None, ge=1)
    plan_ids: list[int] | None = Field(None, max_length=20)
    note: str | None = Field(None, max_length=4000)


class DrillMoveIn(Input):
    """A move of the drill's state: ``at`` is when it started or ended (default now)."""

    state: DrillState
    at: datetime | None = None
    reason: str | None = Field(None, max_length=500)


class PlanRefOut(BaseModel):
    id: int
    code: str
    title: str
    kind: str


class DrillOut(BaseModel):
    id: int
    jurisdiction_code: str
    jurisdiction_name: str | None
    year: int
    title: str
    form: str
    form_label: str
    scope: str
    scope_label: str
    purpose: str
    purpose_label: str
    double_blind: bool
    notice_time: bool
    notice_scenario: bool
    scenario: str | None  # null for those who may not see a blind drill's scenario
    planned_on: date | None
    starts_at: datetime | None
    ended_at: datetime | None
    place: str | None
    organiser_unit_id: int | None
    organiser_unit_name: str | None
    enterprise_id: int | None
    enterprise_name: str | None
    state: str
    state_label: str
    plans: list[PlanRefOut]
    headcount: int
    note: str | None


class DrillPageOut(BaseModel):
    items: list[DrillOut]
    total: int
    page: int
    size: int


class ParticipantIn(Input):
    """A unit, a team or a person from the registries, or an outsider by name (kind ``other``)."""

    kind: str = Field(pattern="^(unit|team|person|other)$")
    unit_id: int | None = Field(None, ge=1)
    team_id: int | None = Field(None, ge=1)
    person_id: int | None = Field(None, ge=1)
    name: str | None = Field(None, min_length=1, max_length=120)
    role: str = Field("player", pattern="^(player|director|evaluator|observer)$")
    headcount: int = Field(1, ge=0, le=100_000)


class ParticipantOut(BaseModel):
    id: int
    kind: str
    kind_label: str
    unit_id: int | None
    team_id: int | None
    person_id: int | None
    name: str
    role: str
    role_label: str
    headcount: int


class RecordOut(BaseModel):
    id: int
    kind: str
    content_type: str
    size_bytes: int
    original_name: str | None
    caption: str | None
    created_at: datetime
    url: str


class EvaluationIn(Input):
    """The 评估报告 (2013 第二十三条 sections); ``final`` closes it and the drill becomes evaluated."""

    evaluated_on: date | None = None
    evaluators: str | None = Field(None, max_length=200)
    third_party: bool = False
    execution: str | None = Field(None, max_length=10_000)
    plan_fitness: str | None = Field(None, max_length=10_000)
    command: str | None = Field(None, max_length=10_000)
    responders: str | None = Field(None, max_length=10_000)
    equipment: str | None = Field(None, max_length=10_000)
    suggestions: str | None = Field(None, max_length=10_000)
    summary: str | None = Field(None, max_length=10_000)
    final: bool = False


class EvaluationOut(BaseModel):
    drill_id: int
    evaluated_on: date | None
    evaluators: str | None
    third_party: bool
    execution: str | None
    plan_fitness: str | None
    command: str | None
    responders: str | None
    equipment: str | None
    suggestions: str | None
    summary: str | None
    final: bool


class ProblemIn(Input):
    """A problem found and its follow-up: with ``plan_id`` (a plan the drill exercised) and
    ``revise`` it raises a revision trigger on that plan."""

    area: str = Field(pattern="^(plan|organisation|personnel|mechanism|support)$")
    description: str = Field(min_length=2, max_length=4000)
    measure: str | None = Field(None, max_length=4000)
    owner_unit_id: int | None = Field(None, ge=1)
    due_on: date | None = None
    plan_id: int | None = Field(None, ge=1)
    revise: bool = False


class ProblemDoneIn(Input):
    done_on: date | None = None
    note: str | None = Field(None, max_length=4000)


class ProblemOut(BaseModel):
    id: int
    drill_id: int
    seq: int
    area: str
    area_label: str
    description: str
    measure: str | None
    owner_unit_id: int | None
    owner_unit_name: str | None
    due_on: date | None
    state: str
    done_on: date | None
    done_note: str | None
    plan_id: int | None
    trigger_id: int | None


class ProgrammeIn(Input):
    jurisdiction_code: str
    year: int = Field(ge=2000, le=2100)
    title: str = Field(min_length=2, max_length=200)
    note: str | None = Field(None, max_length=4000)

    _code = field_validator("jurisdiction_code")(_division)


class ProgrammeApproveIn(Input):
    approved_on: date | None = None
    approved_by: str = Field(min_length=1, max_length=120)


class ProgrammeOut(BaseModel):
    id: int
    jurisdiction_code: str
    year: int
    title: str
    state: str
    approved_on: date | None
    approved_by: str | None
    note: str | None
    drills: list[DrillOut]


class ComplianceRowOut(BaseModel):
    subject: str
    subject_label: str
    key: str  # plan:<id>, place:<code>, enterprise:<id>
    name: str
    jurisdiction_code: str
    jurisdiction_name: str | None
    months: int
    last_drill_on: date | None
    last_drill_id: int | None
    due_on: date | None
    overdue: bool
    rule: str


class ComplianceSummaryOut(BaseModel):
    subject: str
    subject_label: str
    months: int
    total: int
    compliant: int
    overdue: int
    rate: float | None


class ComplianceOut(BaseModel):
    scope_code: str
    as_of: date
    summary: list[ComplianceSummaryOut]
    overdue: list[ComplianceRowOut]
    rows: list[ComplianceRowOut]


class ReportCountOut(BaseModel):
    key: str
    label: str
    count: int


class ReportOut(BaseModel):
    """The 定期报送 of drills held in a period: counts, headcount, plans exercised, problems and
    their follow-up, revision triggers, compliance at the period's end, and the drills."""

    scope_code: str
    scope_name: str
    year: int
    period: str
    period_label: str
    start: date
    end: date
    held: int
    planned: int
    double_blind: int
    headcount: int
    plans_exercised: int
    by_form: list[ReportCountOut]
    by_scope: list[ReportCountOut]
    by_purpose: list[ReportCountOut]
    problems: int
    problems_done: int
    triggers: int
    compliance: list[ComplianceSummaryOut]
    drills_total: int
    drills: list[DrillOut]  # the first 1,000 (drills_total counts them all)


WARNING_LEVELS = ("red", "orange", "yellow", "blue")


class InjectIn(Input):
    """A scripted event. Which fields count depends on ``kind``: an incident report needs
    ``category`` (and may carry figures), a sensor reading ``sensor_id`` and ``value``, a warning
    from upstream ``level`` and ``headline``; ``drills.script`` says what is missing."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    kind: InjectKind
    offset_minutes: int = Field(ge=0, le=7 * 24 * 60)
    title: str = Field(min_length=1, max_length=200)
    place_code: str = Field(min_length=2, max_length=15)
    # incident report
    category: str | None = Field(default=None, max_length=60)
    description: str | None = Field(default=None, max_length=2000)
    reporter_name: str | None = Field(default=None, max_length=60)
    reporter_phone: str | None = Field(default=None, max_length=30)
    figures: Figures | None = None
    # sensor reading
    sensor_id: int | None = Field(default=None, ge=1)
    value: float | None = Field(default=None, ge=-1e9, le=1e9)
    # warning from upstream (the level is also the alarm's for a sensor reading)
    level: str | None = Field(default=None, pattern="^(red|orange|yellow|blue)$")
    headline: str | None = Field(default=None, max_length=300)
    sender_name: str | None = Field(default=None, max_length=200)
    instruction: str | None = Field(default=None, max_length=2000)
    hours: int | None = Field(default=None, ge=1, le=240)


class InjectOut(BaseModel):
    id: int
    drill_id: int
    seq: int
    kind: str
    kind_label: str
    offset_minutes: int
    title: str
    place_code: str
    place_name: str | None = None
    payload: dict
    state: str
    state_label: str
    due_at: datetime | None
    injected_at: datetime | None
    error: str | None
    incident_id: int | None
    warning_id: int | None
    alarm_id: int | None


class ExerciseStartIn(Input):
    """Start the exercise: at ``starts_at`` (default now) the offsets begin to run."""

    model_config = ConfigDict(extra="forbid")

    starts_at: datetime | None = None


class ExerciseEndIn(Input):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    note: str | None = Field(default=None, max_length=2000)


class MeasurementOut(BaseModel):
    inject_id: int | None
    inject_title: str | None
    metric: str
    metric_label: str
    subject: str
    started_at: datetime
    done_at: datetime | None
    seconds: int | None
    limit_seconds: int | None
    basis: str | None
    outcome: str
    outcome_label: str


class MetricSummaryOut(BaseModel):
    metric: str
    metric_label: str
    count: int
    done: int
    within_limit: int
    late_or_overdue: int
    median_seconds: int | None
    max_seconds: int | None


class ExerciseOut(BaseModel):
    drill_id: int
    title: str
    state: str
    double_blind: bool
    starts_at: datetime | None
    ended_at: datetime | None
    frozen: bool
    injects: list[InjectOut]
    measurements: list[MeasurementOut]
    summary: list[MetricSummaryOut]
    sandbox_messages: int


class SandboxMessageOut(BaseModel):
    id: int
    channel: str
    address: str | None
    subject: str | None
    body: str | None
    at: datetime

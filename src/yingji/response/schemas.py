"""Shapes of the response API and forms: inputs validated by Pydantic; outputs (the dicts of ``out.py``)
described, field for field and in order."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from yingji.core import idempotency
from yingji.core.clock import to_utc
from yingji.core.text import Input
from yingji.response.codes import OPEN_TASK_STATES
from yingji.response.models import PRIORITIES
from yingji.warnings.schemas import Stamp  # times as isoformat(), the JSON clients had

STRICT = ConfigDict(str_strip_whitespace=True, extra="forbid")


def _aware(value: datetime | None) -> datetime | None:
    """Times without an offset are taken as Beijing time (what people type); stored as UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        from yingji.core.clock import LOCAL_TZ

        value = value.replace(tzinfo=LOCAL_TZ)
    return to_utc(value)


class ActivationIn(Input):
    """A response level; with ``plan_id`` (a registered plan in force) the plan's title and number
    are recorded and its actions at the level become tasks, notices and the checklist."""

    model_config = STRICT
    level: int = Field(ge=1, le=4)
    plan_id: int | None = Field(default=None, ge=1)
    plan_name: str | None = Field(default=None, max_length=200)
    plan_number: str | None = Field(default=None, max_length=100)
    decided_by: str = Field(min_length=1, max_length=100)
    reason: str | None = Field(default=None, max_length=4000)


class AdjustIn(Input):
    model_config = STRICT
    level: int = Field(ge=1, le=4)
    decided_by: str = Field(min_length=1, max_length=100)
    reason: str = Field(min_length=1, max_length=4000)


class EndIn(Input):
    model_config = STRICT
    decided_by: str = Field(min_length=1, max_length=100)
    reason: str = Field(min_length=1, max_length=4000)


class SectionIn(Input):
    model_config = STRICT
    code: str = Field(default="custom", max_length=32, pattern=r"^[a-z_]+$")
    name: str = Field(min_length=1, max_length=60)
    lead_person_id: int | None = None
    member_ids: list[int] = Field(default_factory=list, max_length=200)


class CommandPostIn(Input):
    model_config = STRICT
    name: str = Field(min_length=1, max_length=120)
    location: str | None = Field(default=None, max_length=300)
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    commander_person_id: int | None = None
    deputy_person_id: int | None = None
    sections: list[SectionIn] | None = Field(default=None, max_length=30)


class ConsultationIn(Input):
    model_config = STRICT
    held_at: datetime
    topic: str = Field(min_length=1, max_length=200)
    location: str | None = Field(default=None, max_length=200)
    video_link: str | None = Field(default=None, max_length=500, pattern=r"^https?://\S+$")
    host: str | None = Field(default=None, max_length=60)
    minutes: str | None = Field(default=None, max_length=20000)
    person_ids: list[int] = Field(default_factory=list, max_length=200)
    unit_ids: list[int] = Field(default_factory=list, max_length=200)
    expert_person_ids: list[int] = Field(default_factory=list, max_length=50)
    expert_ids: list[int] = Field(default_factory=list, max_length=50)  # from the expert registry (专家库)
    experts: list[str] = Field(default_factory=list, max_length=50)  # outside experts, free text
    decisions: list[str] = Field(default_factory=list, max_length=50)

    _held = field_validator("held_at")(_aware)

    @field_validator("experts", "decisions")
    @classmethod
    def _lines(cls, v: list[str]) -> list[str]:
        out = [s.strip() for s in v if s and s.strip()]
        if any(len(s) > 2000 for s in out):
            raise ValueError("too long")
        return out


class TaskIn(Input):
    model_config = STRICT
    title: str = Field(min_length=1, max_length=200)
    detail: str | None = Field(default=None, max_length=4000)
    assignee_kind: str = Field(pattern="^(unit|team|person)$")
    assignee_unit_id: int | None = None
    assignee_person_id: int | None = None
    assignee_team: str | None = Field(default=None, max_length=120)
    due_at: datetime
    priority: str = "normal"
    client_key: str | None = idempotency.client_key(max_length=80, chars=None)

    _due = field_validator("due_at")(_aware)

    @field_validator("priority")
    @classmethod
    def _priority(cls, v: str) -> str:
        if v not in PRIORITIES:
            raise ValueError("unknown priority")
        return v

    @model_validator(mode="after")
    def _one_assignee(self) -> TaskIn:
        given = {
            "unit": self.assignee_unit_id,
            "person": self.assignee_person_id,
            "team": self.assignee_team or None,
        }
        if given[self.assignee_kind] is None:
            raise ValueError(f"assignee_{self.assignee_kind} is required for this kind")
        return self


class DecisionTaskIn(Input):
    """A consultation decision turned into a task: the decision text is the title unless given."""

    model_config = STRICT
    title: str | None = Field(default=None, max_length=200)
    assignee_kind: str = Field(pattern="^(unit|team|person)$")
    assignee_unit_id: int | None = None
    assignee_person_id: int | None = None
    assignee_team: str | None = Field(default=None, max_length=120)
    due_at: datetime
    priority: str = "normal"

    _due = field_validator("due_at")(_aware)


class TaskNoteIn(Input):
    model_config = STRICT
    note: str | None = Field(default=None, max_length=4000)


class SitrepIn(Input):
    model_config = STRICT
    title: str | None = Field(default=None, max_length=200)
    issuing_body: str | None = Field(default=None, max_length=120)
    doc_number: str | None = Field(default=None, max_length=80)
    signer: str | None = Field(default=None, max_length=60)
    conditions: str = Field(min_length=1, max_length=20000)
    actions: str = Field(min_length=1, max_length=20000)
    needs: str | None = Field(default=None, max_length=20000)


class ClosureIn(Input):
    model_config = STRICT
    summary: str = Field(min_length=1, max_length=20000)
    relocation: str | None = Field(default=None, max_length=20000)
    compensation: str | None = Field(default=None, max_length=20000)
    recovery: str | None = Field(default=None, max_length=20000)


class InvestigationIn(Input):
    model_config = STRICT
    lead_body: str | None = Field(default=None, max_length=120)
    causes: str | None = Field(default=None, max_length=20000)
    responsibility: str | None = Field(default=None, max_length=20000)
    lessons: str | None = Field(default=None, max_length=20000)
    measures: str | None = Field(default=None, max_length=20000)
    submit: bool = False  # the investigation report is handed in


class ExtensionIn(Input):
    model_config = STRICT
    days: int = Field(ge=1, le=60)
    reason: str = Field(min_length=1, max_length=4000)
    approved_by: str = Field(min_length=1, max_length=100)


class PolicyStepIn(Input):
    model_config = STRICT
    offset_minutes: int = Field(ge=-7 * 24 * 60, le=7 * 24 * 60)
    action: str = Field(pattern="^(remind_assignee|notify_superior|notify_commander|notify_issuer)$")
    active_states: list[str] = Field(min_length=1)

    @field_validator("active_states")
    @classmethod
    def _states(cls, v: list[str]) -> list[str]:
        allowed = set(OPEN_TASK_STATES)
        if not set(v) <= allowed:
            raise ValueError("a step can only watch open states")
        return sorted(set(v))


class PolicyIn(Input):
    model_config = STRICT
    name: str = Field(min_length=1, max_length=100)
    steps: list[PolicyStepIn] = Field(min_length=1, max_length=20)


# -- what the routes answer ------------------------------------------------------------------------
class ActivationOut(BaseModel):
    id: int
    incident_id: int
    level: int
    plan_id: int | None
    plan_name: str | None
    plan_number: str | None
    decided_by: str
    reason: str | None
    started_at: Stamp
    ended_at: Stamp | None
    ended_how: str | None


class NamedOut(BaseModel):
    id: int
    name: str


class SectionOut(BaseModel):
    id: int
    code: str
    name: str
    lead: NamedOut | None
    members: list[NamedOut]


class CommandPostOut(BaseModel):
    id: int
    name: str
    location: str | None
    lon: float | None
    lat: float | None
    commander: NamedOut | None
    deputy: NamedOut | None
    set_up_at: Stamp
    sections: list[SectionOut]


class EscalationStepOut(BaseModel):
    seq: int
    action: str
    offset_minutes: int
    active_states: list[str]
    due_at: Stamp
    state: str
    ran_at: Stamp | None
    repairs: int
    note: str | None


class TaskOut(BaseModel):
    id: int
    incident_id: int
    seq: int
    title: str
    detail: str | None
    assignee_kind: str
    assignee_unit_id: int | None
    assignee_person_id: int | None
    assignee_team: str | None
    assignee_name: str
    priority: str
    due_at: Stamp
    state: str
    acknowledged_at: Stamp | None
    acknowledged_by: str | None
    started_at: Stamp | None
    finished_at: Stamp | None
    result: str | None
    source_decision_id: int | None


class TaskDetailOut(TaskOut):
    """A task with its frozen escalation policy (kept as stored) and its steps."""

    escalation_policy: dict[str, Any] | None
    steps: list[EscalationStepOut]


class TaskPageOut(BaseModel):
    items: list[TaskOut]
    total: int
    page: int


class OverdueTaskOut(TaskOut):
    incident_number: str
    incident_title: str


class OverdueTasksOut(BaseModel):
    items: list[OverdueTaskOut]


class ParticipantOut(BaseModel):
    kind: str
    person_id: int | None
    unit_id: int | None
    expert_id: int | None
    name: str


class DecisionOut(BaseModel):
    id: int
    seq: int
    text: str


class ConsultationOut(BaseModel):
    id: int
    seq: int
    held_at: Stamp
    topic: str
    location: str | None
    video_link: str | None
    host: str | None
    minutes: str | None
    participants: list[ParticipantOut]
    decisions: list[DecisionOut]


class SitrepOut(BaseModel):
    id: int
    seq: int
    title: str
    issuing_body: str
    doc_number: str
    signer: str | None
    conditions: str
    actions: str
    needs: str | None
    issued_at: Stamp
    docx: str
    pdf: str


class ClosureOut(BaseModel):
    closed_at: Stamp
    closed_by: str
    summary: str
    relocation: str | None
    compensation: str | None
    recovery: str | None


class InvestigationOut(BaseModel):
    state: str
    investigating_level: str | None
    lead_body: str | None
    original_due_at: Stamp | None
    due_at: Stamp | None
    basis: str | None
    extension_days: int
    extension_reason: str | None
    extended_by: str | None
    causes: str | None
    responsibility: str | None
    lessons: str | None
    measures: str | None
    submitted_at: Stamp | None


class ResponseRecordOut(BaseModel):
    incident_id: int
    status: str
    response_level: int | None
    active: ActivationOut | None
    history: list[ActivationOut]
    command_post: CommandPostOut | None
    tasks: list[TaskOut]
    consultations: list[ConsultationOut]
    sitreps: list[SitrepOut]
    closure: ClosureOut | None
    investigation: InvestigationOut | None


class PolicyOut(BaseModel):
    """The policy that applies at a place; its steps as stored (a JSON list, kept key for key)."""

    name: str
    version: int
    jurisdiction_code: str | None
    steps: list[dict[str, Any]]


class PolicySetOut(BaseModel):
    jurisdiction_code: str
    name: str
    version: int
    steps: list[dict[str, Any]]


class StatsPlaceOut(BaseModel):
    code: str
    name: str


class PeriodOut(BaseModel):
    start: str
    end: str


class FiguresOut(BaseModel):
    current: dict[str, int]
    previous: dict[str, int]
    change_pct: dict[str, float | None]


class StatsRowOut(BaseModel):
    key: str | None
    label: str
    current: dict[str, int]
    previous: dict[str, int]
    change_pct: dict[str, float | None]


class IncidentStatsOut(BaseModel):
    place: StatsPlaceOut
    period: PeriodOut
    previous_period: PeriodOut
    category: str | None
    totals: FiguresOut
    double_decline: bool
    by_category: list[StatsRowOut]
    by_grade: list[StatsRowOut]
    by_place: list[StatsRowOut]
    by_month: list[StatsRowOut]

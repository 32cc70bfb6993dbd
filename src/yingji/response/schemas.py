"""Input shapes of the response API and forms (validated by Pydantic)."""

from __future__ import annotations

from datetime import datetime

from pydantic import ConfigDict, Field, field_validator, model_validator

from yingji.core import idempotency
from yingji.core.clock import to_utc
from yingji.core.text import Input
from yingji.response.models import PRIORITIES

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
        allowed = {"assigned", "acknowledged", "in_progress"}
        if not set(v) <= allowed:
            raise ValueError("a step can only watch open states")
        return sorted(set(v))


class PolicyIn(Input):
    model_config = STRICT
    name: str = Field(min_length=1, max_length=100)
    steps: list[PolicyStepIn] = Field(min_length=1, max_length=20)

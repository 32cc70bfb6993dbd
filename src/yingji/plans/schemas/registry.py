"""Plans: In and Out models of the registry, versions and documents, lifecycle steps, filings,
clocks, the calendar and Excel."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from yingji.core.text import StrictInput
from yingji.org import codes as division_codes
from yingji.plans.codes import PlanKind


def _place(value: str) -> str:
    return division_codes.field_code(value)


_In = StrictInput


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

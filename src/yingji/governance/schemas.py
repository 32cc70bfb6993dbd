"""Input and output shapes of the work-task API and forms."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from yingji.core import idempotency
from yingji.core.text import StrictInput
from yingji.governance.codes import DeadlineKind, MeasureState, NoticeLevel, Period, SignRole, UnitRole
from yingji.org import codes

TEXT = 20_000


def _code(value: str) -> str:
    return codes.field_code(value)


_In = StrictInput


# -- plans, tasks, measures ------------------------------------------------------------------
class PlanIn(_In):
    year: int = Field(ge=2000, le=2100)
    title: str = Field(min_length=1, max_length=200)
    doc_no: str | None = Field(default=None, max_length=80)
    issuer: str = Field(min_length=1, max_length=120)
    issuer_unit_id: int | None = None
    issued_on: date | None = None
    jurisdiction_code: str
    report_period: Period = Period.MONTH
    summary_due: date | None = None
    note: str | None = Field(default=None, max_length=2000)

    _jur = field_validator("jurisdiction_code")(_code)


class TaskIn(_In):
    seq: int = Field(ge=1, le=999)
    title: str = Field(min_length=1, max_length=300)


class UnitRef(_In):
    unit_id: int
    role: UnitRole = UnitRole.LEAD


class MeasureIn(_In):
    task_id: int
    seq: int | None = Field(default=None, ge=1, le=999)
    label: str | None = Field(default=None, max_length=12)
    text: str = Field(min_length=1, max_length=TEXT)
    deadline: str = Field(
        min_length=1, max_length=40, description="长期坚持, 2024年12月, 12月上旬, 2024-12-31"
    )
    period: Period | None = None
    urgent: bool = False
    units: list[UnitRef] = Field(default_factory=list, max_length=100)
    units_text: str | None = Field(default=None, max_length=120, description="责任股室 as written")


class MoveIn(_In):
    to: MeasureState


class PlanUnitIn(_In):
    head_person_id: int | None = None
    liaison_person_id: int | None = None
    leader_person_id: int | None = None


class ReasonIn(_In):
    reason: str | None = Field(default=None, max_length=2000)


class PersonOut(BaseModel):
    id: int
    name: str
    phone: str | None = None


class UnitOut(BaseModel):
    unit_id: int
    name: str
    role: str
    wording: str | None
    person: PersonOut | None
    liaison: PersonOut | None


class MeasureOut(BaseModel):
    id: int
    plan_id: int
    task_id: int
    task_seq: int
    task_title: str
    seq: int
    label: str | None
    text: str
    deadline_kind: DeadlineKind
    due_on: date | None
    deadline_text: str | None
    period: Period
    urgent: bool
    state: MeasureState
    flag: str
    reports: int
    last_report_at: datetime | None
    units: list[UnitOut]


class TaskOut(BaseModel):
    id: int
    seq: int
    title: str
    measures: list[MeasureOut]


class PlanUnitOut(BaseModel):
    unit_id: int
    name: str
    head: PersonOut | None
    liaison: PersonOut | None
    leader: PersonOut | None
    summary_id: int | None
    signed: bool


class PlanOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    year: int
    title: str
    doc_no: str | None
    issuer: str
    issued_on: date | None
    jurisdiction_code: str
    report_period: Period
    state: str
    summary_due: date | None
    counts: dict[str, int] = Field(default_factory=dict)


class PlanDetailOut(PlanOut):
    tasks: list[TaskOut]
    units: list[PlanUnitOut]


class PlanPageOut(BaseModel):
    items: list[PlanOut]
    total: int


class MeasurePageOut(BaseModel):
    items: list[MeasureOut]
    total: int


# -- reports and ledger ----------------------------------------------------------------------
class ReportIn(_In):
    unit_id: int
    text: str = Field(min_length=1, max_length=TEXT)
    percent: int | None = Field(default=None, ge=0, le=100)
    finished: bool = False
    client_key: str | None = idempotency.client_key(max_length=60)


class EvidenceOut(BaseModel):
    id: int
    kind: str
    content_type: str
    size_bytes: int
    original_name: str | None
    url: str


class ReportOut(BaseModel):
    id: int
    measure_id: int
    unit_id: int
    unit_name: str
    period_key: str
    text: str
    percent: int | None
    finished: bool
    at: datetime
    by: str | None
    evidence: list[EvidenceOut]


class LedgerOut(BaseModel):
    measure: MeasureOut
    reports: list[ReportOut]


# -- supervision -----------------------------------------------------------------------------
class NoticeIn(_In):
    measure_id: int
    unit_id: int
    level: NoticeLevel = NoticeLevel.BLUE
    reason: str = Field(min_length=1, max_length=2000)
    reply_due: date | None = None


class AnswerIn(_In):
    answer: str = Field(min_length=1, max_length=TEXT)


class NoticeOut(BaseModel):
    id: int
    plan_id: int
    measure_id: int
    measure_text: str
    unit_id: int
    unit_name: str
    kind: str
    level: str
    state: str
    period_key: str
    reason: str
    issued_at: datetime
    reply_due: date | None
    answer: str | None
    answered_at: datetime | None
    closed_at: datetime | None
    close_note: str | None


class NoticePageOut(BaseModel):
    items: list[NoticeOut]
    total: int


class SweepOut(BaseModel):
    reminders: int
    notices: int
    escalated: int


# -- year-end summaries ----------------------------------------------------------------------
class SummaryIn(_In):
    text: str = Field(min_length=1, max_length=TEXT)


class SignIn(_In):
    role: SignRole


class SummaryOut(BaseModel):
    id: int
    plan_id: int
    unit_id: int
    unit_name: str
    text: str
    head: PersonOut | None
    head_signed_at: datetime | None
    leader: PersonOut | None
    leader_signed_at: datetime | None
    locked: bool
    evidence: list[EvidenceOut]


# -- import ----------------------------------------------------------------------------------
class ImportOut(BaseModel):
    plan_id: int
    tasks: int
    measures: int
    units: int


class CompletionOut(BaseModel):
    code: str
    on_track: int
    due: int

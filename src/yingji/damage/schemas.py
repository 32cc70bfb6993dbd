"""Input and output shapes of damage statistics."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from yingji.core import idempotency
from yingji.core.text import StrictInput
from yingji.damage.codes import OfficerPost, ReportKind
from yingji.org import codes as division_codes
from yingji.org.schemas import check_mobile


def _place(value: str | None) -> str | None:
    if value is None:
        return None
    return division_codes.field_code(value)


_In = StrictInput


# -- officers -----------------------------------------------------------------------------------
class OfficerIn(_In):
    name: str = Field(min_length=1, max_length=60)
    jurisdiction_code: str = Field(max_length=15)
    post: OfficerPost = OfficerPost.A
    mobile: str | None = Field(default=None, max_length=20)
    backup_phone: str | None = Field(default=None, max_length=30)
    position: str | None = Field(default=None, max_length=60)
    beidou_id: str | None = Field(default=None, max_length=40)
    since: date | None = None
    note: str | None = Field(default=None, max_length=2000)

    _p = field_validator("jurisdiction_code")(_place)
    _m = field_validator("mobile")(check_mobile)


class OfficerPatch(_In):
    name: str | None = Field(default=None, min_length=1, max_length=60)
    post: OfficerPost | None = None
    mobile: str | None = Field(default=None, max_length=20)
    backup_phone: str | None = Field(default=None, max_length=30)
    position: str | None = Field(default=None, max_length=60)
    beidou_id: str | None = Field(default=None, max_length=40)
    active: bool | None = None
    until: date | None = None
    note: str | None = Field(default=None, max_length=2000)

    _m = field_validator("mobile")(check_mobile)


class TrainingIn(_In):
    on: date
    course: str = Field(min_length=1, max_length=120)
    hours: float | None = Field(default=None, ge=0, le=1000)
    organiser: str | None = Field(default=None, max_length=120)
    passed: bool | None = None


class TrainingOut(BaseModel):
    id: int
    on: date
    course: str
    hours: float | None
    organiser: str | None
    passed: bool | None


class OfficerOut(BaseModel):
    id: int
    name: str
    jurisdiction_code: str
    jurisdiction_name: str | None = None
    level: str
    level_label: str
    post: str
    post_label: str
    mobile: str | None
    backup_phone: str | None
    position: str | None
    beidou_id: str | None
    active: bool
    since: date | None
    until: date | None
    note: str | None
    trainings: list[TrainingOut] = []


class OfficerPageOut(BaseModel):
    items: list[OfficerOut]
    total: int
    page: int
    size: int


class CoverageRow(BaseModel):
    code: str
    name: str
    officers: int
    a: int
    b: int
    prone: bool


class CoverageOut(BaseModel):
    villages: int
    covered: int
    without_officer: list[CoverageRow]
    prone_without_ab: list[CoverageRow]


class ImportOut(BaseModel):
    kind: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0


# -- events and reports -------------------------------------------------------------------------
class EventIn(_In):
    name: str = Field(min_length=1, max_length=200)
    hazard: str = Field(max_length=20)
    jurisdiction_code: str = Field(max_length=15)
    occurred_at: datetime
    incident_id: int | None = None
    response_launched: bool = False
    note: str | None = Field(default=None, max_length=4000)

    _p = field_validator("jurisdiction_code")(_place)


class EventMoveIn(_In):
    state: str = Field(max_length=10)
    note: str | None = Field(default=None, max_length=2000)


class FigureIn(_In):
    jurisdiction_code: str | None = Field(default=None, max_length=15)  # default: the report's place
    indicator: str = Field(max_length=40)
    cumulative: float | None = Field(default=None, ge=0, le=1e12)
    current: float | None = Field(default=None, ge=0, le=1e12)

    _p = field_validator("jurisdiction_code")(_place)


class ReportIn(_In):
    kind: ReportKind
    jurisdiction_code: str | None = Field(default=None, max_length=15)  # default: the user's place
    as_of: datetime | None = None
    report_date: date | None = None
    figures: list[FigureIn] = Field(default_factory=list, max_length=5000)
    narrative: dict[str, str] = Field(default_factory=dict)
    explanation: str | None = Field(default=None, max_length=4000)
    client_key: str | None = idempotency.client_key()
    submit: bool = False

    _p = field_validator("jurisdiction_code")(_place)

    @field_validator("narrative")
    @classmethod
    def _narrative(cls, value: dict[str, str]) -> dict[str, str]:
        allowed = {"situation", "relief", "needs", "next"}
        if set(value) - allowed or any(len(v) > 8000 for v in value.values()):
            raise ValueError("narrative keys: situation, relief, needs, next (≤ 8000 characters)")
        return value


class DecisionIn(_In):
    accept: bool
    reason: str | None = Field(default=None, max_length=2000)


class VerifyIn(_In):
    jurisdiction_code: str = Field(max_length=15)
    indicator: str = Field(max_length=40)
    cumulative: float | None = Field(default=None, ge=0, le=1e12)
    current: float | None = Field(default=None, ge=0, le=1e12)
    note: str = Field(min_length=2, max_length=2000)

    _p = field_validator("jurisdiction_code")(_place)


class FigureOut(BaseModel):
    jurisdiction_code: str
    indicator: str
    cumulative: float | None
    current: float | None


class ReportOut(BaseModel):
    id: int
    event_id: int
    kind: str
    kind_label: str
    serial: int
    jurisdiction_code: str
    jurisdiction_name: str | None = None
    as_of: datetime
    report_date: date | None
    due_at: datetime | None
    submitted_at: datetime | None
    late: bool
    overdue: bool
    state: str
    state_label: str
    return_reason: str | None
    explanation: str | None
    narrative: dict
    client_key: str | None
    figures: list[FigureOut] = []
    photos: int = 0


class EventOut(BaseModel):
    id: int
    code: str
    name: str
    hazard: str
    hazard_label: str
    jurisdiction_code: str
    jurisdiction_name: str | None = None
    occurred_at: datetime
    stable_at: datetime | None
    state: str
    state_label: str
    incident_id: int | None
    response_launched: bool
    relief_grade: str | None
    relief_grade_at: datetime | None
    rules_version: str | None
    overdue_reports: int = 0


class EventPageOut(BaseModel):
    items: list[EventOut]
    total: int
    page: int
    size: int


class RollupCell(BaseModel):
    cumulative: float | None
    current: float | None
    own: bool  # the place's own figure (else the sum of the places below)


class RollupRow(BaseModel):
    code: str
    name: str
    values: dict[str, RollupCell]


class GradeOut(BaseModel):
    grade: str | None
    label: str | None
    basis: list[str]
    measures: dict[str, int]
    major: str | None = None  # the ≥ 10 dead-and-missing rule, when it applies


class RollupOut(BaseModel):
    event_id: int
    place: str
    rows: list[RollupRow]
    total: RollupRow
    grade: GradeOut


class RevisionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    jurisdiction_code: str
    indicator: str
    old_cumulative: float | None
    new_cumulative: float | None
    old_current: float | None
    new_current: float | None
    report_id: int | None
    verification: bool
    note: str | None
    user_id: int | None


class CasualtyIn(_In):
    kind: str = Field(pattern="^(dead|missing)$")
    name: str = Field(min_length=1, max_length=60)
    gender: str | None = Field(default=None, pattern="^(M|F)$")
    age: int | None = Field(default=None, ge=0, le=130)
    id_tail: str | None = Field(default=None, pattern=r"^[0-9Xx]{4}$")
    jurisdiction_code: str = Field(max_length=15)
    address: str | None = Field(default=None, max_length=200)
    on: date | None = None
    cause: str | None = Field(default=None, max_length=200)
    report_id: int | None = None
    note: str | None = Field(default=None, max_length=2000)

    _p = field_validator("jurisdiction_code")(_place)


class CasualtyOut(BaseModel):
    id: int
    kind: str
    name: str
    gender: str | None
    age: int | None
    id_tail: str | None
    jurisdiction_code: str
    address: str | None
    on: date | None
    cause: str | None
    found: bool


class HouseIn(_In):
    jurisdiction_code: str = Field(max_length=15)
    household: str = Field(min_length=1, max_length=40)
    head_name: str = Field(min_length=1, max_length=60)
    id_tail: str | None = Field(default=None, pattern=r"^[0-9Xx]{4}$")
    mobile: str | None = Field(default=None, max_length=20)
    degree: str = Field(pattern="^(collapsed|severe|general)$")
    rooms: int = Field(default=1, ge=1, le=200)
    structure: str | None = Field(default=None, max_length=40)
    note: str | None = Field(default=None, max_length=2000)

    _p = field_validator("jurisdiction_code")(_place)
    _m = field_validator("mobile")(check_mobile)


class HouseOut(BaseModel):
    id: int
    jurisdiction_code: str
    household: str
    head_name: str
    id_tail: str | None
    mobile: str | None
    degree: str
    degree_label: str
    rooms: int
    structure: str | None


class PhotoOut(BaseModel):
    id: int
    report_id: int
    content_type: str
    size_bytes: int
    caption: str | None

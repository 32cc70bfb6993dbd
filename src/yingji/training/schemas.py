"""Input and output shapes of training and publicity."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field, field_validator, model_validator

from yingji.core import idempotency
from yingji.core.text import StrictInput
from yingji.org import codes as division_codes
from yingji.org.schemas import check_mobile
from yingji.training.codes import CourseMode, ParticipantKind, Result, Role, SessionState

KEY_CHARS = r"^[A-Za-z0-9_-]+$"  # the training pages' keys: no dots or colons


def _place(value: str | None) -> str | None:
    if value is None:
        return None
    return division_codes.field_code(value)


_In = StrictInput


# -- courses ------------------------------------------------------------------------------------
class CourseIn(_In):
    title: str = Field(min_length=1, max_length=200)
    mode: CourseMode = CourseMode.OFFLINE
    hours: float = Field(default=0, ge=0, le=500)
    topics: str | None = Field(default=None, max_length=300)
    audience: list[Role] = Field(default_factory=list, max_length=9)
    jurisdiction_code: str | None = Field(default=None, max_length=15)
    note: str | None = Field(default=None, max_length=2000)

    _p = field_validator("jurisdiction_code")(_place)


class CoursePatch(_In):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    mode: CourseMode | None = None
    hours: float | None = Field(default=None, ge=0, le=500)
    topics: str | None = Field(default=None, max_length=300)
    audience: list[Role] | None = Field(default=None, max_length=9)
    active: bool | None = None
    note: str | None = Field(default=None, max_length=2000)


class CourseOut(BaseModel):
    id: int
    title: str
    mode: str
    mode_label: str
    hours: float
    topics: str | None
    audience: list[str]
    audience_labels: list[str]
    jurisdiction_code: str
    active: bool
    note: str | None


# -- sessions -----------------------------------------------------------------------------------
class SessionIn(_In):
    course_id: int = Field(ge=1)
    title: str | None = Field(default=None, max_length=200)
    mode: CourseMode | None = None  # the course's when not given
    starts_on: date
    ends_on: date | None = None
    place: str | None = Field(default=None, max_length=200)
    organiser_unit_id: int | None = Field(default=None, ge=1)
    organiser: str | None = Field(default=None, max_length=120)
    jurisdiction_code: str | None = Field(default=None, max_length=15)
    teacher: str | None = Field(default=None, max_length=120)
    hours: float | None = Field(default=None, ge=0, le=500)  # the course's when not given
    materials: str | None = Field(default=None, max_length=4000)
    drill_id: int | None = Field(default=None, ge=1)
    note: str | None = Field(default=None, max_length=2000)

    _p = field_validator("jurisdiction_code")(_place)

    @model_validator(mode="after")
    def _dates(self):
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise ValueError("the session ends before it starts")
        if not (2000 <= self.starts_on.year <= 2100):
            raise ValueError("the date is out of range")
        return self


class SessionMoveIn(_In):
    to: SessionState


class SessionOut(BaseModel):
    id: int
    course_id: int
    course_title: str
    title: str
    mode: str
    mode_label: str
    starts_on: date
    ends_on: date
    place: str | None
    organiser_unit_id: int | None
    organiser: str | None
    jurisdiction_code: str
    jurisdiction_name: str | None = None
    teacher: str | None
    hours: float
    materials: str | None
    state: str
    state_label: str
    drill_id: int | None
    note: str | None
    participants: int = 0
    passed: int = 0


class SessionPageOut(BaseModel):
    items: list[SessionOut]
    total: int
    page: int
    size: int


# -- participants -------------------------------------------------------------------------------
class ParticipantIn(_In):
    kind: ParticipantKind
    person_id: int | None = Field(default=None, ge=1)
    member_id: int | None = Field(default=None, ge=1)
    enterprise_id: int | None = Field(default=None, ge=1)
    officer_id: int | None = Field(default=None, ge=1)
    role: Role | None = None  # for an enterprise: enterprise_head or safety_manager
    name: str | None = Field(default=None, max_length=60)
    mobile: str | None = Field(default=None, max_length=20)
    unit_name: str | None = Field(default=None, max_length=200)
    hours: float | None = Field(default=None, ge=0, le=500)
    result: Result = Result.PENDING
    score: float | None = Field(default=None, ge=0, le=1000)
    client_key: str | None = idempotency.client_key(chars=KEY_CHARS)

    @field_validator("mobile")
    @classmethod
    def _mobile(cls, value: str | None) -> str | None:
        return check_mobile(value) if value else None


class PhoneSignIn(_In):
    """The phone sign-in page: a mobile number (a person of the registry, else a named outsider)."""

    mobile: str = Field(max_length=20)
    name: str | None = Field(default=None, max_length=60)
    role: Role | None = None
    unit_name: str | None = Field(default=None, max_length=200)
    client_key: str | None = idempotency.client_key(chars=KEY_CHARS)

    @field_validator("mobile")
    @classmethod
    def _mobile(cls, value: str) -> str:
        return check_mobile(value)


class AssessIn(_In):
    result: Result | None = None
    score: float | None = Field(default=None, ge=0, le=1000)
    hours: float | None = Field(default=None, ge=0, le=500)


class ParticipantOut(BaseModel):
    id: int
    session_id: int
    kind: str
    kind_label: str
    role: str
    role_label: str
    name: str
    mobile: str | None
    unit_name: str | None
    home_code: str
    person_id: int | None
    member_id: int | None
    enterprise_id: int | None
    officer_id: int | None
    hours: float
    result: str
    result_label: str
    score: float | None
    via: str
    signed_in_at: datetime
    created: bool = False  # this call signed them in (False: they already were)


class ParticipantPageOut(BaseModel):
    items: list[ParticipantOut]
    total: int
    page: int
    size: int


class ImportOut(BaseModel):
    kind: str
    created: int
    updated: int
    unchanged: int


# -- coverage and obligations -------------------------------------------------------------------
class CoverageRow(BaseModel):
    level: str
    level_label: str
    role: str
    role_label: str
    person_times: int
    people: int


class CoverageOut(BaseModel):
    year: int
    person_times: int
    people: int
    sessions: int
    rows: list[CoverageRow]


class ObligationRow(BaseModel):
    role: str
    role_label: str
    key: int
    name: str | None
    home_code: str
    home_name: str | None = None
    unit: str | None
    needed_hours: float | None
    done_hours: float
    done_count: int
    met: bool


class ObligationSummary(BaseModel):
    role: str
    role_label: str
    kind: str
    obliged: int
    met: int
    rule: str
    source: str
    window_start: date
    window_end: date


class OverdueOut(BaseModel):
    year: int
    summary: list[ObligationSummary]
    items: list[ObligationRow]
    total: int
    page: int
    size: int


# -- publicity ----------------------------------------------------------------------------------
class PublicityIn(_In):
    title: str = Field(min_length=1, max_length=200)
    target: str = Field(max_length=16)
    day: str | None = Field(default=None, max_length=40)
    held_on: date
    place: str | None = Field(default=None, max_length=200)
    jurisdiction_code: str | None = Field(default=None, max_length=15)
    organiser: str | None = Field(default=None, max_length=120)
    audience: int = Field(default=0, ge=0, le=10_000_000)
    materials: int = Field(default=0, ge=0, le=10_000_000)
    materials_note: str | None = Field(default=None, max_length=300)
    note: str | None = Field(default=None, max_length=2000)
    client_key: str | None = idempotency.client_key(chars=KEY_CHARS)

    _p = field_validator("jurisdiction_code")(_place)

    @field_validator("held_on")
    @classmethod
    def _year(cls, value: date) -> date:
        if not (2000 <= value.year <= 2100):
            raise ValueError("the date is out of range")
        return value


class PublicityOut(BaseModel):
    id: int
    title: str
    target: str
    target_label: str
    day: str | None
    day_label: str
    held_on: date
    place: str | None
    jurisdiction_code: str
    jurisdiction_name: str | None = None
    organiser: str | None
    audience: int
    materials: int
    materials_note: str | None
    note: str | None
    photos: list[int] = []


class PublicityPageOut(BaseModel):
    items: list[PublicityOut]
    total: int
    page: int
    size: int


class StatRow(BaseModel):
    key: str
    label: str
    events: int
    audience: int
    materials: int


class PublicityStatsOut(BaseModel):
    year: int
    events: int
    audience: int
    materials: int
    by_target: list[StatRow]
    by_day: list[StatRow]
    by_place: list[StatRow]


class CalendarDay(BaseModel):
    code: str
    label: str
    on: date
    days_left: int
    through_month: bool
    source: str


class PhotoOut(BaseModel):
    id: int
    event_id: int
    content_type: str
    size_bytes: int
    caption: str | None

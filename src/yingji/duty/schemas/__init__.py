"""Input shapes of the duty API (validated by Pydantic), and what it answers (``schemas.answers``,
re-exported here). Times of day are "HH:MM" local time; instants without an offset are taken as
Asia/Shanghai."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field, field_validator, model_validator

from yingji.core import idempotency
from yingji.core.clock import LOCAL_TZ, to_utc
from yingji.core.i18n import N_
from yingji.core.text import StrictInput
from yingji.duty import rotation
from yingji.duty.codes import CallOutcome, ReportKind
from yingji.duty.schemas.answers import (  # noqa: F401 (re-exported)
    AwayOut,
    BoardGapOut,
    BoardOut,
    DaySummaryOut,
    DeletedOut,
    DutyPersonOut,
    GapListOut,
    GapOut,
    HandoverItemOut,
    HandoverItemsOut,
    HandoverOut,
    HandoverPageOut,
    LeaveDetailOut,
    LeaveOut,
    LeavePageOut,
    OnDutyListOut,
    OnDutyOut,
    OverrideListOut,
    OverrideOut,
    PeriodListOut,
    PeriodOut,
    ReporterDayOut,
    ReportListOut,
    ReportOut,
    RosterListOut,
    RosterOut,
    RotationOut,
    RotationSetOut,
    SettingDefaultOut,
    SettingListOut,
    SettingOut,
    ShiftListOut,
    ShiftOut,
    SlotStatusOut,
)
from yingji.org import codes
from yingji.ownership.schemas import OwnerOut

ROLE_PATTERN = "^(leader|officer|backup)$"
LEVEL_PATTERN = "^(town|county)$"
CLIENT_KEY = idempotency.client_key()


def time_of_day(value: str | int | None) -> int | None:
    """ "08:30" → 510 (minutes after local midnight)."""
    if value is None:
        return None
    if isinstance(value, int):
        if not 0 <= value < 1440:
            raise ValueError(N_("Not a time of day (HH:MM)."))
        return value
    try:
        return rotation.text_to_minute(value)
    except ValueError:
        raise ValueError(N_("Not a time of day (HH:MM).")) from None


def known_zone(name: str) -> str:
    """The name of a time zone zoneinfo knows (else a validation error)."""
    try:
        rotation.zone(name)
    except ValueError:
        raise ValueError(N_("Unknown time zone.")) from None
    return name


def local_instant(value: datetime) -> datetime:
    """A naive instant is Asia/Shanghai; store UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=LOCAL_TZ)
    return to_utc(value)


def division(value: str | None) -> str | None:
    """A division code in its significant form."""
    if value in (None, ""):
        return None
    try:
        return codes.normalise(value)
    except ValueError:
        raise ValueError(N_("Not a division code.")) from None


_In = StrictInput


class RosterIn(_In):
    unit_id: int
    name: str | None = Field(default=None, max_length=120)
    shift_start: int | str = Field(default="08:30", validate_default=True)
    timezone: str = Field(default="Asia/Shanghai", max_length=40)
    gap_days: int = Field(default=7, ge=1, le=60)
    note: str | None = Field(default=None, max_length=2000)

    _start = field_validator("shift_start")(time_of_day)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, v: str) -> str:
        return known_zone(v)


class RosterPatch(_In):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    shift_start: int | str | None = None
    timezone: str | None = Field(default=None, max_length=40)
    gap_days: int | None = Field(default=None, ge=1, le=60)
    active: bool | None = None
    note: str | None = Field(default=None, max_length=2000)

    _start = field_validator("shift_start")(time_of_day)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, v: str | None) -> str | None:
        return None if v is None else known_zone(v)


class RotationIn(_In):
    role: str = Field(pattern=ROLE_PATTERN)
    starts_on: date
    members: list[int] = Field(min_length=1, max_length=200)
    days_per_turn: int = Field(default=1, ge=1, le=31)
    per_shift: int = Field(default=1, ge=1, le=20)

    @field_validator("members")
    @classmethod
    def _distinct(cls, v: list[int]) -> list[int]:
        if len(set(v)) != len(v):
            raise ValueError(N_("A person appears twice in the rotation."))
        return v


class OverrideIn(_In):
    shift_date: date
    role: str = Field(pattern=ROLE_PATTERN)
    person_id: int | None = None
    replaces_person_id: int | None = None
    reason: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _someone(self) -> OverrideIn:
        if self.person_id is None and self.replaces_person_id is None:
            raise ValueError(N_("Name who comes on, who goes off, or both."))
        if self.person_id == self.replaces_person_id:
            raise ValueError(N_("A person cannot replace themselves."))
        return self


class SwapIn(_In):
    role: str = Field(pattern=ROLE_PATTERN)
    first_date: date
    first_person_id: int
    second_date: date
    second_person_id: int
    reason: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _two(self) -> SwapIn:
        if self.first_person_id == self.second_person_id or self.first_date == self.second_date:
            raise ValueError(N_("A swap needs two people on two different days."))
        return self


class LeaveIn(_In):
    person_id: int
    unit_id: int
    starts_at: datetime
    ends_at: datetime
    destination: str = Field(min_length=1, max_length=200)
    reason: str | None = Field(default=None, max_length=500)
    deputy_person_id: int | None = None
    client_key: str | None = CLIENT_KEY

    _instants = field_validator("starts_at", "ends_at")(local_instant)

    @model_validator(mode="after")
    def _order(self) -> LeaveIn:
        if self.ends_at <= self.starts_at:
            raise ValueError(N_("The leave must end after it starts."))
        if self.deputy_person_id == self.person_id:
            raise ValueError(N_("The deputy must be someone else."))
        return self


class LeaveDecision(_In):
    approve: bool
    note: str | None = Field(default=None, max_length=500)


class HandoverIn(_In):
    shift_date: date | None = None  # default: the shift on duty now
    summary: str = Field(min_length=1, max_length=20_000)
    new_items: list[str] = Field(default_factory=list, max_length=50)
    close_item_ids: list[int] = Field(default_factory=list, max_length=200)
    client_key: str | None = CLIENT_KEY
    # 首接负责制: the items the outgoing officer owns, handed by name to the incoming one in this act
    to_user_id: int | None = Field(default=None, ge=1)
    hand_owned_ids: list[int] = Field(default_factory=list, max_length=500)
    hand_all: bool = False  # every open item the outgoing officer owns at this desk

    @field_validator("new_items")
    @classmethod
    def _items(cls, v: list[str]) -> list[str]:
        items = [t.strip() for t in v if t and t.strip()]
        if any(len(t) > 500 for t in items):
            raise ValueError(N_("An open item is longer than 500 characters."))
        return items


class HandoverConfirm(_In):
    note: str | None = Field(default=None, max_length=2000)


class ItemClose(_In):
    note: str | None = Field(default=None, max_length=500)


class ReportSettingIn(_In):
    jurisdiction_code: str
    level: str = Field(pattern=LEVEL_PATTERN)
    deadline: int | str
    remind_minutes: int = Field(default=60, ge=0, le=720)
    active: bool = True
    note: str | None = Field(default=None, max_length=300)

    _deadline = field_validator("deadline")(time_of_day)
    _code = field_validator("jurisdiction_code")(division)


class SpecialPeriodIn(_In):
    jurisdiction_code: str
    name: str = Field(min_length=1, max_length=100)
    kind: str = Field(pattern="^(holiday|flood_season|sensitive|other)$")
    starts_on: date
    ends_on: date
    deadlines: dict[str, list[int | str]]
    note: str | None = Field(default=None, max_length=300)

    _code = field_validator("jurisdiction_code")(division)

    @field_validator("deadlines")
    @classmethod
    def _deadlines(cls, v: dict[str, list[int | str]]) -> dict[str, list[int]]:
        out = {}
        for level, times in v.items():
            if level not in ("town", "county"):
                raise ValueError(N_("Deadlines are given for town and county."))
            minutes = sorted({time_of_day(t) for t in times})
            if not 1 <= len(minutes) <= 6:
                raise ValueError(N_("One to six deadlines a day."))
            out[level] = minutes
        if not out:
            raise ValueError(N_("Give the deadlines of at least one level."))
        return out

    @model_validator(mode="after")
    def _order(self) -> SpecialPeriodIn:
        if self.ends_on < self.starts_on:
            raise ValueError(N_("The period must end on or after its start."))
        return self


class RoutineReportIn(_In):
    jurisdiction_code: str | None = None  # default: the reporter's own town or county
    report_date: date | None = None  # with slot; default: the period due next
    slot: int | None = Field(default=None, ge=0, le=5)
    kind: str = Field(pattern="^(daily|zero)$")
    summary: str | None = Field(default=None, max_length=20_000)
    client_key: str | None = CLIENT_KEY

    _code = field_validator("jurisdiction_code")(division)

    @model_validator(mode="after")
    def _content(self) -> RoutineReportIn:
        if self.kind == ReportKind.DAILY and not (self.summary or "").strip():
            raise ValueError(N_("A daily report needs its content."))
        if (self.report_date is None) != (self.slot is None):
            raise ValueError(N_("Give both the date and the period, or neither."))
        return self


class CallIn(_In):
    """A call taken at the duty desk (值班来电登记)."""

    received_at: datetime | None = None  # default: now
    caller_name: str | None = Field(default=None, max_length=60)
    caller_phone: str | None = Field(default=None, max_length=30, pattern=r"^[0-9+\-() ]*$")
    summary: str = Field(min_length=1, max_length=5000)
    outcome: CallOutcome = CallOutcome.PENDING
    incident_number: str | None = Field(default=None, max_length=40)  # when it became an incident
    transferred_to: str | None = Field(default=None, max_length=200)
    outcome_note: str | None = Field(default=None, max_length=500)
    client_key: str | None = CLIENT_KEY

    @field_validator("received_at")
    @classmethod
    def _instant(cls, v: datetime | None) -> datetime | None:
        return local_instant(v) if v is not None else None


class CallOutcomeIn(_In):
    """What became of a pending call."""

    outcome: CallOutcome
    incident_number: str | None = Field(default=None, max_length=40)
    transferred_to: str | None = Field(default=None, max_length=200)
    outcome_note: str | None = Field(default=None, max_length=500)


class CallOut(BaseModel):
    id: int
    jurisdiction_code: str
    received_at: datetime
    caller_name: str | None
    caller_phone: str | None
    summary: str
    outcome: str
    outcome_label: str
    incident_id: int | None
    incident_number: str | None
    transferred_to: str | None
    outcome_note: str | None
    taken_by: str
    owner: OwnerOut | None


class CallPageOut(BaseModel):
    items: list[CallOut]
    total: int
    page: int
    size: int

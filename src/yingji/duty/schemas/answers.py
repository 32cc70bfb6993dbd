"""What the duty API answers (``duty.out`` builds the dicts; each model lists their keys in order)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from yingji.core.stamp import Stamp


# -- who is on, shifts, rosters ---------------------------------------------------------------
class DutyPersonOut(BaseModel):
    person_id: int
    name: str
    title: str | None
    mobile: str | None
    office_phone: str | None
    acting_for: str | None
    acting_for_id: int | None


class AwayOut(BaseModel):
    """On the rotation but on approved leave."""

    person_id: int
    name: str
    role: str
    leave_id: int
    destination: str


class ShiftOut(BaseModel):
    day: date
    starts_at: Stamp
    ends_at: Stamp
    leader: DutyPersonOut | None
    leaders: list[DutyPersonOut]
    officers: list[DutyPersonOut]
    backups: list[DutyPersonOut]
    away: list[AwayOut]
    gaps: list[str]


class ShiftListOut(BaseModel):
    roster_id: int
    items: list[ShiftOut]


class OnDutyOut(BaseModel):
    roster_id: int
    roster_name: str
    unit_id: int
    unit_name: str
    duty_phone: str | None
    jurisdiction_code: str
    jurisdiction_name: str
    shift: ShiftOut


class OnDutyListOut(BaseModel):
    items: list[OnDutyOut]


class GapOut(BaseModel):
    """A shift ahead with nobody in a role."""

    roster_id: int
    unit_name: str
    jurisdiction_code: str
    day: date
    role: str
    starts_at: Stamp


class GapListOut(BaseModel):
    items: list[GapOut]


class BoardGapOut(GapOut):
    key: str


class RotationOut(BaseModel):
    id: int
    role: str
    starts_on: date
    members: list[int]
    days_per_turn: int
    per_shift: int


class RotationSetOut(BaseModel):
    id: int
    role: str
    starts_on: date
    members: list[int]


class RosterOut(BaseModel):
    id: int
    unit_id: int
    unit_name: str
    jurisdiction_code: str
    name: str
    shift_start: str
    timezone: str
    gap_days: int
    active: bool
    note: str | None
    rotations: list[RotationOut]


class RosterListOut(BaseModel):
    items: list[RosterOut]


class OverrideOut(BaseModel):
    id: int
    roster_id: int
    shift_date: date
    role: str
    person_id: int | None
    replaces_person_id: int | None
    kind: str
    swap_key: str | None
    reason: str | None
    created_by: str | None


class OverrideListOut(BaseModel):
    items: list[OverrideOut]


class DeletedOut(BaseModel):
    deleted: int


# -- handover ---------------------------------------------------------------------------------
class HandoverItemOut(BaseModel):
    id: int
    text: str
    opened_handover_id: int | None
    opened_at: Stamp
    closed_handover_id: int | None
    closed_at: Stamp | None
    closed_by: str | None
    close_note: str | None


class HandoverOut(BaseModel):
    id: int
    roster_id: int
    shift_date: date
    summary: str
    written_by: str
    written_at: Stamp
    confirmed_by: str | None
    confirmed_at: Stamp | None
    confirm_note: str | None


class HandoverItemsOut(HandoverOut):
    """A handover with the items it opened and those it closed."""

    opened: list[HandoverItemOut]
    closed: list[HandoverItemOut]


class HandoverPageOut(BaseModel):
    items: list[HandoverItemsOut]
    total: int
    open_items: list[HandoverItemOut]
    shift_date_now: date


# -- leave and routine reports ----------------------------------------------------------------
class LeaveOut(BaseModel):
    id: int
    person_id: int
    person_name: str
    unit_id: int
    unit_name: str
    jurisdiction_code: str
    starts_at: Stamp
    ends_at: Stamp
    destination: str
    reason: str | None
    deputy_person_id: int | None
    deputy_name: str | None
    deputy_mobile: str | None
    status: str
    requested_by: str | None
    decided_by: str | None
    decided_at: Stamp | None
    decision_note: str | None


class LeaveDetailOut(LeaveOut):
    can_decide: bool


class LeavePageOut(BaseModel):
    items: list[LeaveOut]
    total: int


class ReportOut(BaseModel):
    id: int
    jurisdiction_code: str
    level: str
    report_date: date
    slot: int
    kind: str
    summary: str | None
    deadline_at: Stamp
    submitted_at: Stamp
    late: bool
    submitted_by: str | None


class ReportListOut(BaseModel):
    items: list[ReportOut]


class SlotStatusOut(BaseModel):
    slot: int
    deadline_at: Stamp
    period: str | None
    status: str
    report_id: int | None
    submitted_at: Stamp | None
    kind: str | None


class ReporterDayOut(BaseModel):
    code: str
    name: str
    level: str
    parent_code: str | None
    status: str
    slots: list[SlotStatusOut]


class DaySummaryOut(BaseModel):
    """Who reported, who was late, who is missing on a day; counts by status (and by level)."""

    day: date
    counts: dict[str, int]
    counts_by_level: dict[str, dict[str, int]]
    places: list[ReporterDayOut]


class BoardOut(BaseModel):
    day: date
    own: list[OnDutyOut]
    below: list[OnDutyOut]
    reports: DaySummaryOut
    away: list[LeaveOut]
    gaps: list[BoardGapOut]


class SettingOut(BaseModel):
    id: int
    jurisdiction_code: str
    level: str
    deadline: str
    remind_minutes: int
    active: bool
    note: str | None


class SettingDefaultOut(BaseModel):
    deadline: str
    remind_minutes: int


class SettingListOut(BaseModel):
    defaults: dict[str, SettingDefaultOut]
    items: list[SettingOut]


class PeriodOut(BaseModel):
    id: int
    jurisdiction_code: str
    name: str
    kind: str
    starts_on: date
    ends_on: date
    deadlines: dict[str, list[str]]
    note: str | None


class PeriodListOut(BaseModel):
    items: list[PeriodOut]

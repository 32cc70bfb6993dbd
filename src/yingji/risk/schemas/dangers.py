"""Shapes of the hidden-danger loop, the village meetings, dynamic clearing and local settings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import ConfigDict, Field, field_validator

from yingji.core import idempotency
from yingji.risk.schemas.common import MONTH, Out, Strict, division, phone


class DangerIn(Strict):
    title: str = Field(min_length=2, max_length=200)
    description: str | None = Field(default=None, max_length=4000)
    category: str = "other"
    source: str = Field(default="grid", pattern="^(inspection|grid|enterprise|public)$")
    jurisdiction_code: str | None = None
    enterprise_id: int | None = None
    risk_point_id: int | None = None
    location: str | None = Field(default=None, max_length=200)
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    reporter_name: str | None = Field(default=None, max_length=60)
    reporter_phone: str | None = None
    client_key: str | None = idempotency.client_key()
    register_now: bool = False  # register at once (登记) when the reporter may

    _jur = field_validator("jurisdiction_code")(division)
    _phone = field_validator("reporter_phone")(phone)


class RectificationPlanIn(Strict):
    """The 重大 danger's plan: every field is required (RULES.md §7)."""

    target_tasks: str = Field(min_length=2, max_length=4000)
    methods_measures: str = Field(min_length=2, max_length=4000)
    funds_materials: str = Field(min_length=2, max_length=4000)
    responsible_body: str = Field(min_length=2, max_length=200)
    responsible_people: str = Field(min_length=2, max_length=200)
    time_limit: date
    safety_measures: str = Field(min_length=2, max_length=4000)
    emergency_plan: str = Field(min_length=2, max_length=4000)


class ActionIn(Strict):
    """What a step of the loop takes; each step reads the fields it needs."""

    note: str | None = Field(default=None, max_length=4000)
    checklist: dict[str, bool] | None = None
    category: str | None = None
    responsible_party: str | None = Field(default=None, max_length=200)
    responsible_person: str | None = Field(default=None, max_length=60)
    responsible_phone: str | None = None
    measures: str | None = Field(default=None, max_length=4000)
    funds_cny: int | None = Field(default=None, ge=0, le=10_000_000_000)
    deadline: date | None = None
    plan: RectificationPlanIn | None = None
    client_key: str | None = idempotency.client_key()

    _phone = field_validator("responsible_phone")(phone)


class MeetingIn(Strict):
    jurisdiction_code: str
    month: str = Field(pattern=MONTH)
    held_on: date
    host: str = Field(min_length=1, max_length=60)
    attendees: str | None = Field(default=None, max_length=2000)
    minutes: str = Field(min_length=2, max_length=20000)
    decisions: str | None = Field(default=None, max_length=8000)
    danger_ids: list[int] = Field(default=[], max_length=200)
    client_key: str | None = idempotency.client_key()

    _jur = field_validator("jurisdiction_code")(division)


class SettingsIn(Strict):
    lec_mapping: str | None = Field(default=None, pattern="^[AB]$")
    ls_banding: str | None = Field(default=None, pattern="^(standard|alternative)$")
    remind_days: int | None = Field(default=None, ge=0, le=60)
    enforcement: dict | None = None
    source: str | None = Field(default=None, max_length=200)


class DangerOut(Out):
    id: int
    number: str = Field(description="the ledger number people quote (YH + year + id)")
    jurisdiction_code: str
    enterprise_id: int | None
    risk_point_id: int | None
    inspection_id: int | None
    source: str
    category: str
    title: str
    description: str | None
    location: str | None
    lon: float | None
    lat: float | None
    status: str
    grade: str | None = Field(description="general or major, once graded")
    checklist: dict[str, bool] | None
    responsible_party: str | None
    responsible_person: str | None
    responsible_phone: str | None
    measures: str | None
    funds_cny: int | None
    deadline: date | None
    overdue: bool
    completion_note: str | None
    review_note: str | None
    supervised_by: str | None
    listed: bool = Field(description="listed for supervision (挂牌督办)")
    escalation: int
    found_at: datetime
    registered_at: datetime | None
    graded_at: datetime | None
    rectifying_at: datetime | None
    reviewing_at: datetime | None
    accepted_at: datetime | None
    closed_at: datetime | None
    next_steps: list[str] = Field(description="the steps the loop allows from the current state")
    reporter_name: str | None = Field(default=None, description="only for those who manage dangers")
    reporter_phone: str | None = Field(default=None, description="only for those who manage dangers")


class DangerPage(Out):
    items: list[DangerOut]
    total: int
    page: int
    size: int


class DangerPlanOut(Out):
    """The 重大 danger's rectification plan (the fields of the rule table)."""

    model_config = ConfigDict(extra="allow")
    target_tasks: str
    methods_measures: str
    funds_materials: str
    responsible_body: str
    responsible_people: str
    time_limit: date
    safety_measures: str
    emergency_plan: str


class DangerPhotoRef(Out):
    id: int
    stage: str = Field(description="before or after rectification")
    url: str
    width: int


class DangerEventOut(Out):
    at: datetime
    action: str
    from_status: str | None = Field(alias="from")
    to_status: str | None = Field(alias="to")
    actor: str
    note: str | None


class DangerDetailOut(DangerOut):
    plan: DangerPlanOut | None
    photos: list[DangerPhotoRef]
    events: list[DangerEventOut]


class DangerPhotoOut(Out):
    id: int
    stage: str
    width: int
    height: int


class MeetingOut(Out):
    id: int
    jurisdiction_code: str
    month: str
    held_on: date
    host: str
    attendees: str | None
    minutes: str
    decisions: str | None
    reported_at: datetime | None = Field(description="when reported to the town (once)")
    danger_ids: list[int]


class MeetingCoverageOut(Out):
    month: str
    villages: int
    held: int
    reported: int


class MeetingPage(Out):
    items: list[MeetingOut]
    total: int
    coverage: MeetingCoverageOut


class ClearingRowOut(Out):
    town_code: str
    town: str
    month: str = Field(description='YYYY-MM; "" in the per-town sums')
    found: int
    rectified: int
    open: int
    overdue: int
    ever_overdue: int
    major: int
    dismissed: int
    rate: float | None = Field(description="rectified / (found - dismissed)")


class ClearingTownOut(ClearingRowOut):
    cleared: bool = Field(description="nothing left open")


class ClearingOut(Out):
    rows: list[ClearingRowOut] = Field(description="per town and month, newest month first")
    towns: list[ClearingTownOut]


class SettingsOut(Out):
    jurisdiction_code: str
    lec_mapping: str
    ls_banding: str
    remind_days: int
    enforcement: dict[str, Any]
    set_by: dict[str, str] = Field(description='field → the place whose row set it ("" = national)')

"""Input shapes of incident intake and reports (validated by Pydantic), and what the API answers."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from yingji.core import idempotency
from yingji.core.stamp import Stamp
from yingji.core.text import Input
from yingji.incidents.models import MEASURES
from yingji.org import codes
from yingji.ownership.schemas import OwnerOut
from yingji.rules.grading import subcategory

IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9._:\-]{8,80}$")
MAX_COUNT = 10_000_000  # people, rooms, households: more is a typing error
MAX_CNY = 10**13
MONEY = frozenset({"direct_loss_cny", "potential_loss_cny"})


def check_key(value: str | None) -> str | None:
    """An idempotency key: 8–80 letters, digits and ``._:-`` (a UUID fits)."""
    if value in (None, ""):
        return None
    if not IDEMPOTENCY_KEY.match(value):
        raise ValueError("an idempotency key is 8 to 80 letters, digits or ._:-")
    return value


def _figure(name: str, value: int | None) -> int | None:
    if value is None:
        return None
    limit = MAX_CNY if name in MONEY else MAX_COUNT
    if not 0 <= value <= limit:
        raise ValueError(f"between 0 and {limit}")
    return value


class Figures(Input):
    """Casualties and losses; absent = unchanged in a follow-up, 0 in a first report."""

    model_config = ConfigDict(extra="forbid")

    deaths: int | None = None
    missing: int | None = None
    serious_injuries: int | None = None
    injuries: int | None = None
    trapped: int | None = None
    direct_loss_cny: int | None = None
    relocated: int | None = None
    affected: int | None = None
    needing_aid: int | None = None
    collapsed_rooms: int | None = None
    collapsed_households: int | None = None
    threatened_people: int | None = None
    potential_loss_cny: int | None = None

    @field_validator(*MEASURES)
    @classmethod
    def _check(cls, value: int | None, info: ValidationInfo) -> int | None:
        return _figure(info.field_name, value)

    def given(self) -> dict[str, int]:
        return {m: v for m in MEASURES if (v := getattr(self, m)) is not None}


class IncidentIn(Input):
    """A first report (首报): what, where, when, how bad."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    category: str = Field(max_length=60)
    title: str | None = Field(default=None, max_length=200)
    occurred_at: datetime | None = None
    received_at: datetime | None = None  # when the first receiver got it (default: now)
    lon: float | None = None
    lat: float | None = None
    located_by: str | None = Field(default=None, pattern="^(gps|map|place)$")
    jurisdiction_code: str | None = None
    address: str | None = Field(default=None, max_length=300)
    description: str | None = Field(default=None, max_length=10_000)
    reporter_name: str | None = Field(default=None, max_length=60)
    reporter_phone: str | None = Field(default=None, max_length=30)
    source: str = Field(default="chain", pattern="^(chain|own)$")
    figures: Figures = Field(default_factory=Figures)
    idempotency_key: str | None = idempotency.client_key(min_length=None, max_length=None, chars=None)

    _key = field_validator("idempotency_key")(check_key)

    @field_validator("category")
    @classmethod
    def _category(cls, v: str) -> str:
        if subcategory(v) is None:
            raise ValueError("not a category of the code table")
        return v

    @field_validator("jurisdiction_code")
    @classmethod
    def _code(cls, v: str | None) -> str | None:
        if not v:
            return None
        try:
            return codes.normalise(v)
        except ValueError:
            raise ValueError("not a division code") from None

    @field_validator("occurred_at", "received_at")
    @classmethod
    def _aware(cls, v: datetime | None) -> datetime | None:
        if v is not None and v.tzinfo is None:
            raise ValueError("give the time with its offset, e.g. 2026-11-24T08:30:00+08:00")
        return v


class ReportIn(Input):
    """A follow-up (续报), final (终报) or supplementary (补报) report on an incident."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    kind: str = Field(default="follow_up", pattern="^(follow_up|final)$")
    text: str | None = Field(default=None, max_length=10_000)
    source: str = Field(default="chain", pattern="^(chain|own)$")
    figures: Figures = Field(default_factory=Figures)
    idempotency_key: str | None = idempotency.client_key(min_length=None, max_length=None, chars=None)

    _key = field_validator("idempotency_key")(check_key)


class ForwardIn(Input):
    model_config = ConfigDict(extra="forbid")

    to: str | None = Field(default=None, pattern="^(town|county|city|province|national)$")


class MergeIn(Input):
    model_config = ConfigDict(extra="forbid")

    duplicate_id: int


# -- output shapes (incidents/out.py builds them; the API routes name them as response_model) -----
class IncidentSummaryOut(BaseModel):
    """An incident in a list: with the owner the list shows (首接负责制: the caller's level's, else
    the first level that took it in)."""

    id: int
    number: str
    title: str
    category: str
    jurisdiction_code: str
    jurisdiction_name: str | None
    status: str
    grade: str | None
    occurred_at: datetime
    received_at: datetime
    lon: float | None
    lat: float | None
    merged_into_id: int | None
    figures: dict[str, Any]  # casualties, losses … as reported (MEASURES)
    drill_id: int | None  # made by a drill (演练)
    owner: OwnerOut | None = None


class IncidentPageOut(BaseModel):
    items: list[IncidentSummaryOut]
    total: int
    total_is_lower_bound: bool
    next: str | None


class DuplicateOut(IncidentSummaryOut):
    """A possible duplicate of a new first report: near in place and time."""

    distance_m: int
    minutes_apart: int


class ReportOut(BaseModel):
    id: int
    seq: int
    kind: str  # first | follow_up | final | supplementary
    source: str
    received_at: datetime
    from_level: str | None
    jurisdiction_code: str
    text: str | None
    grade_after: str | None
    merged_from_report_id: int | None
    figures: dict[str, Any]


class IncidentDetailOut(IncidentSummaryOut):
    """One incident in full, with its first receiver and owner at every level that took it in."""

    owners: list[OwnerOut]
    grading_kind: str | None
    grade_basis: list[Any]
    address: str | None
    description: str | None
    located_by: str | None
    reporter_name: str | None
    reporter_phone: str | None  # masked unless the principal may see phones
    response_level: int | None
    final_report_at: datetime | None
    supplementary_until: datetime | None
    closed_at: datetime | None
    reports: list[ReportOut]
    deadlines: list[dict[str, Any]]  # reporting deadlines to the levels above (out.deadline_out)
    receipts: list[dict[str, Any]]
    photos: list[dict[str, Any]]


class IncidentCreatedOut(IncidentDetailOut):
    created: bool  # false: the Idempotency-Key was seen, this is the first result (200)
    duplicates: list[DuplicateOut]


class ReportCreatedOut(ReportOut):
    created: bool
    incident: IncidentSummaryOut


class DuplicateRowOut(DuplicateOut):
    """A possible duplicate as the duplicates routes always wrote it (times "+00:00"; their list has
    no owner)."""

    occurred_at: Stamp
    received_at: Stamp


class DuplicateListOut(BaseModel):
    items: list[DuplicateRowOut]


class ReceivedOut(BaseModel):
    received: bool  # false: your level had already received it


class ReceiptOut(BaseModel):
    """A level's receipt of the incident (签收 / 上报)."""

    level: str
    level_code: str
    received_at: Stamp
    how: str
    from_level: str | None


class TimelineEventOut(BaseModel):
    at: Stamp
    kind: str
    summary: str
    actor: str | None
    data: Any  # the structured facts (a JSON object, or null)


class TimelineOut(BaseModel):
    items: list[TimelineEventOut]


class PlaceOut(BaseModel):
    """The deepest division containing a point."""

    code: str
    name: str
    level: str


class PhotoOut(BaseModel):
    id: int
    url: str
    content_type: str
    size_bytes: int
    width: int
    height: int
    sha256: str

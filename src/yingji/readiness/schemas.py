"""Input and output shapes of readiness: scorecards, confirmations by hand, HQ meetings."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field, field_validator

from yingji.core import idempotency
from yingji.core.text import StrictInput
from yingji.org import codes as division_codes


def _place(value: str) -> str:
    return division_codes.field_code(value)


_In = StrictInput


# -- scorecards ---------------------------------------------------------------------------------
class RuleOut(BaseModel):
    key: str
    label: str
    met: bool | None  # None: no data for it in this installation (confirmed by hand instead)


class HeldOut(BaseModel):
    id: int
    override: bool
    note: str
    confirmed_by: str
    confirmed_at: datetime
    expires_on: date
    evidence: int


class ItemOut(BaseModel):
    ref: str
    model: str
    key: str
    no: str
    label: str
    state: str
    state_label: str
    met: bool
    hand: bool  # needs (or is only) a confirmation by hand
    evidence_required: bool
    rules: list[RuleOut]
    missing: list[str]
    how: str
    source: str
    confirmation: HeldOut | None


class CardSummaryOut(BaseModel):
    code: str
    name: str
    level: str
    parent_code: str | None
    met: int
    total: int
    score: float
    overrides: int
    missing: list[str]  # the missing items, named


class CardOut(CardSummaryOut):
    items: list[ItemOut]


class CardPageOut(BaseModel):
    items: list[CardSummaryOut]
    total: int
    page: int
    size: int
    met: int
    items_total: int


class ShareOut(BaseModel):
    code: str
    met: int
    total: int


# -- confirmations ------------------------------------------------------------------------------
class ConfirmIn(_In):
    jurisdiction_code: str = Field(min_length=9, max_length=15)
    item: str = Field(min_length=3, max_length=60)  # "<model>.<item>", e.g. "town_863.net_publicity"
    note: str = Field(min_length=2, max_length=2000)
    override: bool = False  # required to confirm an item whose computed part is not met

    _code = field_validator("jurisdiction_code")(_place)


class ConfirmationOut(BaseModel):
    id: int
    jurisdiction_code: str
    item: str
    note: str
    override: bool
    confirmed_by: str
    confirmed_at: datetime
    expires_on: date
    withdrawn_at: datetime | None
    evidence: list[EvidenceOut]


class EvidenceOut(BaseModel):
    id: int
    kind: str
    content_type: str
    size_bytes: int
    original_name: str | None
    uploaded_by: str
    created_at: datetime
    url: str


# -- meetings -----------------------------------------------------------------------------------
class FollowUpIn(_In):
    text: str = Field(min_length=2, max_length=1000)
    owner_name: str = Field(min_length=1, max_length=100)
    owner_username: str | None = Field(default=None, max_length=60)  # the user who may close it
    due_on: date | None = None


class MeetingIn(_In):
    jurisdiction_code: str = Field(min_length=9, max_length=9)
    held_on: date
    title: str = Field(min_length=2, max_length=200)
    place: str | None = Field(default=None, max_length=200)
    chair: str | None = Field(default=None, max_length=60)
    attendees: str = Field(min_length=2, max_length=5000)
    agenda: str = Field(min_length=2, max_length=5000)
    situation: str | None = Field(default=None, max_length=10000)
    decisions: str | None = Field(default=None, max_length=10000)
    followups: list[FollowUpIn] = Field(default_factory=list, max_length=50)
    client_key: str | None = idempotency.client_key(min_length=None, chars=None)

    @field_validator("jurisdiction_code")
    @classmethod
    def _town(cls, value: str) -> str:
        code = _place(value)
        if len(code) != 9:
            raise ValueError("not a town")
        return code


class FollowUpMoveIn(_In):
    state: str = Field(pattern="^(open|done)$")
    note: str | None = Field(default=None, max_length=1000)


class FollowUpOut(BaseModel):
    id: int
    meeting_id: int
    text: str
    owner_name: str
    owner_user_id: int | None
    due_on: date | None
    overdue: bool
    state: str
    state_label: str
    closed_at: datetime | None
    closed_by: str | None
    close_note: str | None
    can_close: bool


class MeetingOut(BaseModel):
    id: int
    jurisdiction_code: str
    place_name: str
    held_on: date
    year: int
    quarter: int
    title: str
    place: str | None
    chair: str | None
    attendees: str
    agenda: str
    situation: str | None
    decisions: str | None
    recorded_by: str
    followups: list[FollowUpOut]
    evidence: list[EvidenceOut]


class MeetingPageOut(BaseModel):
    items: list[MeetingOut]
    total: int
    page: int
    size: int


ConfirmationOut.model_rebuild()

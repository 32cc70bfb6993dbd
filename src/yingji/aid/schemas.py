"""Input and output shapes of the aid API and forms."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field, field_validator, model_validator

from yingji.aid.codes import ProgrammeKind, ProgrammeState, RebuildMode, RebuildState
from yingji.core import idempotency
from yingji.core.text import StrictInput
from yingji.org import codes

NOTE = 2000


def _code(value: str | None) -> str | None:
    if value in (None, ""):
        return None
    return codes.field_code(value)


_In = StrictInput


# -- programmes -------------------------------------------------------------------------------
class ProgrammeIn(_In):
    title: str = Field(min_length=1, max_length=200)
    kind: ProgrammeKind
    jurisdiction_code: str
    season: str | None = Field(default=None, pattern=r"^\d{4}(-\d{4})?$")
    event_id: int | None = None
    standard_yuan_per_person: float | None = Field(default=None, ge=0, le=1_000_000)
    budget_yuan: float | None = Field(default=None, ge=0, le=1e12)
    note: str | None = Field(default=None, max_length=NOTE)

    _jur = field_validator("jurisdiction_code")(_code)


class ProgrammePatch(_In):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    standard_yuan_per_person: float | None = Field(default=None, ge=0, le=1_000_000)
    budget_yuan: float | None = Field(default=None, ge=0, le=1e12)
    note: str | None = Field(default=None, max_length=NOTE)


class MoveIn(_In):
    to: ProgrammeState
    note: str | None = Field(default=None, max_length=NOTE)
    override_note: str | None = Field(default=None, max_length=NOTE)


class ProgrammeOut(BaseModel):
    id: int
    code: str
    title: str
    kind: str
    kind_label: str
    jurisdiction_code: str
    jurisdiction_name: str | None = None
    season: str | None
    event_id: int | None
    survey_due: date | None
    survey_overdue: bool
    state: str
    state_label: str
    moves: list[str]
    standard_yuan_per_person: float | None
    budget_yuan: float | None
    approved_at: datetime | None
    note: str | None
    households: int = 0
    people_in_need: int = 0


class ProgrammePageOut(BaseModel):
    items: list[ProgrammeOut]
    total: int


# -- recipients -------------------------------------------------------------------------------
class RecipientIn(_In):
    """A household surveyed: from the resident registry (``resident_id``) or typed in."""

    resident_id: int | None = None
    jurisdiction_code: str | None = None
    household: str | None = Field(default=None, max_length=40)
    head_name: str | None = Field(default=None, min_length=1, max_length=60)
    id_number: str | None = Field(default=None, max_length=18)
    head_phone: str | None = Field(default=None, pattern=r"^[0-9\-+ ]{5,20}$")
    family_type: str = Field(default="general", max_length=20)
    family_size: int | None = Field(default=None, ge=1, le=99)
    address: str | None = Field(default=None, max_length=200)
    people_in_need: int = Field(default=1, ge=1, le=99)
    needs: dict[str, str] = Field(default_factory=dict, max_length=12)
    planned_yuan: float | None = Field(default=None, ge=0, le=10_000_000)
    pay_form: str | None = Field(default=None, max_length=20)

    _jur = field_validator("jurisdiction_code")(_code)

    @model_validator(mode="after")
    def _source(self):
        if self.resident_id is None and (self.jurisdiction_code is None or self.head_name is None):
            raise ValueError("give resident_id, or jurisdiction_code and head_name")
        if self.family_size is not None and self.people_in_need > self.family_size:
            raise ValueError("people_in_need is larger than the family")
        return self


class RecipientPatch(_In):
    head_name: str | None = Field(default=None, min_length=1, max_length=60)
    head_phone: str | None = Field(default=None, pattern=r"^[0-9\-+ ]{5,20}$")
    family_type: str | None = Field(default=None, max_length=20)
    family_size: int | None = Field(default=None, ge=1, le=99)
    address: str | None = Field(default=None, max_length=200)
    people_in_need: int | None = Field(default=None, ge=1, le=99)
    needs: dict[str, str] | None = Field(default=None, max_length=12)
    planned_yuan: float | None = Field(default=None, ge=0, le=10_000_000)
    pay_form: str | None = Field(default=None, max_length=20)


class ReasonIn(_In):
    reason: str = Field(min_length=2, max_length=NOTE)


class VerifyIn(_In):
    """Verify listed households: by id, or every surveyed household of a village."""

    recipient_ids: list[int] = Field(default_factory=list, max_length=5000)
    village: str | None = None

    _v = field_validator("village")(_code)


class RecipientOut(BaseModel):
    id: int
    programme_id: int
    jurisdiction_code: str
    village_name: str | None = None
    household: str
    head_name: str
    head_id_tail: str | None
    head_phone: str | None
    family_type: str | None
    family_type_label: str
    family_size: int
    address: str | None
    people_in_need: int
    needs: dict
    needs_label: str
    planned_yuan: float | None
    paid_yuan: float
    goods_yuan: float
    pay_form: str | None
    pay_form_label: str
    state: str
    state_label: str
    reason: str | None


class RecipientPageOut(BaseModel):
    items: list[RecipientOut]
    total: int


class VerifyOut(BaseModel):
    verified: int


# -- notices ----------------------------------------------------------------------------------
class ObjectionIn(_In):
    by: str = Field(min_length=1, max_length=60)
    text: str = Field(min_length=2, max_length=NOTE)
    recipient_id: int | None = None


class AnswerIn(_In):
    upheld: bool
    answer: str = Field(min_length=2, max_length=NOTE)
    action: str = Field(default="remove", pattern="^(remove|correct)$")
    correction: RecipientPatch | None = None


class NoticeOut(BaseModel):
    id: int
    programme_id: int | None
    rebuild_case_id: int | None
    jurisdiction_code: str
    village_name: str | None = None
    posted_on: date
    until: date
    open: bool
    where: str | None
    objections: list[dict]


# -- distribution -----------------------------------------------------------------------------
class DistributionIn(_In):
    recipient_id: int
    kind: str = Field(pattern="^(cash|goods)$")
    client_key: str = idempotency.client_key(required=True, max_length=60)
    amount_yuan: float = Field(default=0, ge=0, le=10_000_000)  # cash, or the goods' value (折款)
    pay_form: str | None = Field(default=None, max_length=20)
    warehouse_id: int | None = None
    item_code: str | None = Field(default=None, min_length=1, max_length=20)
    quantity: int | None = Field(default=None, gt=0, le=1_000_000)
    receiver_name: str | None = Field(default=None, max_length=60)
    note: str | None = Field(default=None, max_length=NOTE)
    override_note: str | None = Field(default=None, max_length=NOTE)

    @model_validator(mode="after")
    def _goods(self):
        if self.kind == "goods" and (self.warehouse_id is None or not self.item_code or not self.quantity):
            raise ValueError("goods need warehouse_id, item_code and quantity")
        if self.kind == "cash" and self.amount_yuan <= 0:
            raise ValueError("cash needs an amount")
        return self


class DistributionOut(BaseModel):
    id: int
    programme_id: int
    recipient_id: int
    head_name: str | None = None
    jurisdiction_code: str
    kind: str
    kind_label: str
    amount_yuan: float
    item_id: int | None
    item_name: str | None = None
    quantity: int | None
    warehouse_id: int | None
    stock_document_id: int | None
    at: datetime
    receiver_name: str | None
    client_key: str | None
    note: str | None
    replayed: bool = False


class DistributionPageOut(BaseModel):
    items: list[DistributionOut]
    total: int


class TotalsRow(BaseModel):
    code: str
    name: str | None
    households: int
    people_in_need: int
    listed: int
    paid_households: int
    paid_yuan: float
    goods_yuan: float


class TotalsOut(BaseModel):
    villages: list[TotalsRow]
    towns: list[TotalsRow]
    total: TotalsRow


# -- rebuilding -------------------------------------------------------------------------------
class CaseIn(_In):
    damaged_house_id: int | None = None
    event_id: int | None = None
    jurisdiction_code: str | None = None
    household: str | None = Field(default=None, max_length=40)
    head_name: str | None = Field(default=None, min_length=1, max_length=60)
    id_number: str | None = Field(default=None, max_length=18)
    head_phone: str | None = Field(default=None, pattern=r"^[0-9\-+ ]{5,20}$")
    degree: str | None = Field(default=None, pattern="^(collapsed|severe|general)$")
    mode: RebuildMode | None = None
    rooms: int | None = Field(default=None, ge=1, le=50)
    nominated: bool = False
    note: str | None = Field(default=None, max_length=NOTE)

    _jur = field_validator("jurisdiction_code")(_code)

    @model_validator(mode="after")
    def _source(self):
        if self.damaged_house_id is None and (
            self.jurisdiction_code is None or self.head_name is None or self.degree is None
        ):
            raise ValueError("give damaged_house_id, or jurisdiction_code, head_name and degree")
        return self


class StepIn(_In):
    to: RebuildState
    note: str | None = Field(default=None, max_length=NOTE)
    reason: str | None = Field(default=None, max_length=NOTE)  # of a rejection
    grant_yuan: float | None = Field(default=None, gt=0, le=10_000_000)  # on county approval
    started_on: date | None = None
    finished_on: date | None = None
    override_note: str | None = Field(default=None, max_length=NOTE)


class ProgressIn(_In):
    progress_pct: int = Field(ge=0, le=100)
    note: str | None = Field(default=None, max_length=NOTE)


class PaymentIn(_In):
    amount_yuan: float = Field(gt=0, le=10_000_000)
    note: str | None = Field(default=None, max_length=NOTE)
    override_note: str | None = Field(default=None, max_length=NOTE)


class StepOut(BaseModel):
    id: int
    from_state: str | None
    to_state: str
    to_label: str
    at: datetime
    user_id: int | None
    user_name: str | None = None
    note: str | None
    data: dict


class PhotoOut(BaseModel):
    id: int
    step: str | None
    sha256: str
    content_type: str
    size_bytes: int
    caption: str | None
    url: str


class CaseOut(BaseModel):
    id: int
    code: str
    event_id: int | None
    damaged_house_id: int | None
    jurisdiction_code: str
    village_name: str | None = None
    household: str
    head_name: str
    head_id_tail: str | None
    head_phone: str | None
    degree: str
    degree_label: str
    mode: str
    mode_label: str
    rooms: int
    nominated: bool
    state: str
    state_label: str
    moves: list[str]
    grant_yuan: float | None
    paid_yuan: float
    progress_pct: int
    started_on: date | None
    finished_on: date | None
    reason: str | None
    note: str | None


class CaseDetailOut(CaseOut):
    steps: list[StepOut]
    photos: list[PhotoOut]
    notice: NoticeOut | None = None
    next_steps: list[dict]


class CasePageOut(BaseModel):
    items: list[CaseOut]
    total: int

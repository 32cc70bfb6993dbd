"""Tip-off schemas: the check, approval, payment; what officers see (never the reporter)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from yingji.core.text import Input
from yingji.ownership.schemas import OwnerOut
from yingji.risk.tipoffs.codes import AccidentGrade, PayMethod, Verdict


class VerifyIn(Input):
    verdict: Verdict
    evidence: str = Field(min_length=1, max_length=4000)
    note: str | None = Field(None, max_length=4000)
    penalty_cny: int | None = Field(None, ge=0, le=1_000_000_000)
    concealed_deaths: int | None = Field(None, ge=0, le=10_000)
    accident_grade: AccidentGrade | None = None


class ApproveIn(Input):
    amount_cny: int = Field(ge=0, le=10_000_000)


class RefuseIn(Input):
    reason: str = Field(min_length=1, max_length=2000)


class PayIn(Input):
    amount_cny: int = Field(ge=0, le=10_000_000)
    paid_on: date
    method: PayMethod
    receipt: str = Field(min_length=1, max_length=60)


class TipoffOut(BaseModel):
    id: int
    ref: str
    kind: str
    kind_label: str
    title: str
    details: str | None
    location: str | None
    unit_named: str | None
    jurisdiction_code: str
    jurisdiction_name: str | None
    danger_id: int | None
    state: str
    state_label: str
    received_at: datetime
    has_contact: bool
    verdict: str | None
    verdict_label: str | None
    verified_by_name: str | None
    verified_by_user_id: int | None
    verified_at: datetime | None
    verification_note: str | None
    evidence: str | None
    penalty_cny: int | None
    concealed_deaths: int | None
    accident_grade: str | None
    accident_grade_label: str | None
    reward_state: str
    reward_state_label: str
    reward_cny: int | None
    reward_basis: str | None
    approved_by_name: str | None
    approved_at: datetime | None
    refusal_reason: str | None
    paid_cny: int | None
    paid_on: date | None
    pay_method: str | None
    pay_method_label: str | None
    pay_receipt: str | None
    owner: OwnerOut | None = None  # 首接负责制: who took it in, who owns it now


class TipoffPageOut(BaseModel):
    items: list[TipoffOut]
    total: int
    page: int
    size: int


class ContactOut(BaseModel):
    id: int
    name: str | None
    phone: str | None


class StatRow(BaseModel):
    key: str
    label: str
    count: int
    checked: int
    substantiated: int
    verified_share: float | None
    rewards_paid: int
    paid_cny: int


class StatsOut(BaseModel):
    year: int | None
    total: StatRow
    by_kind: list[StatRow]
    by_month: list[StatRow]
    by_place: list[StatRow]

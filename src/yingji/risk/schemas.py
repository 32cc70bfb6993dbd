"""Input shapes of the dual-prevention API and forms (validated by Pydantic)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import ConfigDict, Field, field_validator

from yingji.core import idempotency
from yingji.core.text import Input
from yingji.org import codes
from yingji.org.schemas import OFFICE_PHONE, check_mobile
from yingji.risk import creditcode

MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"


def division(value: str | None) -> str | None:
    """A division code in its significant form (either form accepted)."""
    if value in (None, ""):
        return None
    try:
        return codes.normalise(value)
    except ValueError:
        raise ValueError("not a division code") from None


def phone(value: str | None) -> str | None:
    """A mainland mobile or an office number (0856-1234567)."""
    if value in (None, ""):
        return None
    try:
        return check_mobile(value)
    except ValueError:
        value = str(value).strip()
        if OFFICE_PHONE.match(value) and sum(ch.isdigit() for ch in value) >= 7:
            return value
        raise ValueError("not a phone number") from None


def credit(value: str | None) -> str | None:
    """A checked unified social credit code, or None."""
    if value in (None, ""):
        return None
    return creditcode.normalise(value)


class Strict(Input):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


class EnterpriseIn(Strict):
    name: str = Field(min_length=2, max_length=200)
    credit_code: str | None = None
    industry: str
    scale: str = Field(pattern="^(large|medium|small|micro)$")
    employees: int | None = Field(default=None, ge=0, le=1_000_000)
    hazardous_chemicals: bool = False
    chemicals: str | None = Field(default=None, max_length=2000)
    major_hazard: bool = False
    major_hazard_grade: int | None = Field(default=None, ge=1, le=4)
    address: str | None = Field(default=None, max_length=200)
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    jurisdiction_code: str
    grid_code: str | None = None
    principal_name: str | None = Field(default=None, max_length=60)
    principal_phone: str | None = None
    safety_manager_name: str | None = Field(default=None, max_length=60)
    safety_manager_phone: str | None = None
    enforcement_class: str | None = Field(default=None, pattern="^[ABCD]$")
    note: str | None = Field(default=None, max_length=2000)

    _credit = field_validator("credit_code")(credit)
    _jur = field_validator("jurisdiction_code")(division)
    _phones = field_validator("principal_phone", "safety_manager_phone")(phone)


class EnterprisePatch(Strict):
    name: str | None = Field(default=None, min_length=2, max_length=200)
    credit_code: str | None = None
    industry: str | None = None
    scale: str | None = Field(default=None, pattern="^(large|medium|small|micro)$")
    employees: int | None = Field(default=None, ge=0, le=1_000_000)
    hazardous_chemicals: bool | None = None
    chemicals: str | None = Field(default=None, max_length=2000)
    major_hazard: bool | None = None
    major_hazard_grade: int | None = Field(default=None, ge=1, le=4)
    address: str | None = Field(default=None, max_length=200)
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    grid_code: str | None = None
    principal_name: str | None = Field(default=None, max_length=60)
    principal_phone: str | None = None
    safety_manager_name: str | None = Field(default=None, max_length=60)
    safety_manager_phone: str | None = None
    enforcement_class: str | None = Field(default=None, pattern="^[ABCD]$")
    status: str | None = Field(default=None, pattern="^(active|suspended|closed)$")
    note: str | None = Field(default=None, max_length=2000)

    _credit = field_validator("credit_code")(credit)
    _phones = field_validator("principal_phone", "safety_manager_phone")(phone)


class RiskPointIn(Strict):
    enterprise_id: int | None = None
    place_kind: str | None = None
    name: str = Field(min_length=1, max_length=200)
    jurisdiction_code: str | None = None
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    hazards: str | None = Field(default=None, max_length=4000)
    accident_types: str | None = Field(default=None, max_length=200)
    measures: str | None = Field(default=None, max_length=4000)
    control_level: str | None = Field(default=None, pattern="^(company|workshop|team|post)$")
    responsible_name: str | None = Field(default=None, max_length=60)
    responsible_phone: str | None = None

    _jur = field_validator("jurisdiction_code")(division)
    _phone = field_validator("responsible_phone")(phone)


class AssessmentIn(Strict):
    method: str = Field(pattern="^(LEC|LS)$")
    l: float  # noqa: E741 - the factor's name in the method
    e: float | None = None
    c: float | None = None
    s: float | None = None
    note: str | None = Field(default=None, max_length=2000)
    control_level: str | None = Field(default=None, pattern="^(company|workshop|team|post)$")


class PlanIn(Strict):
    jurisdiction_code: str
    year: int = Field(ge=2000, le=2100)

    _jur = field_validator("jurisdiction_code")(division)


class FoundDanger(Strict):
    title: str = Field(min_length=2, max_length=200)
    description: str | None = Field(default=None, max_length=4000)
    category: str = "other"


class InspectionIn(Strict):
    enterprise_id: int
    kind: str = Field(default="planned", pattern="^(planned|random|special|complaint|review|grid)$")
    inspected_at: datetime | None = None
    inspectors: str = Field(min_length=1, max_length=200)
    findings: str | None = Field(default=None, max_length=8000)
    orders: list[str] = Field(default_factory=list)
    penalty_cny: int | None = Field(default=None, ge=0, le=100_000_000)
    document_no: str | None = Field(default=None, max_length=60)
    dangers: list[FoundDanger] = Field(default=[], max_length=100)
    client_key: str | None = idempotency.client_key()


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

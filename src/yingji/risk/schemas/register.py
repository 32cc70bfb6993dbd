"""Shapes of the register: enterprises, risk points and assessments, enforcement plans, inspections."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field, field_validator

from yingji.core import idempotency
from yingji.risk.schemas.common import Out, Strict, credit, division, phone


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


class EnterpriseOut(Out):
    id: int
    name: str
    credit_code: str | None
    industry: str
    industry_label: str
    scale: str
    employees: int | None
    hazardous_chemicals: bool
    chemicals: str | None
    major_hazard: bool
    major_hazard_grade: int | None
    address: str | None
    lon: float | None
    lat: float | None
    jurisdiction_code: str
    grid_cell_id: int | None
    principal_name: str | None
    principal_phone: str | None = Field(description="masked for roles that do not need it")
    safety_manager_name: str | None
    safety_manager_phone: str | None = Field(description="masked for roles that do not need it")
    enforcement_class: str = Field(description="A, B, C or D")
    class_fixed: bool = Field(description="set by hand, not recomputed")
    status: str = Field(description="active, suspended or closed")
    risk_level: str | None = Field(description="the highest level of its risk points")
    risk_colour: str | None
    note: str | None
    updated_at: datetime


class EnterprisePage(Out):
    items: list[EnterpriseOut]
    total: int
    page: int
    size: int


class ScoreOut(Out):
    method: str
    score: float
    band: str | None = Field(description="the LEC danger band; null for LS")
    level: str = Field(description="major, high, general or low")
    banding: str = Field(description='the setting that gave the level, e.g. "LEC:A"')


class RiskPointOut(Out):
    id: int
    enterprise_id: int | None
    place_kind: str | None = Field(description="a public place's kind (no enterprise)")
    name: str
    jurisdiction_code: str
    lon: float | None
    lat: float | None
    hazards: str | None
    accident_types: str | None
    measures: str | None
    control_level: str | None
    responsible_name: str | None
    responsible_phone: str | None
    method: str | None = Field(description="of the latest assessment")
    score: float | None
    level: str | None
    colour: str | None
    assessed_at: datetime | None


class RiskPointPage(Out):
    items: list[RiskPointOut]
    total: int
    page: int
    size: int


class AssessmentOut(Out):
    id: int
    risk_point_id: int
    method: str
    l: float  # noqa: E741 - the factor's name in the method
    e: float | None
    c: float | None
    s: float | None
    score: float
    band: str | None
    level: str
    colour: str | None
    banding: str
    assessor: str | None
    assessed_at: datetime
    note: str | None


class EnterpriseDetailOut(EnterpriseOut):
    risk_points: list[RiskPointOut]
    open_dangers: int


class RiskPointDetailOut(RiskPointOut):
    assessments: list[AssessmentOut] = Field(description="newest first")


class PlanSummaryOut(Out):
    id: int
    year: int
    jurisdiction_code: str
    name: str


class ClassCoverageOut(Out):
    enforcement_class: str = Field(alias="class")
    key: bool = Field(description="a key class: every enterprise of it is planned")
    enterprises: int
    planned: int
    inspected: int
    planned_rate: float | None
    inspected_rate: float | None


class CoverageOut(Out):
    classes: list[ClassCoverageOut]
    key_missing: int = Field(description="key-class enterprises the plan misses")


class PlanGeneratedOut(Out):
    id: int
    year: int
    jurisdiction_code: str
    added: int = Field(description="enterprises added by this generation")
    coverage: CoverageOut


class PlanItemOut(Out):
    enterprise_id: int
    name: str
    enforcement_class: str = Field(alias="class")
    reason: str
    planned_month: int
    inspection_id: int | None


class PlanItemPage(Out):
    total: int
    page: int
    items: list[PlanItemOut]


class PlanOut(PlanSummaryOut):
    classes: dict[str, dict[str, Any]] = Field(description="per class: its share and whether it is key")
    coverage: CoverageOut
    items: PlanItemPage


class InspectionOut(Out):
    id: int
    enterprise_id: int
    jurisdiction_code: str
    kind: str
    inspected_at: datetime
    inspectors: str
    findings: str | None
    dangers_found: int
    orders: list[str]
    penalty_cny: int | None
    document_no: str | None


class InspectionDetailOut(InspectionOut):
    danger_ids: list[int] = Field(description="the hidden dangers found on the visit")


class InspectionPage(Out):
    items: list[InspectionOut]
    total: int
    page: int
    size: int

"""Seismic registry schemas: members, trainings, reports, coverage."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field, field_validator

from yingji.core import idempotency
from yingji.core.text import Input
from yingji.org import codes as division_codes
from yingji.org.schemas import check_mobile
from yingji.seismic.codes import PointType, ReportKind, SeismicRole


class MemberIn(Input):
    role: SeismicRole
    name: str = Field(min_length=1, max_length=60)
    mobile: str  # the person (org Person) is found by mobile, else created in the division
    jurisdiction_code: str
    point_type: PointType | None = None
    point_location: str | None = Field(None, max_length=200)
    point_object: str | None = Field(None, max_length=200)
    lon: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    active_from: date
    active_to: date | None = None
    note: str | None = Field(None, max_length=2000)

    @field_validator("mobile")
    @classmethod
    def _mobile(cls, v: str) -> str:
        out = check_mobile(v)
        if not out:
            raise ValueError("a mobile number is required")
        return out

    @field_validator("jurisdiction_code")
    @classmethod
    def _code(cls, v: str) -> str:
        return division_codes.normalise(v)


class TrainingIn(Input):
    held_on: date
    course: str = Field(min_length=1, max_length=200)
    hours: float = Field(0, ge=0, le=1000)
    result: str | None = Field(None, max_length=60)


class TrainingOut(BaseModel):
    id: int
    held_on: date
    course: str
    hours: float
    result: str | None


class MemberOut(BaseModel):
    id: int
    role: str
    role_label: str
    person_id: int
    name: str
    phone: str | None
    jurisdiction_code: str
    jurisdiction_name: str | None
    point_type: str | None
    point_type_label: str | None
    point_location: str | None
    point_object: str | None
    lon: float | None
    lat: float | None
    active_from: date
    active_to: date | None
    active: bool
    note: str | None
    trainings: list[TrainingOut] = []


class MemberPageOut(BaseModel):
    items: list[MemberOut]
    total: int
    page: int
    size: int


class PlaceLacking(BaseModel):
    code: str
    name: str
    level: str
    have: int
    need: int


class CoverageOut(BaseModel):
    towns: int
    towns_covered: int
    villages: int
    villages_covered: int
    assistants_per_town: int
    reporters_per_village: int
    lacking: list[PlaceLacking]


class ReportIn(Input):
    kind: ReportKind
    jurisdiction_code: str
    member_id: int | None = None
    occurred_at: datetime
    month: str | None = Field(None, pattern=r"^\d{4}-\d{2}$")
    location: str | None = Field(None, max_length=200)
    lon: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    intensity: int | None = Field(None, ge=1, le=12)
    deaths: int = Field(0, ge=0, le=100_000)
    injured: int = Field(0, ge=0, le=100_000)
    houses_collapsed: int = Field(0, ge=0, le=10_000_000)
    houses_damaged: int = Field(0, ge=0, le=10_000_000)
    description: str | None = Field(None, max_length=4000)
    client_key: str | None = idempotency.client_key(min_length=None, chars=None)

    @field_validator("jurisdiction_code")
    @classmethod
    def _code(cls, v: str) -> str:
        return division_codes.normalise(v)


class ReportOut(BaseModel):
    id: int
    kind: str
    kind_label: str
    state: str
    state_label: str
    jurisdiction_code: str
    jurisdiction_name: str | None
    member_id: int | None
    member_name: str | None
    occurred_at: datetime
    month: str | None
    location: str | None
    intensity: int | None
    deaths: int
    injured: int
    houses_collapsed: int
    houses_damaged: int
    description: str | None
    reported_by: str
    photos: int


class ReportPageOut(BaseModel):
    items: list[ReportOut]
    total: int
    page: int
    size: int


class MoveIn(Input):
    state: str = Field(pattern="^(accepted|returned|submitted)$")


class ImportOut(BaseModel):
    kind: str
    created: int
    updated: int
    unchanged: int

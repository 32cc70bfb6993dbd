"""Input and output shapes of the expert registry."""

from __future__ import annotations

import re
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from yingji.core.text import Input
from yingji.experts import codes
from yingji.experts.codes import Availability
from yingji.org import codes as division_codes
from yingji.org.schemas import OFFICE_PHONE, check_mobile

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _place(value: str) -> str:
    return division_codes.field_code(value)


def _codes(table):
    def check(values: list[str] | None) -> list[str] | None:
        if values is None:
            return None
        out = list(dict.fromkeys(v.strip() for v in values if v and v.strip()))
        unknown = [v for v in out if v not in table()]
        if unknown:
            raise ValueError(f"unknown code: {', '.join(unknown[:5])}")
        return out

    return check


def _office(value: str | None) -> str | None:
    if value and not OFFICE_PHONE.match(value):
        raise ValueError("not a phone number")
    return value or None


def _email(value: str | None) -> str | None:
    if value and not EMAIL.match(value):
        raise ValueError("not an e-mail address")
    return value or None


def _grade(value: str | None) -> str | None:
    if value and value not in codes.titles():
        raise ValueError("unknown title grade")
    return value or None


class _ExpertBase(Input):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    _mobile = field_validator("mobile", check_fields=False)(check_mobile)
    _office = field_validator("office_phone", check_fields=False)(_office)
    _email = field_validator("email", check_fields=False)(_email)
    _grade = field_validator("title_grade", check_fields=False)(_grade)
    _disc = field_validator("disciplines", check_fields=False)(_codes(codes.disciplines))
    _cats = field_validator("categories", check_fields=False)(_codes(codes.categories))


class ExpertIn(_ExpertBase):
    code: str | None = Field(None, max_length=40, pattern=r"^[A-Za-z0-9_\-]+$")  # given when empty
    name: str = Field(min_length=1, max_length=60)
    gender: str | None = Field(None, pattern="^[MF]$")
    title: str | None = Field(None, max_length=60)
    title_grade: str | None = None
    position: str | None = Field(None, max_length=60)
    unit_name: str | None = Field(None, max_length=120)
    unit_id: int | None = None
    specialty: str | None = Field(None, max_length=2000)
    jurisdiction_code: str
    mobile: str | None = None
    office_phone: str | None = Field(None, max_length=30)
    email: str | None = Field(None, max_length=120)
    availability: Availability = Availability.AVAILABLE
    availability_note: str | None = Field(None, max_length=200)
    disciplines: list[str] = Field(min_length=1, max_length=20)  # 专业领域: at least one
    categories: list[str] = Field(default_factory=list, max_length=40)
    note: str | None = Field(None, max_length=2000)

    _code = field_validator("jurisdiction_code")(_place)


class ExpertPatch(_ExpertBase):
    """Changes to an expert; availability has its own route (it keeps a time of change)."""

    name: str | None = Field(None, min_length=1, max_length=60)
    gender: str | None = Field(None, pattern="^[MF]$")
    title: str | None = Field(None, max_length=60)
    title_grade: str | None = None
    position: str | None = Field(None, max_length=60)
    unit_name: str | None = Field(None, max_length=120)
    unit_id: int | None = None
    specialty: str | None = Field(None, max_length=2000)
    jurisdiction_code: str | None = None
    mobile: str | None = None
    office_phone: str | None = Field(None, max_length=30)
    email: str | None = Field(None, max_length=120)
    disciplines: list[str] | None = Field(None, min_length=1, max_length=20)
    categories: list[str] | None = Field(None, max_length=40)
    active: bool | None = None
    note: str | None = Field(None, max_length=2000)

    @field_validator("jurisdiction_code")
    @classmethod
    def _jur(cls, v: str | None) -> str | None:
        return _place(v) if v else None


class AvailabilityIn(Input):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    availability: Availability
    note: str | None = Field(None, max_length=200)


class FieldOut(BaseModel):
    code: str
    label: str


class ConsultationRef(BaseModel):
    """One consultation the expert took part in (the history)."""

    consultation_id: int
    incident_id: int
    incident_title: str
    seq: int
    held_at: datetime
    topic: str


class ExpertOut(BaseModel):
    id: int
    code: str
    name: str
    gender: str | None
    title: str | None
    title_grade: str | None
    title_grade_label: str | None
    position: str | None
    unit_name: str | None
    unit_id: int | None
    specialty: str | None
    jurisdiction_code: str
    jurisdiction_name: str
    mobile: str | None  # masked without contact.phone
    office_phone: str | None
    email: str | None
    availability: Availability
    availability_label: str
    availability_note: str | None
    availability_changed_at: datetime | None
    disciplines: list[FieldOut]
    categories: list[FieldOut]
    active: bool
    note: str | None
    consultations: int = 0
    updated_at: datetime | None = None


class ExpertDetailOut(ExpertOut):
    history: list[ConsultationRef] = Field(default_factory=list)


class ExpertPageOut(BaseModel):
    items: list[ExpertOut]
    total: int
    page: int
    size: int


class ImportOut(BaseModel):
    kind: str
    created: int
    updated: int
    unchanged: int

"""Input and output shapes of the resident registry."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from yingji.core.text import Input
from yingji.org import codes
from yingji.org.schemas import check_mobile


def _place(value: str) -> str:
    code = codes.field_code(value)
    if len(code) not in (12, 15):
        raise ValueError("a village or village-group code is required")
    return code


class ResidentIn(Input):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    name: str = Field(min_length=1, max_length=60)
    mobile: str | None = None
    jurisdiction_code: str
    household: str = Field(min_length=1, max_length=40)
    address: str | None = Field(None, max_length=200)
    disabled: bool = False
    lives_alone: bool = False
    very_old: bool = False
    subscribed: bool = True
    note: str | None = Field(None, max_length=500)

    _mobile = field_validator("mobile")(check_mobile)
    _place = field_validator("jurisdiction_code")(_place)


class ResidentPatch(Input):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=60)
    mobile: str | None = None
    jurisdiction_code: str | None = None
    household: str | None = Field(None, min_length=1, max_length=40)
    address: str | None = Field(None, max_length=200)
    disabled: bool | None = None
    lives_alone: bool | None = None
    very_old: bool | None = None
    subscribed: bool | None = None
    active: bool | None = None
    note: str | None = Field(None, max_length=500)

    _mobile = field_validator("mobile")(check_mobile)

    @field_validator("jurisdiction_code")
    @classmethod
    def _code(cls, v):
        return None if v is None else _place(v)


class ResidentOut(BaseModel):
    id: int
    name: str
    mobile: str | None
    jurisdiction_code: str
    jurisdiction_name: str
    village_code: str
    household: str
    address: str | None
    disabled: bool
    lives_alone: bool
    very_old: bool
    vulnerability: int
    subscribed: bool
    active: bool
    note: str | None
    updated_at: datetime


class ResidentPage(BaseModel):
    items: list[ResidentOut]
    total: int
    page: int
    size: int

"""Shapes of the accounts API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class UserIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")
    username: str = Field(min_length=2, max_length=64)
    password: str = Field(min_length=1, max_length=200)
    display_name: str = Field(min_length=1, max_length=100)
    role: str
    jurisdiction_code: str
    person_id: int | None = None


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    username: str
    display_name: str
    role: str
    jurisdiction_code: str
    person_id: int | None
    active: bool
    last_login_at: datetime | None


class MeOut(UserOut):
    permissions: list[str]
    jurisdiction_name: str


class TokenIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")
    name: str = Field(min_length=1, max_length=100)
    expires_at: datetime | None = None


class TokenOut(BaseModel):
    id: int
    name: str
    prefix: str
    token: str | None = None  # only in the answer that creates it
    expires_at: datetime | None

"""Shapes of the accounts API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from yingji.core.text import Input, is_clean


class UserIn(Input):
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


class TokenIn(Input):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")
    name: str = Field(min_length=1, max_length=100)
    expires_at: datetime | None = None


class TokenOut(BaseModel):
    id: int
    name: str
    prefix: str
    token: str | None = None  # only in the answer that creates it
    expires_at: datetime | None


class UserPatch(Input):
    """Change a user's role or disable / enable them (each checked and audited)."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")
    role: str | None = None
    active: bool | None = None


class PasswordIn(BaseModel):
    """Not an :class:`Input`: a password is refused with control characters, never silently altered
    (the stored hash would then not match what the user types)."""

    model_config = ConfigDict(extra="forbid")
    password: str = Field(min_length=1, max_length=200)

    @field_validator("password", "current_password", check_fields=False)
    @classmethod
    def _no_control_characters(cls, value: str) -> str:
        if not is_clean(value):
            raise ValueError("a password may not contain control characters")
        return value


class OwnPasswordIn(PasswordIn):
    current_password: str = Field(min_length=1, max_length=200)


class ClosedOut(BaseModel):
    """What a password change or reset ended."""

    sessions: int
    tokens: int


class TokenRow(BaseModel):
    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    state: str  # valid, expired, revoked


class SecurityEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    at: datetime
    last_at: datetime
    count: int
    kind: str
    user_id: int | None
    username: str | None
    user_jurisdiction_code: str | None
    ip: str | None
    entity: str | None
    entity_id: str | None
    jurisdiction_code: str | None
    method: str | None
    path: str | None
    status: int | None
    request_id: str | None
    note: str | None


class SecurityEventPage(BaseModel):
    items: list[SecurityEventOut]
    total: int
    page: int
    size: int


class AuditEntryOut(BaseModel):
    id: int
    at: datetime
    actor: str
    actor_id: int | None
    action: str
    entity: str
    entity_id: str | None
    jurisdiction_code: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    ip: str | None
    request_id: str | None
    note: str | None


class AuditPage(BaseModel):
    items: list[AuditEntryOut]
    total: int
    page: int
    size: int


class RevokedOut(BaseModel):
    revoked: int  # API tokens revoked

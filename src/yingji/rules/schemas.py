"""Input and output shapes of the rules API (overrides; grade and deadline bodies are parsed by
``yingji.rules.interface`` so that the API and the CLI answer alike)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from yingji.core.text import Input
from yingji.org import codes
from yingji.rules.tables import TABLE_NAMES


class OverrideIn(Input):
    """A new per-jurisdiction override (a partial rule table)."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    jurisdiction_code: str
    table_name: str
    version: str = Field(min_length=1, max_length=40)
    valid_from: AwareDatetime | None = None
    data: dict[str, Any]
    source: str = Field(min_length=1, max_length=2000)
    note: str | None = Field(default=None, max_length=4000)

    @field_validator("jurisdiction_code")
    @classmethod
    def _code(cls, value: str) -> str:
        try:
            return codes.normalise(value)
        except ValueError:
            raise ValueError("not a division code") from None

    @field_validator("table_name")
    @classmethod
    def _table(cls, value: str) -> str:
        if value not in TABLE_NAMES:
            raise ValueError(f"not a rule table: use one of {', '.join(TABLE_NAMES)}")
        return value


class OverrideOut(BaseModel):
    id: int
    jurisdiction_code: str
    table_name: str
    version: str
    valid_from: datetime
    data: dict[str, Any]
    source: str
    note: str | None
    created_by: str
    created_at: datetime


class GradeOut(BaseModel):
    grade: str | None  # None: below every grade's threshold
    label: str | None
    basis: list[str]  # why, clause by clause


class DeadlineOut(BaseModel):
    to: str
    due_at: str  # in the offset the request's received_at was given in
    basis: str


class DeadlinesOut(BaseModel):
    deadlines: list[DeadlineOut]


class RuleTableRef(BaseModel):
    name: str
    version: str
    source: str


class RuleTableOut(BaseModel):
    """A versioned rule table with its source; the rest of its keys are the table's own (each table
    has its layout, see ``src/yingji/rules/*.json``), kept as they are."""

    model_config = ConfigDict(extra="allow")
    version: str
    source: str

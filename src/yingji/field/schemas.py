"""API models of the grid worker's app."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from yingji.core import idempotency
from yingji.core.text import Input


class VisitIn(Input):
    """One tick from the phone; ``client_key`` (made on the phone, kept in its outbox) makes a
    replay after a lost answer land once."""

    model_config = ConfigDict(extra="forbid")

    task_id: int = Field(ge=1, le=2**62)
    household: str = Field(min_length=1, max_length=40)
    reached: bool = True
    visited_at: datetime | None = None  # the phone's time; now when absent
    client_key: str = idempotency.client_key(required=True)
    visitor_name: str | None = Field(default=None, max_length=60)
    visitor_phone: str | None = Field(default=None, max_length=20)


class VisitOut(BaseModel):
    id: int
    task_id: int
    household: str
    reached: bool
    visited_at: datetime
    visitor_name: str
    client_key: str
    created: bool  # False when the key had already landed


class HouseholdOut(BaseModel):
    household: str
    vulnerable: bool
    reached: bool
    people: list[str]


class TaskVisitsOut(BaseModel):
    task_id: int
    households_total: int
    reached: int
    households: list[HouseholdOut]

"""Ownership shapes: the owner every item's answer carries, a hand-over in and out, one's own list."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from yingji.core.text import Input


class OwnerOut(BaseModel):
    """首接 and owner of an item at one office."""

    id: int
    kind: str
    item_id: int
    holder_code: str
    first_user_id: int | None
    first_name: str
    first_at: datetime
    first_how: str
    owner_user_id: int | None
    owner_name: str
    owner_since: datetime
    handovers: int


class HandoverOut(BaseModel):
    id: int
    owned_id: int
    kind: str
    item_id: int
    from_user_id: int | None
    from_name: str
    to_user_id: int
    to_name: str
    at: datetime
    note: str | None
    by_name: str
    as_manager: bool
    shift_handover_id: int | None
    accepted_at: datetime | None


class OwnedOut(OwnerOut):
    history: list[HandoverOut]


class HandoverIn(Input):
    model_config = ConfigDict(extra="forbid")

    to_user_id: int = Field(ge=1)
    note: str | None = Field(default=None, max_length=500)
    # the owner the form showed: a hand-over of an item that changed hands meanwhile is a 409
    expected_owner_id: int | None = None


class MineItemOut(OwnerOut):
    label: str
    url: str
    open: bool


class MineOut(BaseModel):
    items: list[MineItemOut]
    pending: list[HandoverOut]  # handed to me, not yet accepted


class CandidateOut(BaseModel):
    id: int
    name: str

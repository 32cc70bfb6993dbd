"""Event API shapes."""

from __future__ import annotations

from pydantic import BaseModel


class EventOut(BaseModel):
    id: int
    kind: str
    jurisdiction_code: str
    payload: dict


class EventList(BaseModel):
    """Events after the id asked for, oldest first; ``last_id``: where to go on from."""

    items: list[EventOut]
    last_id: int

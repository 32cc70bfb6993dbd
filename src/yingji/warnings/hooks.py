"""What happens elsewhere when a warning changes state.

The warnings domain calls :func:`emit` in the transaction that publishes, updates, lifts or expires a
warning; each listener module named here has ``on_warning_event(session, warning, event)`` (the
delivery domain fans out, acknowledges and escalates). A static list, so every process (web, worker,
CLI) has the same listeners without import-order tricks.
"""

from __future__ import annotations

import importlib
from enum import StrEnum

from sqlalchemy.orm import Session

LISTENERS = ["yingji.delivery.flows"]


class WarningEvent(StrEnum):
    """What a listener hears (a dispatch keeps it as its ``event``)."""

    PUBLISHED = "published"  # a first issue
    UPDATED = "updated"  # an update replaced the issue in force
    LIFTED = "lifted"
    EXPIRED = "expired"


EVENTS = tuple(WarningEvent)


def emit(session: Session, warning, event: str) -> None:
    if event not in EVENTS:
        raise ValueError(f"unknown warning event {event!r}")
    for name in LISTENERS:
        importlib.import_module(name).on_warning_event(session, warning, event)

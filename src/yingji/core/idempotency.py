"""Idempotent writes: a client (the phone's outbox, a one-tap form, an API user) makes a key once and
sends it with every retry of the same write; the server answers a known key with the first result.

One field name in the API: ``client_key``. The older names ``idempotency_key`` (incident intake and
reports, patrol logs) and ``batch_key`` are still read for one release (until 0.2) and then refused;
OpenAPI shows ``client_key`` only.
"""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import AliasChoices, Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

KEY_CHARS = r"^[A-Za-z0-9_.:\-]+$"  # a UUID fits, with or without dashes
OLD_NAMES = ("idempotency_key", "batch_key")  # read until 0.2
DESCRIPTION = (
    "Made by the client once per write and sent again with every retry: a known key answers with the "
    "first result. Formerly idempotency_key / batch_key (still read until 0.2)."
)


def client_key(
    *,
    required: bool = False,
    min_length: int | None = 8,
    max_length: int | None = 64,
    chars: str | None = KEY_CHARS,
) -> Any:
    """The ``client_key`` field of an input schema (its own length and characters, as its column)."""
    return Field(
        ... if required else None,
        min_length=min_length,
        max_length=max_length,
        pattern=chars,
        validation_alias=AliasChoices("client_key", *OLD_NAMES),
        description=DESCRIPTION,
    )


def new_key() -> str:
    """A fresh key, for the pages' one-tap forms."""
    return uuid.uuid4().hex


def earlier(session: Session, model, key: str | None, column: str = "client_key"):
    """The row a key already made, else None (no key: None)."""
    if not key:
        return None
    return session.scalar(select(model).where(getattr(model, column) == key))


def insert_once(session: Session, obj, conflict: Exception, *, check=None) -> tuple[object, bool]:
    """Insert ``obj`` unless a row with its ``client_key`` exists (a retried submission): returns
    (row, created). ``check(row)`` vets an earlier row (scope); a clash on another unique key raises
    ``conflict``."""
    model = type(obj)
    key = getattr(obj, "client_key", None)

    def found():
        row = earlier(session, model, key)
        return check(row) if row is not None and check is not None else row

    if (row := found()) is not None:
        return row, False
    try:
        with session.begin_nested():
            session.add(obj)
            session.flush()
    except IntegrityError:
        if (row := found()) is not None:
            return row, False
        raise conflict from None
    return obj, True

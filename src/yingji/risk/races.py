"""Inserts that two requests may race to make (the same client key, credit code, village month,
yearly plan): the loser's unique-constraint error becomes the winner's record or a 409, not a 500."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

T = TypeVar("T")


def insert_once(session: Session, obj: T, on_conflict: Callable[[], T]) -> T:
    """Add and flush ``obj`` in a savepoint; if a unique constraint refuses it, answer
    ``on_conflict()`` (which finds the row that won, or raises a Conflict)."""
    try:
        with session.begin_nested():
            session.add(obj)
            session.flush()
    except IntegrityError:
        return on_conflict()
    return obj

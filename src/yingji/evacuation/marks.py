"""Household marks from the field: a batch applied set-based, idempotent by the phone's key, the
newest mark by the phone's clock winning (so marks arriving in any order settle the same way)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from yingji.auth.scope import Principal
from yingji.evacuation.schemas import MarkIn, MarkResult


def apply_marks(
    session: Session, principal: Principal, order_id: int, marks: list[MarkIn]
) -> list[MarkResult]:
    """Apply a batch of marks to an order's households; one result per mark, in the batch's order.
    (Contract: implemented by the evacuation service.)"""
    raise NotImplementedError


def mark_sheltered(
    session: Session, principal: Principal, household_id: int, shelter_id: int, *, client_key: str
) -> MarkResult:
    """The shelters' check-in: the household is now SHELTERED at ``shelter_id`` (the check-in time is
    the mark's time). Called in the check-in's transaction so the accounting and the occupancy agree.
    (Contract: implemented by the evacuation service.)"""
    raise NotImplementedError


def mark_left_shelter(
    session: Session, principal: Principal, household_id: int, *, client_key: str
) -> MarkResult:
    """The shelters' check-out: RETURNED when the order is lifted, else MOVED (left for elsewhere)."""
    raise NotImplementedError

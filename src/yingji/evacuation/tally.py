"""The live accounting of an order: one GROUP BY over its households' one state column."""

from __future__ import annotations

from sqlalchemy.orm import Session

from yingji.auth.scope import Principal
from yingji.evacuation.schemas import TallyOut, UnaccountedOut


def tally(session: Session, principal: Principal, order_id: int, *, within: str | None = None) -> TallyOut:
    """The order's accounting, totals and one row per place one level below ``within`` (default: the
    principal's view of the order's area). (Contract: implemented by the evacuation service.)"""
    raise NotImplementedError


def unaccounted(
    session: Session, principal: Principal, order_id: int, *, within: str | None = None, limit: int = 200
) -> list[UnaccountedOut]:
    """The households still unaccounted, vulnerable first, with their grid workers."""
    raise NotImplementedError

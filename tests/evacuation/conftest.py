"""Helpers of the evacuation tests: principals of the demo users, a fresh order over a place, marks."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select

from yingji.auth.models import User
from yingji.auth.scope import Principal
from yingji.core import clock
from yingji.evacuation import orders
from yingji.evacuation.models import EvacuationHousehold
from yingji.evacuation.schemas import MarkIn, OrderIn


def principal_of(db, username: str) -> Principal:
    with db.reading() as session:
        return Principal.of(session.scalar(select(User).where(User.username == username)))


def issue(db, username: str, area: list[str], **extra) -> int:
    """A fresh manual order over ``area`` issued by ``username``; returns its id."""
    p = principal_of(db, username)
    with db.writing(p.as_actor()) as session:
        order = orders.issue(session, p, OrderIn(title="测试转移令", area_codes=area, **extra))
        return order.id


def households(db, order_id: int, prefix: str = "") -> list[EvacuationHousehold]:
    with db.reading() as session:
        return list(
            session.scalars(
                select(EvacuationHousehold)
                .where(
                    EvacuationHousehold.order_id == order_id,
                    EvacuationHousehold.jurisdiction_code.startswith(prefix),
                )
                .order_by(EvacuationHousehold.id)
            )
        )


def mark(household_id: int, state: str, minutes: float = 0, key: str | None = None, **extra) -> MarkIn:
    """A mark tapped ``minutes`` after a fixed point an hour ago (so order by minutes = phone time)."""
    at = clock.now().replace(microsecond=0) - timedelta(hours=1) + timedelta(minutes=minutes)
    return MarkIn(
        household_id=household_id,
        state=state,
        marked_at=at,
        client_key=key or uuid.uuid4().hex,
        **extra,
    )

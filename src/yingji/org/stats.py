"""Counts by entity and level, for ``yingji stats`` and the home page."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.auth.models import User
from yingji.org.codes import LEVELS, GridRole, subtree_bounds
from yingji.org.models import GridAssignment, GridCell, Jurisdiction, Person, Unit


def _within(column, code: str | None):
    if not code:
        return True
    low, high = subtree_bounds(code)
    return (column >= low) & (column < high)


def counts(session: Session, code: str | None = None) -> dict:
    """Everything under ``code`` (the whole database when None)."""
    by_level = dict(
        session.execute(
            select(Jurisdiction.level, func.count())
            .where(_within(Jurisdiction.code, code))
            .group_by(Jurisdiction.level)
        ).all()
    )
    cells = dict(
        session.execute(
            select(GridCell.level, func.count())
            .where(_within(GridCell.jurisdiction_code, code))
            .group_by(GridCell.level)
        ).all()
    )
    roles = dict(
        session.execute(
            select(GridAssignment.role, func.count(func.distinct(GridAssignment.person_id)))
            .where(_within(GridAssignment.jurisdiction_code, code))
            .group_by(GridAssignment.role)
        ).all()
    )
    kinds = dict(
        session.execute(
            select(Unit.kind, func.count()).where(_within(Unit.jurisdiction_code, code)).group_by(Unit.kind)
        ).all()
    )
    plural = {
        "province": "provinces",
        "city": "cities",
        "county": "counties",
        "town": "towns",
        "village": "villages",
        "group": "village_groups",
    }
    result = {plural[level]: by_level.get(level, 0) for level in LEVELS}
    result |= {
        "grid_cells": cells.get(3, 0),
        "grid_cells_by_level": {str(level): cells.get(level, 0) for level in (1, 2, 3)},
        "grid_leaders": roles.get(GridRole.LEADER, 0),
        "grid_workers": roles.get(GridRole.WORKER, 0),
        "units": sum(kinds.values()),
        "units_by_kind": kinds,
        "people": session.scalar(
            select(func.count()).where(_within(Person.jurisdiction_code, code), Person.active)
        ),
        "users": session.scalar(
            select(func.count()).select_from(User).where(_within(User.jurisdiction_code, code))
        ),
    }
    if code:
        result["jurisdiction"] = code
    return result

"""A preview of who a warning would reach, by channel and by town, without writing anything (the
compose page shows it before publication). Counts come from the same tables the fan-out reads."""

from __future__ import annotations

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from yingji.auth.models import User
from yingji.delivery import targeting
from yingji.delivery.models import ChannelEndpoint
from yingji.notify.adapters import TARGET_KINDS
from yingji.org.codes import subtree_bounds
from yingji.org.models import GridAssignment, Person, Position, Unit
from yingji.residents.models import Resident


def _within(column, prefixes: list[str]):
    if not prefixes:
        return and_(False)
    return or_(*[and_(column >= lo, column < hi) for lo, hi in map(subtree_bounds, prefixes)])


def preview_target(session: Session, target: targeting.Target) -> dict:
    """Counts by channel and by town for a resolved target."""
    prefixes = target.covered
    staff = (
        select(GridAssignment.person_id)
        .where(_within(GridAssignment.jurisdiction_code, prefixes))
        .union(
            select(Position.person_id)
            .join(Unit, Unit.id == Position.unit_id)
            .where(
                Unit.kind == "service_station",
                Position.role.in_(("chief", "deputy", "info_officer")),
                _within(Unit.jurisdiction_code, prefixes),
            )
        )
        .subquery()
    )
    people = session.scalar(
        select(func.count())
        .select_from(Person)
        .where(Person.id.in_(select(staff.c.person_id)), Person.active)
    )
    users = session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.person_id.in_(select(staff.c.person_id)), User.active)
    )
    wanted = (Resident.subscribed, Resident.active, Resident.mobile.is_not(None))
    town = func.substr(Resident.jurisdiction_code, 1, 9)
    residents_by_town = dict(
        session.execute(
            select(town, func.count())
            .where(_within(Resident.jurisdiction_code, prefixes), *wanted)
            .group_by(town)
        ).all()
    )
    endpoints = dict(
        session.execute(
            select(ChannelEndpoint.kind, func.count())
            .where(
                ChannelEndpoint.kind.in_(TARGET_KINDS),
                ChannelEndpoint.enabled,
                ChannelEndpoint.jurisdiction_code.in_(target.villages + target.towns),
            )
            .group_by(ChannelEndpoint.kind)
        ).all()
    )
    cells_by_town: dict[str, int] = {}
    for _, code in target.cells:
        cells_by_town[code[:9]] = cells_by_town.get(code[:9], 0) + 1
    names = targeting.names_of(session, sorted(cells_by_town))
    residents = sum(residents_by_town.values())
    return {
        "cells": len(target.cells),
        "villages": len(target.villages),
        "towns": len(target.towns),
        "by_channel": {"sms": (people or 0) + residents, "inbox": users or 0, **endpoints},
        "staff": people or 0,
        "residents": residents,
        "by_town": [
            {"code": c, "name": names.get(c, c), "cells": n, "residents": residents_by_town.get(c, 0)}
            for c, n in sorted(cells_by_town.items())
        ],
    }

"""Factories for duty tests: every test makes its own unit, people and roster, so tests do not
depend on each other's writes (or on the demo's rosters)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from tests.conftest import unique_mobile
from yingji.auth.models import User
from yingji.auth.scope import Principal
from yingji.core.db import Actor
from yingji.duty import rosters
from yingji.duty.schemas import RosterIn, RotationIn
from yingji.org.models import Person, Position, Unit


@dataclass
class Crew:
    """A fresh unit with a roster and people (leaders L0…, officers O0…, backups B0…)."""

    unit_id: int
    roster_id: int
    code: str
    leaders: list[tuple[int, str]]
    officers: list[tuple[int, str]]
    backups: list[tuple[int, str]]

    def ids(self, role: str) -> list[int]:
        return [p for p, _ in getattr(self, role)]


def make_people(db, code: str, n: int, title: str = "值班员") -> list[tuple[int, str]]:
    out = []
    with db.writing(Actor.system("tests")) as session:
        for i in range(n):
            mobile = unique_mobile()
            p = Person(
                name=f"测{title}{i}{uuid.uuid4().hex[:3]}", mobile=mobile, title=title, jurisdiction_code=code
            )
            session.add(p)
            session.flush()
            out.append((p.id, mobile))
    return out


def make_unit(db, code: str, name: str = "应急值班室", kind: str = "committee_office") -> int:
    with db.writing(Actor.system("tests")) as session:
        unit = Unit(code=f"T-{uuid.uuid4().hex[:12]}", name=name, kind=kind, jurisdiction_code=code, sort=99)
        session.add(unit)
        session.flush()
        return unit.id


def post(db, person_id: int, unit_id: int, code: str, role: str, title: str = "主任") -> None:
    with db.writing(Actor.system("tests")) as session:
        session.add(
            Position(person_id=person_id, unit_id=unit_id, title=title, role=role, jurisdiction_code=code)
        )


def link_user(db, username: str, person_id: int | None) -> int | None:
    """Bind a demo user to a person (returns the person the user had, to restore later)."""
    with db.writing(Actor.system("tests")) as session:
        user = session.scalar(select(User).where(User.username == username))
        before, user.person_id = user.person_id, person_id
        return before


def make_crew(
    db,
    code: str,
    *,
    starts_on=None,
    leaders: int = 2,
    officers: int = 3,
    backups: int = 1,
    per_shift: int = 1,
    shift_start: str = "08:30",
) -> Crew:
    from datetime import date

    starts_on = starts_on or date(2030, 1, 1)
    unit_id = make_unit(db, code)
    people = {
        "leader": make_people(db, code, leaders, "带班领导"),
        "officer": make_people(db, code, officers, "值班员"),
        "backup": make_people(db, code, backups, "备班"),
    }
    system = Principal.system(what="tests")
    with db.writing(Actor.system("tests")) as session:
        roster = rosters.create(session, system, RosterIn(unit_id=unit_id, shift_start=shift_start))
        for role, rows in people.items():
            if rows:
                rosters.set_rotation(
                    session,
                    system,
                    roster.id,
                    RotationIn(
                        role=role,
                        starts_on=starts_on,
                        members=[p for p, _ in rows],
                        per_shift=per_shift if role == "officer" else 1,
                    ),
                )
        roster_id = roster.id
    return Crew(unit_id, roster_id, code, people["leader"], people["officer"], people["backup"])


def local(*args) -> datetime:
    """A wall-clock time in Asia/Shanghai as an aware datetime."""
    from yingji.core.clock import LOCAL_TZ

    return datetime(*args, tzinfo=LOCAL_TZ)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def crew_factory(city):
    def make(code: str | None = None, **kw) -> Crew:
        return make_crew(city.db, code or city.town_a, **kw)

    return make

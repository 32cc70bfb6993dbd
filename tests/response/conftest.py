"""Fixtures of the response tests: incidents made directly with the ORM in the shared test city
(each test makes its own), principals of the demo users, and a worker limited to response jobs."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from yingji.auth import service as auth_service
from yingji.auth.models import User
from yingji.auth.scope import Principal
from yingji.core import clock as clock_module
from yingji.core.db import Actor, Database
from yingji.incidents.models import Incident
from yingji.jobs.worker import Worker
from yingji.org.models import Person, Position, Unit

RESPONSE_JOBS = [
    "response.escalation_step",
    "response.escalation_audit",
    "response.investigation_due",
    "response.investigation_sweep",
]


def new_incident(
    db: Database,
    code: str,
    *,
    status: str = "verified",
    category: str = "accident.production",
    grading_kind: str | None = "production_safety",
    grade: str | None = "IV",
    occurred_at: datetime | None = None,
    deaths: int = 0,
    title: str = "测试事故",
    **figures,
) -> int:
    """An incident written straight to the database (the intake flow belongs to incidents)."""
    when = occurred_at or clock_module.now() - timedelta(hours=1)
    with db.writing(Actor.system("tests")) as session:
        incident = Incident(
            number=f"T-{uuid.uuid4().hex[:12]}",
            title=title,
            category=category,
            grading_kind=grading_kind,
            grade=grade,
            jurisdiction_code=code,
            occurred_at=when,
            received_at=when,
            status=status,
            deaths=deaths,
            **figures,
        )
        session.add(incident)
        session.flush()
        return incident.id


def principal_of(db: Database, username: str) -> Principal:
    with db.reading() as session:
        return Principal.of(session.scalars(select(User).where(User.username == username)).one())


@dataclass
class Crew:
    """A unit with a chief and a member, each with a login, under a parent unit with its own chief."""

    parent_id: int
    unit_id: int
    chief_person_id: int
    member_person_id: int
    parent_chief_person_id: int
    member_user: str
    chief_user: str
    parent_chief_user: str


def make_crew(db: Database, code: str) -> Crew:
    tag = uuid.uuid4().hex[:8]
    system = Principal.system()
    with db.writing(Actor.system("tests")) as session:
        parent = Unit(
            code=f"t-parent-{tag}", name=f"上级单位{tag}", kind="department", jurisdiction_code=code
        )
        session.add(parent)
        session.flush()
        unit = Unit(
            code=f"t-unit-{tag}",
            name=f"救援组{tag}",
            kind="working_group",
            parent_id=parent.id,
            jurisdiction_code=code,
        )
        session.add(unit)
        # each with a mobile of its own: the fixture runs once per test, and a division with several
        # people of one name and no mobile cannot be told apart (the people import refuses it)
        people = [
            Person(name=n, jurisdiction_code=code, mobile=f"139{uuid.uuid4().int % 10**8:08d}")
            for n in ("组长甲", "组员乙", "局长丙")
        ]
        session.add_all(people)
        session.flush()
        chief, member, boss = people
        session.add_all(
            [
                Position(
                    person_id=chief.id, unit_id=unit.id, title="组长", role="chief", jurisdiction_code=code
                ),
                Position(
                    person_id=member.id, unit_id=unit.id, title="组员", role="member", jurisdiction_code=code
                ),
                Position(
                    person_id=boss.id, unit_id=parent.id, title="局长", role="chief", jurisdiction_code=code
                ),
            ]
        )
        names = {}
        for person, role, key in (
            (member, "grid_worker", "m"),
            (chief, "town_officer", "c"),
            (boss, "town_officer", "b"),
        ):
            names[key] = f"t{key}{tag}"
            auth_service.create_user(
                session,
                system,
                username=names[key],
                password="unused",
                check_password=False,
                display_name=person.name,
                role=role,
                jurisdiction_code=code,
                person_id=person.id,
            )
        return Crew(parent.id, unit.id, chief.id, member.id, boss.id, names["m"], names["c"], names["b"])


@pytest.fixture
def run_jobs():
    """Run the due response jobs of a database until none is left (other domains' jobs untouched)."""

    def run(db: Database) -> int:
        return Worker(db, kinds=RESPONSE_JOBS, name="tests-response").run_until_idle()

    return run


@pytest.fixture
def token_client(app, city):
    """``token_client(username)`` → an API client for any user of the test city (bearer token)."""
    from fastapi.testclient import TestClient

    clients = []

    def make(username: str) -> TestClient:
        with city.db.writing(Actor.system("tests")) as session:
            user = session.scalars(select(User).where(User.username == username)).one()
            secret, _ = auth_service.create_token(session, Principal.system(), user, "tests")
        client = TestClient(app, raise_server_exceptions=False)
        client.headers["Authorization"] = f"Bearer {secret}"
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()

"""Fixtures of the field app's tests: a published warning over the grid worker's village group
(through the delivery flow, as the warnings domain publishes it) and a door-to-door task of that
group's cell, as the escalation opens it."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from tests.delivery.conftest import emit, make_warning
from yingji.core.db import Actor
from yingji.delivery import signing
from yingji.delivery.models import DoorTask
from yingji.field.models import DoorVisit
from yingji.org.models import GridCell
from yingji.residents.models import Resident


@pytest.fixture(autouse=True)
def app_secret(monkeypatch):
    monkeypatch.setenv("YINGJI_SECRET_KEY", "test-secret")
    signing.app_secret.cache_clear()
    yield
    signing.app_secret.cache_clear()


@dataclass
class Job:
    warning_id: int
    dispatch_id: int
    task_id: int
    headline: str
    households: list[str]


def open_task(db, dispatch_id: int, code: str) -> int:
    with db.writing(Actor.system("tests")) as session:
        cell = session.scalar(select(GridCell).where(GridCell.jurisdiction_code == code, GridCell.level == 3))
        households = session.scalar(
            select(func.count(func.distinct(Resident.household))).where(Resident.jurisdiction_code == code)
        )
        task = DoorTask(
            dispatch_id=dispatch_id,
            grid_cell_id=cell.id,
            jurisdiction_code=code,
            assignee_ids=[],
            households_total=households or 0,
            vulnerable_total=0,
        )
        session.add(task)
        session.flush()
        return task.id


@pytest.fixture
def job(city) -> Job:
    wid = make_warning(city.db, city.county_a, area_codes=[city.group_a])
    dispatch = emit(city.db, wid)
    task_id = open_task(city.db, dispatch.id, city.group_a)
    with city.db.reading() as session:
        households = sorted(
            set(session.scalars(select(Resident.household).where(Resident.jurisdiction_code == city.group_a)))
        )
    return Job(wid, dispatch.id, task_id, dispatch.headline, households)


def visits_with(db, prefix: str) -> int:
    with db.reading() as session:
        return session.scalar(
            select(func.count()).select_from(DoorVisit).where(DoorVisit.client_key.like(prefix + "%"))
        )

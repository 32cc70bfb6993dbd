"""Helpers of the exercise tests: drills written straight into the drills table (the drills domain
owns their creation), scripts through the API, and the jobs run by a worker."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select

import yingji.core.schema  # noqa: F401 (every model, so the drills' relationships resolve)
from yingji.core.db import Actor
from yingji.drills.models import Drill
from yingji.incidents.models import Incident
from yingji.jobs.worker import Worker

INJECT_KINDS = ["drills.inject", "monitoring.alarm"]


def make_drill(db, code: str, *, blind: bool = True, title: str | None = None) -> int:
    with db.writing(Actor.system("tests")) as session:
        drill = Drill(
            jurisdiction_code=code,
            year=date.today().year,
            title=title or f"防汛双盲演练{uuid.uuid4().hex[:6]}",
            form="live",
            scope="comprehensive",
            purpose="test",
            notice_time=not blind,
            notice_scenario=not blind,
            scenario="暴雨引发山洪，某村群众被困。",
            planned_on=date.today(),
            state="planned",
        )
        session.add(drill)
        session.flush()
        return drill.id


def incident_inject(place: str, *, offset: int = 0, **extra) -> dict:
    return {
        "kind": "incident_report",
        "offset_minutes": offset,
        "title": "第一幕：群众来电报告山洪",
        "place_code": place,
        "category": "natural.flood_drought",
        "description": "村口河水暴涨，有群众被困。",
        "reporter_name": "村民王某",
        "figures": {"trapped": 3},
    } | extra


def run_injects(db, kinds: list[str] | None = None) -> int:
    return Worker(db, kinds=kinds or INJECT_KINDS, name="tests").run_until_idle()


def drill_incidents(db, drill_id: int) -> list[Incident]:
    with db.reading() as session:
        return list(session.scalars(select(Incident).where(Incident.drill_id == drill_id)))

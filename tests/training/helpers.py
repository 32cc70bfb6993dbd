"""Shared steps of the training tests: a course and a session held today in a place."""

from __future__ import annotations

from sqlalchemy import select

from yingji.core import clock
from yingji.org.models import Person


def course(client, hours: float = 4, **extra) -> dict:
    r = client.post("/api/v1/training/courses", json={"title": "应急管理业务培训", "hours": hours, **extra})
    assert r.status_code == 201, r.text
    return r.json()


def held_session(client, place: str, hours: float = 4, on=None, **extra) -> dict:
    c = course(client, hours)
    on = on or clock.now().date()
    r = client.post(
        "/api/v1/training/sessions",
        json={"course_id": c["id"], "starts_on": on.isoformat(), "jurisdiction_code": place, **extra},
    )
    assert r.status_code == 201, r.text
    return r.json()


def people_of(city, prefix: str, n: int = 3) -> list[Person]:
    with city.db.reading() as session:
        return list(
            session.scalars(
                select(Person)
                .where(Person.jurisdiction_code.startswith(prefix), Person.mobile.is_not(None))
                .order_by(Person.id.desc())
                .limit(n)
            )
        )

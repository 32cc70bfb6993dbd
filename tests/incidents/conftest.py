"""Helpers of the incident tests: points inside places, first reports through the API, users."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD
from yingji.auth import service as auth_service
from yingji.auth.models import User
from yingji.auth.scope import Principal
from yingji.core.db import Actor
from yingji.geo.shapes import from_geojson
from yingji.org.models import Jurisdiction


def point_in(db, code: str) -> tuple[float, float]:
    """A point surely inside the place's polygon."""
    with db.reading() as session:
        place = session.get(Jurisdiction, code)
        p = from_geojson(place.geometry).representative_point()
        return round(p.x, 6), round(p.y, 6)


def key() -> str:
    return f"test-{uuid.uuid4()}"


def first_report(client, db, code: str, *, category: str = "accident.production", figures=None, **extra):
    """File a first report at a point inside ``code``; returns the response."""
    lon, lat = point_in(db, code)
    body = {"category": category, "lon": lon, "lat": lat, "figures": figures or {}} | extra
    return client.post("/api/v1/incidents", json=body, headers={"Idempotency-Key": key()})


def principal_of(db, username: str) -> Principal:
    with db.reading() as session:
        return Principal.of(session.scalar(select(User).where(User.username == username)))


@pytest.fixture(scope="session")
def province_duty(city, tokens) -> str:
    """A duty officer at the province (the demo has none): username, with an API token."""
    name = "prov_duty"
    with city.db.writing(Actor.system("tests")) as session:
        user = auth_service.create_user(
            session,
            Principal.system(),
            username=name,
            password=PASSWORD,
            display_name="省应急厅值班员",
            role="duty_officer",
            jurisdiction_code="52",
        )
        secret, _ = auth_service.create_token(session, Principal.system(), user, "tests")
    tokens[name] = secret
    return name

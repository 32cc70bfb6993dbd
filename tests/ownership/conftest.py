"""People of the ownership tests: a second officer of town A (a colleague to hand over to), a viewer of
town A (in scope, no permission to handle), a second duty officer of the city."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD
from yingji.auth import service as auth_service
from yingji.auth.models import User
from yingji.auth.scope import Principal
from yingji.core.db import Actor
from yingji.ownership.models import Owned, OwnerHandover


@pytest.fixture(scope="session")
def people(city, tokens) -> dict[str, str]:
    """role key → username (with an API token in ``tokens``)."""
    made = {}
    wanted = {
        "colleague": ("town_officer", city.town_a, "甲镇应急办二"),
        "town_viewer": ("viewer", city.town_a, "甲镇只读"),
        "duty2": ("duty_officer", city.city, "市值班员二"),
    }
    with city.db.writing(Actor.system("tests")) as session:
        for key, (role, code, name) in wanted.items():
            username = f"{key}_{uuid.uuid4().hex[:6]}"
            user = auth_service.create_user(
                session,
                Principal.system(),
                username=username,
                password=PASSWORD,
                display_name=name,
                role=role,
                jurisdiction_code=code,
            )
            secret, _ = auth_service.create_token(session, Principal.system(), user, "tests")
            tokens[username] = secret
            made[key] = username
    return made


def user_id(db, username: str) -> int:
    with db.reading() as session:
        return session.scalar(select(User.id).where(User.username == username))


def owned_rows(db, kind: str, item_id: int) -> list[Owned]:
    with db.reading() as session:
        rows = session.scalars(
            select(Owned).where(Owned.kind == kind, Owned.item_id == item_id).order_by(Owned.id)
        ).all()
        session.expunge_all()
        return list(rows)


def handovers_of(db, owned_id: int) -> list[OwnerHandover]:
    with db.reading() as session:
        rows = session.scalars(
            select(OwnerHandover).where(OwnerHandover.owned_id == owned_id).order_by(OwnerHandover.id)
        ).all()
        session.expunge_all()
        return list(rows)

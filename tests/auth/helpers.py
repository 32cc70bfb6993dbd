"""Helpers of the account tests: users of their own (so no test disturbs another's), logins from a
chosen address, apps behind a trusted proxy."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient

from tests.conftest import PASSWORD
from yingji.app import create_app
from yingji.auth import service
from yingji.auth.scope import Principal
from yingji.core.db import Actor

STRONG = "Tongren#Flood2026"  # passes the password policy


def fresh_user(city, *, role: str = "duty_officer", code: str | None = None, password: str = PASSWORD) -> str:
    name = f"u{uuid.uuid4().hex[:8]}"
    with city.db.writing(Actor.system("tests")) as session:
        service.create_user(
            session,
            Principal.system(),
            username=name,
            password=password,
            display_name=name,
            role=role,
            jurisdiction_code=code or city.city,
        )
    return name


def user_id(city, username: str) -> int:
    from sqlalchemy import select

    from yingji.auth.models import User

    with city.db.reading() as session:
        return session.scalar(select(User.id).where(User.username == username))


def token_for(city, username: str) -> str:
    from sqlalchemy import select

    from yingji.auth.models import User

    with city.db.writing(Actor.system("tests")) as session:
        user = session.scalar(select(User).where(User.username == username))
        secret, _ = service.create_token(session, Principal.system(), user, "tests")
    return secret


def client_at(app, address: str, **kw) -> TestClient:
    """A client whose TCP peer address is ``address``."""
    return TestClient(app, raise_server_exceptions=False, client=(address, 50000), **kw)


def post_login(client: TestClient, username: str, password: str, **kw):
    client.get("/login", **kw)
    return client.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "next": "/",
            "login_csrf": client.cookies.get("yingji_login_csrf"),
        },
        follow_redirects=False,
        **kw,
    )


def proxied_app(city, proxies: tuple[str, ...], **settings):
    """The app as deployed behind the given proxies (``YINGJI_TRUSTED_PROXIES``)."""
    return create_app(
        city.db.settings.with_(trusted_proxies=proxies, **settings), city.db, start_worker=False
    )

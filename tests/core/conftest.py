"""A scratch city of its own for the tests that post whatever they like to every endpoint: what they
change must not leak into the shared test city other tests read."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import log_in
from yingji.app import create_app
from yingji.auth import service as auth_service
from yingji.auth.models import User
from yingji.auth.scope import Principal
from yingji.core.db import Actor
from yingji.demo import builder


@pytest.fixture(scope="session")
def scratch_app(databases):
    db = databases.make("scratch")
    options = builder.DemoOptions(counties=["520602"])
    data = builder.generate(options)
    builder.write(db, data)
    builder.create_logins(db, data)
    builder.add_extras(db, data, options)
    application = create_app(db.settings, db, start_worker=False)
    with TestClient(application):
        yield application


@pytest.fixture
def scratch_admin_api(scratch_app):
    """The scratch city's API as its administrator (bearer token)."""
    db = scratch_app.state.db
    with db.writing(Actor.system("tests")) as session:
        user = session.scalar(select(User).where(User.username == "admin"))
        secret, _ = auth_service.create_token(session, Principal.system(), user, "tests")
    with TestClient(scratch_app, raise_server_exceptions=False) as client:
        client.headers["Authorization"] = f"Bearer {secret}"
        yield client


@pytest.fixture
def scratch_admin_browser(scratch_app):
    """The scratch city's pages as its administrator (session cookie and CSRF token)."""
    return log_in(scratch_app, "admin")

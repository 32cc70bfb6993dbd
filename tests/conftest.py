"""Test fixtures. The whole suite runs on SQLite, or on PostgreSQL when YINGJI_TEST_PG_URL is set
(each test session creates its own databases there and drops them at the end)."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from yingji.app import create_app
from yingji.auth import passwords
from yingji.auth import service as auth_service
from yingji.auth.models import User
from yingji.auth.scope import Principal
from yingji.config import Settings
from yingji.core import clock as clock_module
from yingji.core import migrate
from yingji.core.db import Actor, Database, open_database
from yingji.demo import builder
from yingji.org.models import Jurisdiction

PG_URL = os.environ.get("YINGJI_TEST_PG_URL")
PASSWORD = builder.DEMO_PASSWORD
passwords.allow_demo_password_in_tests()  # the suite's users share the demo password; production may not
# Fixture tokens outlive the years tests travel ahead (token expiry has its own tests, through the API).
auth_service.DEFAULT_TOKEN_DAYS = 100 * 365
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


def pytest_report_header(config):
    return f"yingji database: {'postgresql ' + make_url(PG_URL).render_as_string() if PG_URL else 'sqlite'}"


def settings_for(url: str, var_dir: Path) -> Settings:
    return Settings(database_url=url, secret_key="test-secret", var_dir=var_dir, inprocess_worker=False)


class DatabaseFactory:
    """Fresh, migrated databases: SQLite files, or PostgreSQL databases on the test server."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.created: list[tuple[Database | None, str]] = []

    def url(self, name: str) -> str:
        if not PG_URL:
            return f"sqlite:///{self.tmp / f'{name}-{uuid.uuid4().hex[:8]}.db'}"
        dbname = f"yingji_test_{name}_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{dbname}"'))
        admin.dispose()
        url = make_url(PG_URL).set(database=dbname).render_as_string(hide_password=False)
        self.created.append((None, dbname))
        return url

    def make(self, name: str = "t", migrated: bool = True) -> Database:
        url = self.url(name)
        db = open_database(settings_for(url, self.tmp))
        if migrated:
            migrate.upgrade(db.engine)
        self.created.append((db, ""))
        return db

    def cleanup(self) -> None:
        for db, _ in self.created:
            if db is not None:
                db.dispose()
        if PG_URL:
            admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                for _, dbname in self.created:
                    if dbname:
                        conn.execute(text(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)'))
            admin.dispose()


@pytest.fixture(scope="session")
def databases(tmp_path_factory):
    factory = DatabaseFactory(tmp_path_factory.mktemp("db"))
    yield factory
    factory.cleanup()


@dataclass
class City:
    """Well-known places of the test city (two Tongren counties built in detail)."""

    db: Database
    city: str
    county_a: str
    county_b: str
    town_a: str
    town_b: str
    village_a: str
    group_a: str
    town_other_county: str


@pytest.fixture(scope="session")
def city(databases) -> City:
    db = databases.make("city")
    options = builder.DemoOptions(counties=["520602", "520603"])
    data = builder.generate(options)
    builder.write(db, data)
    builder.create_logins(db, data)
    builder.add_extras(db, data, options)
    with db.writing(Actor.system("tests")) as session:
        towns = session.scalars(
            select(Jurisdiction.code).where(Jurisdiction.level == "town").order_by(Jurisdiction.code)
        ).all()
        a_towns = [t for t in towns if t.startswith("520602")]
        town_a = session.scalar(select(User.jurisdiction_code).where(User.username == "town"))
        town_b = next(t for t in a_towns if t != town_a)
        other = next(t for t in towns if t.startswith("520603"))
        village_a = session.scalar(select(User.jurisdiction_code).where(User.username == "gridleader"))
        group_a = session.scalar(select(User.jurisdiction_code).where(User.username == "gridworker"))
        auth_service.create_user(
            session,
            Principal.system(),
            username="town_b",
            password=PASSWORD,
            display_name="乙镇应急办",
            role="town_officer",
            jurisdiction_code=town_b,
        )
    return City(db, "5206", "520602", "520603", town_a, town_b, village_a, group_a, other)


@pytest.fixture(scope="session")
def app(city, tmp_path_factory):
    application = create_app(city.db.settings, city.db, start_worker=False)
    with TestClient(application):  # runs the lifespan (schema check)
        yield application


@pytest.fixture(scope="session")
def tokens(city) -> dict[str, str]:
    """An API token for every demo user."""
    out = {}
    with city.db.writing(Actor.system("tests")) as session:
        for user in session.scalars(select(User)):
            secret, _ = auth_service.create_token(session, Principal.system(), user, "tests")
            out[user.username] = secret
    return out


@pytest.fixture
def api(app, tokens):
    """``api("duty")`` → a client that calls the API as that demo user (bearer token)."""
    clients = []

    def make(username: str) -> TestClient:
        c = TestClient(app, raise_server_exceptions=False)
        c.headers["Authorization"] = f"Bearer {tokens[username]}"
        clients.append(c)
        return c

    yield make
    for c in clients:
        c.close()


class Browserish(TestClient):
    """A cookie-session client that remembers its CSRF token for form posts."""

    csrf: str = ""

    def form(self, url: str, data: dict | None = None, **kw):
        return self.post(url, data={"csrf_token": self.csrf, **(data or {})}, **kw)


def log_in(app, username: str, password: str = PASSWORD) -> Browserish:
    c = Browserish(app, raise_server_exceptions=False)
    c.get("/login")
    r = c.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "login_csrf": c.cookies.get("yingji_login_csrf"),
            "next": "/",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:500]
    page = c.get("/")
    c.csrf = page.text.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    return c


@pytest.fixture
def browser_client(app):
    clients = []

    def make(username: str) -> Browserish:
        c = log_in(app, username)
        clients.append(c)
        return c

    yield make
    for c in clients:
        c.close()


@pytest.fixture
def clock():
    """The platform clock, frozen by the test if it likes; always reset afterwards."""
    yield clock_module.clock
    clock_module.clock.reset()


def unique_mobile() -> str:
    """A fresh mobile number no demo person has (demo numbers come from a fixed serial)."""
    return "170" + f"{uuid.uuid4().int % 10**8:08d}"

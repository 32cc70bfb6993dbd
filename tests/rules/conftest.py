"""A small database of its own for the override tests: overrides written here never change the
grades other domains' tests compute on the shared demo city."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from yingji.app import create_app
from yingji.auth import service as auth_service
from yingji.auth.scope import Principal
from yingji.core.db import Actor, Database
from yingji.org.models import Jurisdiction

PLACES = [
    ("52", "贵州省", "province", None),
    ("5206", "铜仁市", "city", "52"),
    ("520602", "碧江区", "county", "5206"),
    ("520603", "万山区", "county", "5206"),
    ("520602001", "环北街道", "town", "520602"),
]
USERS = [
    ("r_admin", "admin", "52"),
    ("r_county_a", "county_officer", "520602"),
    ("r_county_b", "county_officer", "520603"),
    ("r_town", "town_officer", "520602001"),
    ("r_viewer", "viewer", "5206"),
]
PASSWORD = "Rules-test-2026!"


@dataclass
class RulesEnv:
    db: Database
    app: object
    tokens: dict[str, str]

    def client(self, username: str) -> TestClient:
        c = TestClient(self.app, raise_server_exceptions=False)
        c.headers["Authorization"] = f"Bearer {self.tokens[username]}"
        return c


@pytest.fixture(scope="module")
def rules_env(databases) -> RulesEnv:
    db = databases.make("rules")
    tokens = {}
    with db.writing(Actor.system("tests")) as session:
        for code, name, level, parent in PLACES:
            session.add(Jurisdiction(code=code, name=name, level=level, parent_code=parent))
            session.flush()
        for username, role, code in USERS:
            user = auth_service.create_user(
                session,
                Principal.system(),
                username=username,
                password=PASSWORD,
                display_name=username,
                role=role,
                jurisdiction_code=code,
            )
            tokens[username], _ = auth_service.create_token(session, Principal.system(), user, "tests")
    app = create_app(db.settings, db, start_worker=False)
    with TestClient(app):
        yield RulesEnv(db, app, tokens)

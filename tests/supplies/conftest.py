"""Fixtures of the supplies tests: stores, keepers with their own logins, a tiny organisation for
fresh databases, and helpers that post documents through the real services."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import PASSWORD, unique_mobile
from yingji.auth import service as auth_service
from yingji.auth.models import User
from yingji.auth.scope import Principal
from yingji.core.db import Actor, Database
from yingji.incidents.models import Incident
from yingji.org.models import Jurisdiction, Person
from yingji.supplies import catalogue, documents, warehouses
from yingji.supplies.models import Warehouse
from yingji.supplies.schemas import KeeperIn, ReceiptIn, WarehouseIn

SYSTEM = Principal.system()


def key() -> str:
    return f"t-{uuid.uuid4().hex}"


def make_store(
    db: Database, level: str, code: str, *, name: str | None = None, area: float | None = None
) -> int:
    """A new store at ``code`` (its id); several may share a place."""
    with db.writing(Actor.system("tests")) as session:
        w = warehouses.create(
            session,
            SYSTEM,
            WarehouseIn(
                name=name or f"测试库{uuid.uuid4().hex[:6]}",
                level=level,
                jurisdiction_code=code,
                area_m2=area,
            ),
        )
        return w.id


def make_person(db: Database, code: str) -> int:
    with db.writing(Actor.system("tests")) as session:
        p = Person(
            name="测试保管员", mobile=unique_mobile(), jurisdiction_code=code, title="保管员", active=True
        )
        session.add(p)
        session.flush()
        return p.id


def add_keeper(db: Database, warehouse_id: int, person_id: int) -> None:
    with db.writing(Actor.system("tests")) as session:
        warehouses.add_keeper(session, SYSTEM, warehouse_id, KeeperIn(person_id=person_id))


def receive(db: Database, warehouse_id: int, lines: list[dict], principal: Principal = SYSTEM) -> int:
    """A receipt through the service; returns the document id."""
    with db.writing(Actor.system("tests")) as session:
        data = ReceiptIn(client_key=key(), warehouse_id=warehouse_id, lines=lines)
        return documents.receive(session, principal, data).document.id


def balance(db: Database, warehouse_id: int, item_code: str) -> int:
    from yingji.supplies.models import Balance

    with db.reading() as session:
        item = catalogue.by_code(session, item_code)
        rows = session.scalars(
            select(Balance.qty).where(Balance.warehouse_id == warehouse_id, Balance.item_id == item.id)
        ).all()
        return sum(rows)


@dataclass
class Keeper:
    username: str
    user_id: int
    person_id: int
    warehouse_id: int
    client: TestClient


@pytest.fixture
def keeper_login(city, app):
    """``keeper_login(code, level)`` → a warehouse-keeper user at ``code`` keeping a new store there,
    with an API client."""
    clients = []

    def make(code: str, level: str) -> Keeper:
        store = make_store(city.db, level, code)
        person = make_person(city.db, code)
        add_keeper(city.db, store, person)
        name = f"k{uuid.uuid4().hex[:10]}"
        with city.db.writing(Actor.system("tests")) as session:
            user = auth_service.create_user(
                session,
                SYSTEM,
                username=name,
                password=PASSWORD,
                display_name="测试保管员",
                role="warehouse_keeper",
                jurisdiction_code=code,
                person_id=person,
            )
            secret, _ = auth_service.create_token(session, SYSTEM, user, "tests")
            user_id = user.id
        client = TestClient(app, raise_server_exceptions=False)
        client.headers["Authorization"] = f"Bearer {secret}"
        clients.append(client)
        return Keeper(name, user_id, person, store, client)

    yield make
    for c in clients:
        c.close()


def make_incident(db: Database, code: str, lon: float, lat: float) -> int:
    """An incident row (the incidents domain's own services are not needed to dispatch supplies)."""
    at = datetime(2026, 7, 1, 2, 0, tzinfo=UTC)
    with db.writing(Actor.system("tests")) as session:
        incident = Incident(
            number=f"T-{uuid.uuid4().hex[:12]}",
            title="测试山洪灾害",
            category="flood",
            jurisdiction_code=code,
            lon=lon,
            lat=lat,
            occurred_at=at,
            received_at=at,
            status="responding",
        )
        session.add(incident)
        session.flush()
        return incident.id


def place(db: Database, code: str) -> Jurisdiction:
    with db.reading() as session:
        return session.get(Jurisdiction, code)


def store(db: Database, warehouse_id: int) -> Warehouse:
    with db.reading() as session:
        return session.get(Warehouse, warehouse_id)


def user_id(db: Database, username: str) -> int:
    with db.reading() as session:
        return session.scalar(select(User.id).where(User.username == username))


def tiny_org(db: Database) -> dict[str, str]:
    """The places a fresh database needs for stores: city, county, town, two villages."""
    codes = {
        "city": "5206",
        "county": "520602",
        "town": "520602001",
        "v1": "520602001001",
        "v2": "520602001002",
    }
    rows = [
        ("52", "贵州省", "province", None, 106.7, 26.6),
        ("5206", "铜仁市", "city", "52", 109.19, 27.73),
        ("520602", "碧江区", "county", "5206", 109.26, 27.70),
        ("520602001", "测试街道", "town", "520602", 109.20, 27.72),
        ("520602001001", "一村", "village", "520602001", 109.21, 27.73),
        ("520602001002", "二村", "village", "520602001", 109.23, 27.71),
    ]
    with db.writing(Actor.system("tests")) as session:
        for code, name, level, parent, lon, lat in rows:
            session.add(Jurisdiction(code=code, name=name, level=level, parent_code=parent, lon=lon, lat=lat))
        session.flush()
    return codes

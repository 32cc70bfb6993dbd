"""Helpers of the work-task tests: users linked to the people of a unit, small plans in the test
city's county, tables in seed 002's layout."""

from __future__ import annotations

import io
import uuid

from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import select

from yingji.auth import service as auth_service
from yingji.auth.models import User
from yingji.auth.scope import Principal
from yingji.core.db import Actor
from yingji.org.models import Person, Position, Unit

PASSWORD = "Yingji@2026"


def key() -> str:
    return f"t-{uuid.uuid4().hex[:20]}"


def bureau(city, code: str | None = None) -> Unit:
    with city.db.reading() as session:
        return session.scalar(select(Unit).where(Unit.code == f"{code or city.county_a}-YJJ"))


def departments(city, code: str | None = None) -> list[Unit]:
    b = bureau(city, code)
    with city.db.reading() as session:
        return list(session.scalars(select(Unit).where(Unit.parent_id == b.id).order_by(Unit.sort, Unit.id)))


def person_with_post(city, unit_id: int, role: str, code: str) -> int:
    """A new person holding a post of ``role`` in the unit."""
    with city.db.writing(Actor.system("tests")) as session:
        p = Person(name=f"测{uuid.uuid4().hex[:4]}", jurisdiction_code=code)
        session.add(p)
        session.flush()
        session.add(Position(person_id=p.id, unit_id=unit_id, title=role, role=role, jurisdiction_code=code))
        return p.id


def client_for(app, city, person_id: int | None, code: str, role: str = "department_staff") -> TestClient:
    """An API client of a new user standing for ``person_id``."""
    name = f"g{uuid.uuid4().hex[:10]}"
    with city.db.writing(Actor.system("tests")) as session:
        user = auth_service.create_user(
            session,
            Principal.system(),
            username=name,
            password=PASSWORD,
            display_name=name,
            role=role,
            jurisdiction_code=code,
            person_id=person_id,
        )
        secret, _ = auth_service.create_token(session, Principal.system(), user, "tests")
    c = TestClient(app, raise_server_exceptions=False)
    c.headers["Authorization"] = f"Bearer {secret}"
    return c


def user_id(city, username: str) -> int:
    with city.db.reading() as session:
        return session.scalar(select(User.id).where(User.username == username))


def new_plan(api, city, user: str = "county", **extra) -> dict:
    b = bureau(city)
    body = {
        "year": 2026,
        "title": f"测试任务分解{uuid.uuid4().hex[:4]}",
        "issuer": b.name,
        "issuer_unit_id": b.id,
        "jurisdiction_code": city.county_a,
    } | extra
    r = api(user).post("/api/v1/work-tasks/plans", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def plan_with_measure(
    api, city, units: list[int], deadline: str = "长期坚持", user: str = "county", **extra
) -> tuple[dict, dict]:
    plan = new_plan(api, city, user)
    t = api(user).post(
        f"/api/v1/work-tasks/plans/{plan['id']}/tasks", json={"seq": 1, "title": "加强重点领域监管执法"}
    )
    assert t.status_code == 201, t.text
    body = {
        "task_id": t.json()["id"],
        "text": "(1)测试举措，形成工作台账。",
        "deadline": deadline,
        "units": [{"unit_id": u} for u in units],
    } | extra
    m = api(user).post("/api/v1/work-tasks/measures", json=body)
    assert m.status_code == 201, m.text
    return plan, m.json()


def table(
    rows: list[list],
    header: list[str] | None = None,
    title: str | None = "2026年工作任务措施清单和责任分解表",
    merges: list[str] = (),
) -> bytes:
    wb = Workbook()
    ws = wb.active
    if title:
        ws.append([title])
    ws.append(
        header or ["序号", "工作任务", "相应的工作举措（含可供检验的工作成果）", "责任股室", "完成时限"]
    )
    for r in rows:
        ws.append(r)
    for m in merges:
        ws.merge_cells(m)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def import_table(client, city, data: bytes, **form):
    b = bureau(city)
    fields = {
        "year": "2026",
        "title": f"导入{uuid.uuid4().hex[:4]}",
        "issuer": b.name,
        "issuer_unit_id": str(b.id),
        "jurisdiction_code": city.county_a,
    } | form
    return client.post("/api/v1/work-tasks/plans/import", data=fields, files={"file": ("t.xlsx", data, XLSX)})

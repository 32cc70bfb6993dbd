"""One control character in a field worker's report must not break an official export: the danger
ledger, residents and people exports answer 200 at every level above, with the text cleaned.
(The rows are dirtied in the database directly, as data from before input checks or from any other
path would be; openpyxl refuses such characters, which made each export answer 500.)"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import delete, update

from tests.conftest import unique_mobile
from tests.files.conftest import sheet_rows
from yingji.core.db import Actor
from yingji.org.models import Person
from yingji.residents.models import Resident
from yingji.risk.danger_models import Danger

DIRTY = "消防\x01通道\x08堆放\x0b杂物\x1b\x1f"
CLEAN = "消防通道堆放杂物"
FORMULA = '=HYPERLINK("http://evil.example","点我")'


def dirty(db, model, row_id: int, **values) -> None:
    with db.writing(Actor.system("tests")) as session:
        session.execute(update(model).where(model.id == row_id).values(**values))


def remove(db, model, row_id: int) -> None:
    with db.writing(Actor.system("tests")) as session:
        session.execute(delete(model).where(model.id == row_id))


def cells(content: bytes) -> set:
    return {v for row in sheet_rows(content) for v in row if v is not None}


@pytest.fixture(scope="module")
def dirty_danger(city, app, tokens):
    from fastapi.testclient import TestClient

    with TestClient(app) as c:
        c.headers["Authorization"] = f"Bearer {tokens['gridworker']}"
        r = c.post(
            "/api/v1/risk/dangers",
            json={"title": "临时标题", "category": "fire", "client_key": f"cc-{uuid.uuid4().hex}"},
        )
        assert r.status_code == 201, r.text
    dirty(city.db, Danger, r.json()["id"], title=DIRTY, description=f"说明\x02{FORMULA}")
    return r.json()["id"]


@pytest.mark.parametrize("user", ["gridleader", "town", "county", "duty", "viewer"])
def test_the_danger_ledger_exports_at_every_level_above(user, dirty_danger, api):
    r = api(user).get("/api/v1/risk/dangers.xlsx")
    assert r.status_code == 200, r.text[:300]
    found = cells(r.content)
    assert CLEAN in found
    assert not any(isinstance(v, str) and "\x01" in v for v in found)


def test_a_value_that_looks_like_a_formula_stays_text(city, api):
    from io import BytesIO

    from openpyxl import load_workbook

    from tests.risk.conftest import danger

    d = danger(api("gridworker"), title="公式标题")
    dirty(city.db, Danger, d["id"], title=FORMULA)
    number = f"YH{d['found_at'][:4]}{d['id']:07d}"
    r = api("town").get("/api/v1/risk/dangers.xlsx", params={"q": number})
    assert r.status_code == 200, r.text[:300]
    ws = load_workbook(BytesIO(r.content)).worksheets[0]
    cell = next(c for row in ws.iter_rows(min_row=2) for c in row if c.value == FORMULA)
    assert cell.data_type == "s"  # not "f": Excel will not run it


@pytest.mark.parametrize("user", ["gridleader", "town", "county", "duty"])
def test_residents_export_at_every_level_above(user, city, api, dirty_resident):
    r = api(user).get("/api/v1/residents/export")
    assert r.status_code == 200, r.text[:300]
    found = cells(r.content)
    assert f"居民{CLEAN}" in found and CLEAN in found


@pytest.fixture(scope="module")
def dirty_resident(city, app, tokens):
    from fastapi.testclient import TestClient

    with TestClient(app) as c:
        c.headers["Authorization"] = f"Bearer {tokens['town']}"
        r = c.post(
            "/api/v1/residents",
            json={
                "name": "控制符居民",
                "household": f"H{uuid.uuid4().hex[:6]}",
                "jurisdiction_code": city.group_a,
            },
        )
        assert r.status_code == 201, r.text
    dirty(city.db, Resident, r.json()["id"], name=f"居民{DIRTY}", address=DIRTY, note="\x01\x02\x03")
    yield r.json()["id"]
    remove(city.db, Resident, r.json()["id"])  # other tests round-trip the village's sheets


@pytest.fixture(scope="module")
def dirty_person(city, app, tokens):
    from fastapi.testclient import TestClient

    with TestClient(app) as c:
        c.headers["Authorization"] = f"Bearer {tokens['town']}"
        person = {"name": "控制符人员", "mobile": unique_mobile(), "jurisdiction_code": city.group_a}
        r = c.post("/api/v1/people", json=person)
        assert r.status_code == 201, r.text
    dirty(city.db, Person, r.json()["id"], name=f"人员{DIRTY}", title=DIRTY, note=FORMULA)
    yield r.json()["id"]
    remove(city.db, Person, r.json()["id"])


@pytest.mark.parametrize("user", ["gridleader", "town", "county", "duty", "viewer"])
def test_people_export_at_every_level_above(user, city, api, dirty_person):
    r = api(user).get("/api/v1/export/people")
    assert r.status_code == 200, r.text[:300]
    found = cells(r.content)
    assert f"人员{CLEAN}" in found and FORMULA in found

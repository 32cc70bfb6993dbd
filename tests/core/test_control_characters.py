"""Control characters are stripped where text enters, so none reaches an export: one ``\\x01`` in a
grid worker's danger report made ``dangers.xlsx`` answer 500 for every level above (residents and
people exports too). Tab, line feed and carriage return stay; JSON's NUL (which PostgreSQL refuses)
and lone surrogates (which no encoder takes) are stripped as well."""

from __future__ import annotations

import importlib
import inspect
import io
import json
import typing
import uuid

from fastapi.routing import APIRoute
from openpyxl import load_workbook
from pydantic import BaseModel
from sqlalchemy import select

from tests.conftest import unique_mobile
from yingji.app import ROUTER_MODULES
from yingji.auth.models import User
from yingji.auth.scope import Principal
from yingji.core import text
from yingji.core.db import Actor
from yingji.delivery.models import ChannelEndpoint
from yingji.monitoring import ingest, parse
from yingji.monitoring.models import Rejection
from yingji.org.models import Person, Unit
from yingji.residents.models import Resident
from yingji.risk.danger_models import Danger

CONTROLS = "\x01\x02\x08\x1b\x1f\x7f\x85\x9b"


def _json(client, url: str, body: dict | list):
    """Posted as JSON text (escapes for NUL and lone surrogates, which a client library refuses)."""
    return client.post(url, content=json.dumps(body), headers={"Content-Type": "application/json"})


def _sheet(response) -> list[list]:
    assert response.status_code == 200, response.text[:300]
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_a_danger_with_a_control_character_exports_for_every_level_above(api, city, browser_client):
    tag = uuid.uuid4().hex[:6]
    page = browser_client("gridworker")
    r = page.form(
        "/risk/report",
        {
            "title": f"楼道{CONTROLS}堆放杂物{tag}",
            "description": "第一行\r\n第二行\t制表\x01",
            "category": "fire",
            "client_key": f"ctl-{tag}-page",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:500]
    r = _json(
        api("gridworker"),
        "/api/v1/risk/dangers",
        {"title": f"电动车\u0000入户\ud800充电{tag}", "category": "fire", "client_key": f"ctl-{tag}-api"},
    )
    assert r.status_code == 201, r.text
    with city.db.reading() as session:
        stored = session.scalars(select(Danger).where(Danger.title.contains(tag))).all()
        assert sorted(d.title for d in stored) == [f"楼道堆放杂物{tag}", f"电动车入户充电{tag}"]
        assert [d.description for d in stored if d.description] == ["第一行\r\n第二行\t制表"]
    for user in ("gridleader", "town", "county", "admin"):
        rows = _sheet(api(user).get("/api/v1/risk/dangers.xlsx", params={"q": tag}))
        assert {row[2] for row in rows[1:]} >= {f"楼道堆放杂物{tag}", f"电动车入户充电{tag}"}, user


def test_residents_and_people_with_control_characters_export(api, city):
    tag = uuid.uuid4().hex[:6]
    town = api("town")
    r = _json(
        town,
        "/api/v1/residents",
        {
            "name": f"王\x01小明{tag}",
            "jurisdiction_code": city.group_a,
            "household": f"H\x01{tag}",
            "address": "灯塔街道\x1b[31m1号",
            "note": "行动不便\x0b需要协助\x00",
        },
    )
    assert r.status_code == 201, r.text
    assert r.json()["name"] == f"王小明{tag}"
    r = _json(
        api("admin"),
        "/api/v1/people",
        {
            "name": f"李\x02四{tag}",
            "mobile": unique_mobile(),
            "jurisdiction_code": city.town_other_county,
            "note": "备\x7f注",
        },
    )
    assert r.status_code == 201, r.text
    with city.db.reading() as session:
        resident = session.scalar(select(Resident).where(Resident.name == f"王小明{tag}"))
        assert resident.household == f"H{tag}" and resident.address == "灯塔街道[31m1号"
        assert resident.note == "行动不便\n需要协助"
        assert session.scalar(select(Person.note).where(Person.name == f"李四{tag}")) == "备注"
    residents = _sheet(town.get("/api/v1/residents/export", params={"within": city.group_a}))
    assert any(row[0] == f"王小明{tag}" for row in residents)
    people = _sheet(api("admin").get("/api/v1/export/people", params={"within": city.town_other_county}))
    assert any(row[0] == f"李四{tag}" for row in people)


def test_the_flush_guard_cleans_whatever_way_text_comes_in(city):
    """Forms read field by field, jobs, imports: every row the ORM writes is cleaned, JSON too."""
    code = f"{city.town_other_county}-CTL{uuid.uuid4().hex[:4]}"  # outside the places other tests export
    with city.db.writing(Actor.system("tests")) as session:
        unit = Unit(
            code=code, name="应急\x01办", kind="committee_office", jurisdiction_code=city.town_other_county
        )
        endpoint = ChannelEndpoint(
            kind="wecom",
            name=f"群\x02{code}",
            jurisdiction_code=city.town_other_county,
            config={"键\x03": ["值\ud800", 1]},
        )
        session.add_all([unit, endpoint])
        session.flush()
        assert unit.name == "应急办" and endpoint.config == {"键": ["值", 1]}
        unit.address = "北\x1f路\t1号"
    with city.db.reading() as session:
        stored = session.scalar(select(Unit).where(Unit.code == code))
        assert (stored.name, stored.address) == ("应急办", "北路\t1号")
        endpoint = session.scalar(select(ChannelEndpoint).where(ChannelEndpoint.name == f"群{code}"))
        assert endpoint.config == {"键": ["值", 1]}


def test_clean_keeps_text_and_line_breaks():
    assert text.clean("第一行\r\n第二行\t（制表）") == "第一行\r\n第二行\t（制表）"
    assert text.clean("a\x0bb\x0cc") == "a\nb\nc"  # Word's line and page breaks stay breaks
    assert text.clean("".join(map(chr, range(32))) + "\x7f\x80\x9f\ud800\udfff\ufffe\uffff") == "\t\n\n\n\r"
    same = "一切正常 ok"
    assert text.clean(same) is same
    nested = {"a": ["x", ("y",)], "b": 1}
    assert text.clean_deep(nested) is nested


def test_sensor_batches_store_rejections_cleaned(api, city):
    """A malformed reading is kept as a sample with its sensor code: whatever a device sent. A NUL
    (PostgreSQL refuses it in text) or a lone surrogate (no encoder takes it) failed the whole batch;
    over MQTT the message came back again and again."""
    tag = uuid.uuid4().hex[:6]
    items = [
        {"sensor": f"坏\u0000码\ud800{tag}", "t": 1, "v": 1},
        {"sensor": f"OK{tag}", "t": "\u0000\ud800\x01"},
    ]
    r = _json(api("county"), "/api/v1/readings", items)
    assert r.status_code == 200, r.text
    assert r.json()["rejected"] == 2
    with city.db.writing(Actor.system("tests")) as session:
        principal = Principal.of(session.scalar(select(User).where(User.username == "county")))
        ingest.ingest(session, principal, parse.from_mqtt(f"yj/{tag}\x01", b"{\x00"), source="mqtt:\x1b")
        ingest.ingest(
            session, principal, parse.from_mqtt(f"yj/M{tag}", b'{"t": "\\u0000\\ud800"}'), source="mqtt"
        )
    with city.db.reading() as session:
        rows = session.execute(
            select(Rejection.sensor_code, Rejection.last_sample, Rejection.last_source).where(
                Rejection.sensor_code.contains(tag)
            )
        ).all()
    assert sorted(code for code, _, _ in rows) == sorted([f"M{tag}", f"OK{tag}", tag, f"坏码{tag}"])
    for code, sample, source in rows:
        assert text.is_clean(code + (sample or "") + (source or "")), (code, sample, source)


# Passwords are refused with control characters, never cleaned (the hash must match what is typed).
NOT_INPUT = {"yingji.auth.schemas.PasswordIn", "yingji.auth.schemas.OwnPasswordIn"}


def _models(annotation, found: set) -> None:
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        if annotation not in found:
            found.add(annotation)
            for f in annotation.model_fields.values():
                _models(f.annotation, found)
        return
    for arg in typing.get_args(annotation):
        _models(arg, found)


def test_every_request_body_schema_cleans_its_text():
    """A new schema cannot forget: every model an operation takes as its body (nested ones too)."""
    found: set = set()
    for name in ROUTER_MODULES:
        for route in importlib.import_module(name).router.routes:
            if isinstance(route, APIRoute):
                stack = [route.dependant]
                while stack:
                    dependant = stack.pop()
                    stack += dependant.dependencies
                    for param in dependant.body_params:
                        _models(param.field_info.annotation, found)
    assert len(found) > 50
    missing = sorted(
        f"{m.__module__}.{m.__name__}"
        for m in found
        if not issubclass(m, text.Input) and f"{m.__module__}.{m.__name__}" not in NOT_INPUT
    )
    assert not missing, missing

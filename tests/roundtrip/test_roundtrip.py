"""Every Excel export that has an import reads back unchanged (issue 15 item 8): export from the demo
city, import the bytes back, no errors and nothing created or changed, and the same sheet exported
again. Each round trip runs in a transaction that is rolled back, so the shared city stays as it is."""

from __future__ import annotations

import io
from contextlib import contextmanager

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.conftest import unique_mobile
from tests.factories import upload, xlsx
from yingji.auth.models import User
from yingji.auth.scope import Principal
from yingji.core.db import Actor
from yingji.core.errors import ImportRejected
from yingji.files import kinds
from yingji.org.models import Person, Position, Unit
from yingji.org.sheets import write


@contextmanager
def rolled_back(city, username: str = "admin"):
    with city.db.write_sessions() as session:
        session.info["actor"] = Actor.system("tests:roundtrip")
        principal = Principal.of(session.scalar(select(User).where(User.username == username)))
        try:
            yield session, principal
        finally:
            session.rollback()


def cells(data: bytes) -> list[tuple]:
    ws = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    return [tuple(r) for r in ws.iter_rows(values_only=True)]


def assert_unchanged(result, exported: bytes, again: bytes) -> None:
    counts = result.as_dict()
    assert counts["created"] == 0 and counts["updated"] == 0, counts
    assert counts["unchanged"] > 0, counts
    assert cells(again) == cells(exported)


# Registered sheet kinds: (name, scope of the export); a town keeps the big registers fast.
KINDS = [
    ("people", "town"),
    ("units", "county"),
    ("grid", "town"),
    ("forces.teams", "county"),
    ("forces.members", "town"),
    ("residents", "town"),
    ("risk_enterprises", "town"),
    ("cameras", "county"),
    ("plans", "other_county"),  # county_a's plans are rewritten by the plans tests (dates out of order)
    ("experts", None),
    ("shelters", "county"),
    ("damage_officers", "county"),
]


@pytest.mark.parametrize(("name", "scope"), KINDS)
def test_registered_sheet_round_trips(city, name, scope):
    ek, ik = kinds.export_kind(name), kinds.import_kind(name)
    within = {
        "town": city.town_a,
        "county": city.county_a,
        "other_county": city.town_other_county[:6],
        None: None,
    }[scope]
    with rolled_back(city) as (session, principal):
        exported = write(ek.title, ek.columns, ek.rows(session, principal, within=within))
        assert len(cells(exported)) > 1, "the demo has rows to export"
        try:
            result = ik.run(session, principal, exported)
        except ImportRejected as e:  # name the rows in the failure, not just their count
            raise AssertionError(e.details) from e
        session.flush()
        again = write(ek.title, ek.columns, ek.rows(session, principal, within=within))
        assert_unchanged(result, exported, again)


def test_every_registered_import_has_its_round_trip():
    kinds.load()
    tested = {name for name, _ in KINDS} | {"duty_rosters"}  # the roster: below, per roster
    assert set(kinds.IMPORTS) <= tested


def test_duty_roster_round_trips(city):
    from yingji.duty.exchange import export_roster, import_roster
    from yingji.duty.models import Roster

    with rolled_back(city) as (session, principal):
        roster = session.scalar(select(Roster).where(Roster.jurisdiction_code == city.county_a).limit(1))
        exported = export_roster(session, principal, roster, "zh_CN")
        result = import_roster(session, principal, roster.id, exported)
        session.flush()
        session.refresh(roster)
        assert_unchanged(result, exported, export_roster(session, principal, roster, "zh_CN"))


def test_seismic_registry_round_trips(city):
    from yingji.seismic.exchange import export_members, import_members

    with rolled_back(city) as (session, principal):
        exported = export_members(session, principal)
        result = import_members(session, principal, exported)
        session.flush()
        assert_unchanged(result, exported, export_members(session, principal))


@pytest.mark.parametrize("kind", ["person", "member", "enterprise"])
def test_training_sign_in_sheet_round_trips(city, kind):
    """One session per kind of participant (enterprise people are signed in from the registry; their
    rows are found again on the session, not refused)."""
    from yingji.training.exchange import COLUMNS, SHEET_TITLE, file_rows, import_sheet
    from yingji.training.models import TrainingParticipant

    with rolled_back(city) as (session, principal):
        session_id = session.scalar(
            select(TrainingParticipant.session_id)
            .where(TrainingParticipant.kind == kind)
            .group_by(TrainingParticipant.session_id)
            .order_by(func.count().desc())
            .limit(1)
        )
        exported = write(SHEET_TITLE, COLUMNS, file_rows(session, principal, session_id))
        result = import_sheet(session, principal, exported, session_id=session_id)
        session.flush()
        again = write(SHEET_TITLE, COLUMNS, file_rows(session, principal, session_id))
        assert_unchanged(result, exported, again)


def test_task_plan_exports_as_the_table_it_is_imported_from(city):
    """A 一规划两方案 task table is imported as a new plan: the exported table makes a plan with the
    same tasks, measures and units (the progress columns are the export's own)."""
    from yingji.governance.exchange import export, import_plan
    from yingji.governance.models import TaskPlan
    from yingji.governance.schemas import PlanIn

    with rolled_back(city) as (session, principal):
        plan = session.scalar(select(TaskPlan).where(TaskPlan.jurisdiction_code == city.city).limit(1))
        exported = export(session, plan)
        data = PlanIn(
            year=plan.year,
            title=plan.title + "（导回）",
            issuer=plan.issuer,
            jurisdiction_code=plan.jurisdiction_code,
        )
        copy, _counts = import_plan(session, principal, data, exported)
        session.flush()
        keep = slice(0, 7)  # 序号 … 联络人: what the import reads
        assert [r[keep] for r in cells(export(session, copy))] == [r[keep] for r in cells(exported)]


# -- people with several posts ------------------------------------------------------------------
def test_people_export_with_several_posts_imports_back_through_the_api(api, city):
    """The issue's case: a town's people exported (one row per post) and the file uploaded again."""
    town = api("town")
    r = town.get("/api/v1/export/people", params={"within": city.town_a})
    assert r.status_code == 200, r.text[:300]
    rows = cells(r.content)
    mobiles = [row[2] for row in rows[1:] if row[2]]
    assert len(mobiles) > len(set(mobiles)), "someone in the town holds several posts"
    with city.db.reading() as session:
        before = (
            session.scalar(select(func.count()).select_from(Person)),
            session.scalar(select(func.count()).select_from(Position)),
        )
    back = upload(town, "people", r.content)
    assert back.status_code == 200, back.text[:500]
    assert back.json()["created"] == 0 and back.json()["updated"] == 0
    people = {row[2] or (row[0], row[4]) for row in rows[1:]}  # by mobile, else name and place
    assert back.json()["unchanged"] == len(people)
    with city.db.reading() as session:
        after = (
            session.scalar(select(func.count()).select_from(Person)),
            session.scalar(select(func.count()).select_from(Position)),
        )
    assert after == before


HEADER = [
    "姓名",
    "性别",
    "手机号",
    "办公电话",
    "所属区划代码",
    "职务",
    "单位编码",
    "单位职务",
    "岗位类别",
    "备注",
]


def test_person_with_several_posts_is_one_person_and_a_second_import_changes_nothing(city):
    mobile = unique_mobile()
    with rolled_back(city, "town") as (session, principal):
        units = session.scalars(
            select(Unit.code).where(Unit.jurisdiction_code == city.town_a).order_by(Unit.id).limit(2)
        ).all()
        assert len(units) == 2
        rows = [
            ["多岗人", "女", mobile, "", city.town_a, "应急专干", units[0], "副主任", "副职", ""],
            ["多岗人", "女", mobile, "", city.town_a, "应急专干", units[1], "成员", "", ""],
        ]
        from yingji.org.exchange.people import import_people

        first = import_people(session, principal, xlsx(HEADER, rows))
        assert first.as_dict() == {"created": 1, "updated": 0, "unchanged": 0}
        person = session.scalar(select(Person).where(Person.mobile == mobile))
        posts = session.scalars(select(Position).where(Position.person_id == person.id)).all()
        assert sorted(p.title for p in posts) == ["副主任", "成员"]
        assert {p.role for p in posts} == {"deputy", "member"}
        second = import_people(session, principal, xlsx(HEADER, rows))
        assert second.as_dict() == {"created": 0, "updated": 0, "unchanged": 1}
        assert session.scalar(select(func.count()).where(Position.person_id == person.id)) == 2


def test_same_mobile_with_another_name_or_place_is_still_refused(city):
    from yingji.org.exchange.people import import_people

    mobile = unique_mobile()
    with rolled_back(city, "town") as (session, principal):
        unit = session.scalar(select(Unit.code).where(Unit.jurisdiction_code == city.town_a).limit(1))
        rows = [
            ["甲某", "男", mobile, "", city.town_a, "", unit, "主任", "", ""],
            ["乙某", "男", mobile, "", city.town_a, "", unit, "成员", "", ""],  # row 3: another name
            ["甲某", "男", mobile, "", city.village_a, "", "", "", "", ""],  # row 4: another place
            ["甲某", "男", mobile, "", city.town_a, "", unit, "主任", "", ""],  # row 5: the same post again
        ]
        with pytest.raises(ImportRejected) as refused:
            import_people(session, principal, xlsx(HEADER, rows))
        by_row = {d["row"]: d for d in refused.value.details}
        assert set(by_row) == {3, 4, 5}
        assert by_row[3]["message"] == "The same mobile number is already on row {other}."
        assert by_row[4]["column"] == "所属区划代码"
        assert by_row[5]["message"] == "The same post is already on row {other}."
        assert session.scalar(select(Person.id).where(Person.mobile == mobile)) is None

"""Roster Excel import (all rows or none, row-by-row errors), export round trip, calendar sheet."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.duty.conftest import make_people
from tests.factories import xlsx
from yingji.duty.models import Rotation

HEADER = ["角色", "顺序", "姓名", "手机号", "起始日期", "每人连续天数", "每班人数"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _upload(client, roster_id, data: bytes):
    return client.post(
        f"/api/v1/duty/rosters/{roster_id}/import", files={"file": ("排班表.xlsx", data, XLSX)}
    )


def _rotations(city, roster_id) -> int:
    with city.db.reading() as session:
        return session.scalar(
            select(func.count()).select_from(Rotation).where(Rotation.roster_id == roster_id)
        )


def test_a_good_sheet_replaces_the_rotations_it_names(api, city, crew_factory):
    crew = crew_factory(leaders=0, officers=0, backups=0)
    people = make_people(city.db, city.town_a, 4)
    with city.db.reading() as session:
        from yingji.org.models import Person

        names = {
            p.id: p.name for p in session.scalars(select(Person).where(Person.id.in_([p for p, _ in people])))
        }
    (a, ma), (b, mb), (c, mc), (d, md) = people
    rows = [
        ["带班领导", 1, names[a], ma, "2034-01-01", 1, 1],
        ["值班员", 2, names[c], mc, "2034/1/1", "", 2],
        ["值班员", 1, names[b], mb, "2034-01-01", "", ""],
        ["值班员", 3, "", md, "2034年1月1日", "", ""],
    ]
    town = api("town")
    r = _upload(town, crew.roster_id, xlsx(HEADER, rows))
    assert r.status_code == 200, r.text
    assert r.json() == {"created": 2, "updated": 0, "unchanged": 0}
    day = town.get(
        f"/api/v1/duty/rosters/{crew.roster_id}/shifts", params={"start": "2034-01-01", "days": 2}
    ).json()
    assert [p["person_id"] for p in day["items"][0]["officers"]] == [b, c]  # by 顺序, two per shift
    assert [p["person_id"] for p in day["items"][1]["officers"]] == [d, b]
    assert day["items"][0]["leader"]["person_id"] == a
    again = _upload(town, crew.roster_id, xlsx(HEADER, rows))
    assert again.json() == {"created": 0, "updated": 0, "unchanged": 2}
    exported = town.get(f"/api/v1/duty/rosters/{crew.roster_id}/export")
    assert exported.status_code == 200
    sheet = list(load_workbook(io.BytesIO(exported.content)).active.iter_rows(values_only=True))
    assert sheet[0] == tuple(HEADER) and len(sheet) == 5
    assert _upload(town, crew.roster_id, exported.content).json()["unchanged"] == 2  # round trip


def test_a_bad_sheet_imports_nothing_and_lists_every_bad_row(api, city, crew_factory):
    crew = crew_factory(leaders=0, officers=0, backups=0)
    (_a, ma), (_b, mb) = make_people(city.db, city.town_a, 2)
    outsider = make_people(city.db, city.town_b, 1)[0][1]
    rows = [
        ["值班员", 1, "", ma, "2034-01-01", "", ""],  # good
        ["科长", 1, "", mb, "2034-01-01", "", ""],  # unknown role
        ["值班员", 2, "", "12345", "2034-01-01", "", ""],  # bad mobile
        ["值班员", 3, "", outsider, "2034-01-01", "", ""],  # outside the town
        ["值班员", 4, "", mb, "明天", "", ""],  # bad date
        ["值班员", 5, "错名", mb, "2034-01-01", "", ""],  # name does not match
        ["值班员", 6, "", ma, "2034-01-01", "", ""],  # twice in one rotation
        ["值班员", 7, "", mb, "2034-01-01", "99", ""],  # out of range
    ]
    r = _upload(api("town"), crew.roster_id, xlsx(HEADER, rows))
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "import_rejected"
    assert [d["row"] for d in error["details"]] == [3, 4, 5, 6, 7, 8, 9]
    assert error["details"][0]["message"] == "请填写 带班领导、值班员 或 备班。"
    assert _rotations(city, crew.roster_id) == 0  # nothing half-imported
    missing_column = xlsx(["角色", "姓名"], [["值班员", "张三"]])
    r = _upload(api("town"), crew.roster_id, missing_column)
    assert r.status_code == 422 and {d["column"] for d in r.json()["error"]["details"]} == {
        "手机号",
        "起始日期",
    }
    assert _upload(api("town"), crew.roster_id, b"not a workbook").status_code == 422
    assert _upload(api("town_b"), crew.roster_id, xlsx(HEADER, rows[:1])).status_code == 403


def test_the_month_calendar_exports_to_excel(api, city, crew_factory):
    crew = crew_factory()
    r = api("town").get(f"/api/v1/duty/rosters/{crew.roster_id}/calendar.xlsx", params={"month": "2030-02"})
    assert r.status_code == 200
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert len(rows) == 1 + 28 and rows[1][0] == "2030-02-01" and rows[1][1] == "周五"
    assert (
        api("town")
        .get(f"/api/v1/duty/rosters/{crew.roster_id}/calendar.xlsx", params={"month": "2030-13"})
        .status_code
        == 422
    )

"""The sign-in sheet: every bad row reported (row, column, value) and nothing signed in; a good sheet
signs people in once, the same sheet again changes nothing."""

from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook

from tests.conftest import unique_mobile
from tests.training.helpers import held_session, people_of

HEAD = ["姓名", "手机号码", "单位", "人员类别", "学时", "考核结果", "成绩"]


def sheet(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(HEAD)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def upload(client, sid, body):
    files = {
        "file": ("签到表.xlsx", body, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    }
    return client.post(f"/api/v1/training/sessions/{sid}/import", files=files)


def test_bad_rows_import_nothing(city, api):
    town = api("town")
    s = held_session(town, city.town_a, hours=6)
    good = unique_mobile()
    r = upload(
        town,
        s["id"],
        sheet(
            [
                ["张三", good, "某村委会", "网格员", 6, "合格", 90],
                ["李四", "12345", "", "", "", "", ""],  # not a mobile
                ["王五", unique_mobile(), "", "宇航员", "", "", ""],  # unknown role
                ["赵六", unique_mobile(), "", "", "八", "", ""],  # hours not a number
                ["钱七", unique_mobile(), "", "", 7, "", ""],  # more than the session
                ["孙八", unique_mobile(), "", "", "", "优秀", ""],  # result word
                ["张三", good, "", "", "", "", ""],  # same person twice
                ["", unique_mobile(), "", "", "", "", ""],  # no name
            ]
        ),
    )
    assert r.status_code == 422, r.text
    details = r.json()["error"]["details"]
    rows = {d["row"] for d in details}
    assert rows == {3, 4, 5, 6, 7, 8, 9}
    assert any(d["column"] == "手机号码" and d["value"] == "12345" for d in details)
    assert town.get(f"/api/v1/training/sessions/{s['id']}/participants").json()["total"] == 0
    assert town.get(f"/api/v1/training/sessions/{s['id']}").json()["state"] == "planned"


def test_good_sheet_twice(city, api):
    town = api("town")
    s = held_session(town, city.town_a, hours=6)
    person = people_of(city, city.town_a, 2)[1]
    body = sheet(
        [
            [person.name, person.mobile, "", "", "", "合格", ""],
            ["外单位学员", unique_mobile(), "县供电公司", "其他", 3, "不合格", 40],
        ]
    )
    first = upload(town, s["id"], body)
    assert first.status_code == 200, first.text
    assert first.json()["created"] == 2
    again = upload(town, s["id"], body)
    assert again.status_code == 200 and again.json()["created"] == 0 and again.json()["unchanged"] == 2
    parts = town.get(f"/api/v1/training/sessions/{s['id']}/participants").json()["items"]
    mine = next(p for p in parts if p["person_id"] == person.id)
    assert mine["kind"] == "person" and mine["hours"] == 6 and mine["result"] == "passed"
    # the training file exports (audited) and names both
    x = town.get(f"/api/v1/training/sessions/{s['id']}/export")
    assert x.status_code == 200
    names = {
        row[0] for row in load_workbook(io.BytesIO(x.content)).active.iter_rows(min_row=2, values_only=True)
    }
    assert {person.name, "外单位学员"} <= names
    # someone outside the session's town cannot import into it
    assert upload(api("town_b"), s["id"], body).status_code == 404

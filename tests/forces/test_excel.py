"""Excel import and export of teams and members: all rows or none, row-by-row errors, idempotent."""

from __future__ import annotations

import io
import uuid

from openpyxl import load_workbook

from tests.factories import xlsx
from tests.forces.helpers import code

TEAM_HEADER = [
    "队伍编码",
    "队伍名称",
    "队伍类型",
    "所属区划代码",
    "救援能力",
    "测评等级",
    "保险到期",
    "备案编号",
]
MEMBER_HEADER = ["队伍编码", "姓名", "手机号", "性别", "队内职务", "分队", "证书(名称:有效期至)", "保险到期"]


def upload(client, kind: str, data: bytes):
    return client.post(
        f"/api/v1/forces/import/{kind}",
        files={
            "file": (
                f"{kind}.xlsx",
                data,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        },
    )


def mobile() -> str:
    return f"137{uuid.uuid4().int % 10**8:08d}"


def test_import_teams_and_members_then_again_changes_nothing(api, city):
    town = api("town")
    a, b = code("XA"), code("XB")
    village12 = city.village_a.ljust(12, "0")
    teams = xlsx(
        TEAM_HEADER,
        [
            [a, "导入村应急队", "村级应急救援队", village12, "防汛抢险、人员转移", "", "", ""],
            [b, "导入蓝天救援队", "social", city.town_a, "水域救援,倒塌搜救", "中型", "2030-12-31", "BA-001"],
        ],
    )
    r = upload(town, "teams", teams)
    assert r.status_code == 200, r.text
    assert r.json() | {} == {"kind": "teams", "created": 2, "updated": 0, "unchanged": 0}
    m1, m2 = mobile(), mobile()
    members = xlsx(
        MEMBER_HEADER,
        [
            [a, "王队长", m1, "男", "队长", "", "急救员证:2029-01-01；冲锋舟驾驶证", "2030-06-30"],
            [a, "李队员", m2, "女", "队员", "", "", ""],
        ],
    )
    r = upload(town, "members", members)
    assert r.json()["created"] == 2, r.text
    assert upload(town, "teams", teams).json()["unchanged"] == 2
    assert upload(town, "members", members).json()["unchanged"] == 2
    found = town.get("/api/v1/forces/teams", params={"q": a}).json()["items"][0]
    assert found["member_count"] == 2 and found["leader"]["name"] == "王队长"
    assert found["capabilities"] == ["flood_rescue", "evacuation"]
    other = town.get("/api/v1/forces/teams", params={"q": b}).json()["items"][0]
    assert other["capability_grade"] == "medium" and other["insurance_until"] == "2030-12-31"
    detail = town.get(f"/api/v1/forces/teams/{found['id']}").json()
    certs = {c["name"]: c["expires_on"] for m in detail["members"] for c in m["certificates"]}
    assert certs == {"急救员证": "2029-01-01", "冲锋舟驾驶证": None}


def test_a_bad_file_imports_nothing_and_lists_every_error(api, city):
    town = api("town")
    good, bad_code = code("OK"), "有 空格"
    teams = xlsx(
        TEAM_HEADER,
        [
            [good, "好队", "village_volunteer", city.village_a, "", "", "", ""],
            [bad_code, "坏队", "空军", city.town_b, "飞行", "超重型", "明年", ""],
            [good, "重复", "social", city.town_a, "", "", "", ""],
        ],
    )
    r = upload(town, "teams", teams)
    assert r.status_code == 422
    details = r.json()["error"]["details"]
    problems = {(d["row"], d["column"]) for d in details}
    assert {
        (3, "队伍编码"),
        (3, "队伍类型"),
        (3, "所属区划代码"),
        (3, "救援能力"),
        (3, "测评等级"),
        (3, "保险到期"),
    } <= problems
    assert (4, "队伍编码") in problems  # the same code twice
    assert town.get("/api/v1/forces/teams", params={"q": good}).json()["total"] == 0  # nothing half-imported
    members = xlsx(MEMBER_HEADER, [["NO-SUCH-TEAM", "某人", "123", "男", "将军", "", "急救员证:昨天", ""]])
    details = upload(town, "members", members).json()["error"]["details"]
    assert {d["column"] for d in details} == {"队伍编码"}
    team = town.post(
        "/api/v1/forces/teams",
        json={"code": code(), "name": "x", "kind": "town_brigade", "jurisdiction_code": city.town_a},
    ).json()
    members = xlsx(
        MEMBER_HEADER,
        [
            [team["code"], "某人", "123", "男", "将军", "海军", "急救员证:昨天", ""],
            [team["code"], "甲", mobile(), "", "队长", "", "", ""],
            [team["code"], "乙", mobile(), "", "队长", "", "", ""],
        ],
    )
    details = upload(town, "members", members).json()["error"]["details"]
    assert {(d["row"], d["column"]) for d in details} == {
        (2, "手机号"),
        (2, "队内职务"),
        (2, "分队"),
        (2, "证书(名称:有效期至)"),
        (4, "队内职务"),
    }
    assert town.get(f"/api/v1/forces/teams/{team['id']}").json()["member_count"] == 0
    assert upload(town, "members", b"not a workbook").status_code == 422
    assert upload(api("viewer"), "teams", teams).status_code == 403
    assert upload(town, "nonsense", teams).status_code == 404


def test_export_round_trips_and_is_scoped(api, city):
    town = api("town")
    team = town.post(
        "/api/v1/forces/teams",
        json={"code": code("EX"), "name": "导出测试队", "kind": "social", "jurisdiction_code": city.town_a},
    ).json()
    town.post(f"/api/v1/forces/teams/{team['id']}/members", json={"name": "导出人", "mobile": "13711112222"})
    r = town.get("/api/v1/forces/export/teams", params={"within": city.town_a})
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "队伍编码" and team["code"] in [x[0] for x in rows]
    again = upload(town, "teams", r.content).json()
    assert again["created"] == 0 and again["unchanged"] >= 1
    members = town.get("/api/v1/forces/export/members", params={"within": city.town_a})
    mrows = list(load_workbook(io.BytesIO(members.content)).active.iter_rows(values_only=True))
    assert any(x[2] == "导出人" and x[4] == "13711112222" for x in mrows)
    masked = api("viewer").get("/api/v1/forces/export/members", params={"within": city.town_a})
    mrows = list(load_workbook(io.BytesIO(masked.content)).active.iter_rows(values_only=True))
    assert any(x[2] == "导出人" and x[4] == "137****2222" for x in mrows)
    assert api("town_b").get("/api/v1/forces/export/teams", params={"within": city.town_a}).status_code == 404

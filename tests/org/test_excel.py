"""Excel import and export: round trips, row-by-row errors, and nothing half-imported."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.conftest import unique_mobile
from tests.factories import upload, xlsx
from yingji.auth.models import AuditEntry
from yingji.org.models import GridAssignment, Person, Unit

PEOPLE_HEADER = [
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


def _count(city, model, **where):
    with city.db.reading() as session:
        stmt = select(func.count()).select_from(model)
        for key, value in where.items():
            stmt = stmt.where(getattr(model, key).startswith(value))
        return session.scalar(stmt)


def test_people_import_creates_updates_and_audits(api, city):
    town = api("town")
    a, b = unique_mobile(), unique_mobile()
    unit_code = f"{city.town_a}-YJB"
    rows = [
        [
            "李一",
            "男",
            a,
            "0856-5200001",
            city.village_a + "",
            "灾害信息员",
            unit_code,
            "值班员",
            "值班员",
            "",
        ],
        ["王二", "女", b, "", city.town_a.ljust(12, "0"), "应急专干", "", "", "", "新招录"],
    ]
    r = upload(town, "people", xlsx(PEOPLE_HEADER, rows))
    assert r.status_code == 200, r.text
    assert r.json() == {"kind": "people", "created": 2, "updated": 0, "unchanged": 0}
    again = upload(town, "people", xlsx(PEOPLE_HEADER, rows))
    assert again.json()["unchanged"] == 2 and again.json()["created"] == 0
    rows[1][5] = "应急管理办公室副主任"
    changed = upload(town, "people", xlsx(PEOPLE_HEADER, rows)).json()
    assert changed["updated"] == 1
    with city.db.reading() as session:
        li = session.scalar(select(Person).where(Person.mobile == a))
        assert li.jurisdiction_code == city.village_a and li.gender == "M"
        assert [(p.unit.code, p.title) for p in li.positions] == [(unit_code, "值班员")]
        audits = session.scalar(
            select(func.count()).where(AuditEntry.entity == "people", AuditEntry.entity_id == str(li.id))
        )
        assert audits >= 1


def test_malformed_people_file_reports_rows_and_writes_nothing(api, city):
    town = api("town")
    before = _count(city, Person)
    dup = unique_mobile()
    rows = [
        ["好人", "男", unique_mobile(), "", city.town_a, "", "", "", "", ""],  # fine on its own
        ["", "男", unique_mobile(), "", city.town_a, "", "", "", "", ""],  # row 3: no name
        ["坏号", "男", "1234", "", city.town_a, "", "", "", "", ""],  # row 4: bad mobile
        ["外镇", "女", unique_mobile(), "", city.town_b, "", "", "", "", ""],  # row 5: other town
        ["无区划", "女", unique_mobile(), "", "999999", "", "", "", "", ""],  # row 6: unknown place
        ["重一", "男", dup, "", city.town_a, "", "", "", "", ""],
        ["重二", "男", dup, "", city.town_a, "", "", "", "", ""],  # row 8: duplicate mobile
        ["怪性别", "X", unique_mobile(), "", city.town_a, "", "", "", "", ""],  # row 9
        ["无单位", "男", unique_mobile(), "", city.town_a, "", "NO-SUCH-UNIT", "主任", "", ""],  # row 10
    ]
    r = upload(town, "people", xlsx(PEOPLE_HEADER, rows))
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "import_rejected"
    assert err["message"] == "文件有 7 处错误,未导入任何数据。"
    by_row = {d["row"]: d for d in err["details"]}
    assert sorted(by_row) == [3, 4, 5, 6, 8, 9, 10]
    assert by_row[3]["column"] == "姓名" and by_row[3]["message"] == "此项为必填项。"
    assert by_row[4]["column"] == "手机号" and by_row[4]["value"] == "1234"
    assert by_row[5]["message"] == "超出您的管辖范围。"
    assert by_row[6]["message"] == "区划不存在。"
    assert by_row[8]["message"] == "与第 7 行的手机号重复。"
    assert by_row[8]["message_en"] == "The same mobile number is already on row 7."
    assert by_row[10]["column"] == "单位编码"
    assert _count(city, Person) == before


def test_not_an_excel_file_and_missing_columns(api, city):
    town = api("town")
    r = upload(town, "people", b"this is not a workbook")
    assert r.status_code == 422
    assert r.json()["error"]["message"] == "文件不是 Excel 工作簿(.xlsx)。"
    r = upload(town, "people", xlsx(["姓名", "职务"], [["张三", "主任"]]))
    assert r.status_code == 422
    missing = {d["column"] for d in r.json()["error"]["details"]}
    assert missing == {"手机号", "所属区划代码"}
    assert upload(town, "nonsense", b"x").status_code == 404


def test_viewer_cannot_import(api):
    r = upload(api("viewer"), "people", xlsx(PEOPLE_HEADER, []))
    assert r.status_code == 403


def test_people_export_round_trips(api, city):
    town = api("town")
    r = town.get("/api/v1/export/people", params={"within": city.village_a})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(r.content)).active
    header = [c.value for c in ws[1]]
    assert header[:5] == ["姓名", "性别", "手机号", "办公电话", "所属区划代码"]
    assert ws.max_row > 2
    back = upload(town, "people", r.content).json()
    assert back["created"] == 0 and back["updated"] == 0 and back["unchanged"] > 0


def test_export_is_masked_and_audited_for_viewers(api, city):
    r = api("viewer").get("/api/v1/export/people", params={"within": city.village_a})
    ws = load_workbook(io.BytesIO(r.content)).active
    assert "****" in ws.cell(row=2, column=3).value
    with city.db.reading() as session:
        assert (
            session.scalar(
                select(func.count()).where(AuditEntry.action == "export", AuditEntry.actor == "viewer")
            )
            >= 1
        )


def test_units_import_and_export(api, city):
    county = api("county")
    header = [
        "单位编码",
        "单位名称",
        "类型",
        "专项类别",
        "上级单位编码",
        "所属区划代码",
        "值班电话",
        "地址",
        "职责清单",
    ]
    rows = [
        [
            "520602-X-CHILD",
            "碧江区防汛突击队",
            "专项应急处置工作组",
            "flood_drought",
            "520602-X-PARENT",
            city.county_a,
            "",
            "",
            "防汛巡查；转移群众",
        ],
        [
            "520602-X-PARENT",
            "碧江区临时指挥部",
            "special_hq",
            "防汛抗旱",
            "",
            city.county_a,
            "0856-1234567",
            "",
            "统一指挥",
        ],
    ]
    r = upload(county, "units", xlsx(header, rows))
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 2
    with city.db.reading() as session:
        child = session.scalar(select(Unit).where(Unit.code == "520602-X-CHILD"))
        assert child.parent.code == "520602-X-PARENT"
        assert [x.text for x in child.responsibilities] == ["防汛巡查", "转移群众"]
        assert child.kind == "working_group"
    again = upload(county, "units", xlsx(header, rows)).json()
    assert again["unchanged"] == 2
    bad = upload(
        county, "units", xlsx(header, [["X1", "某单位", "未知类型", "", "", city.county_a, "", "", ""]])
    )
    assert bad.status_code == 422
    exported = county.get("/api/v1/export/units", params={"within": city.county_a})
    assert upload(county, "units", exported.content).json()["created"] == 0


def test_grid_import(api, city):
    town = api("town")
    mobile = unique_mobile()
    town.post(
        "/api/v1/people", json={"name": "网格新人", "mobile": mobile, "jurisdiction_code": city.group_a}
    )
    header = ["网格编码", "网格名称", "网格层级", "手机号", "姓名", "角色", "职责"]
    ok = upload(town, "grid", xlsx(header, [[city.group_a, "", 3, mobile, "网格新人", "网格员", "巡查"]]))
    assert ok.status_code == 200 and ok.json()["created"] == 1
    assert _count(city, GridAssignment, jurisdiction_code=city.group_a) >= 2
    bad = upload(
        town,
        "grid",
        xlsx(
            header,
            [
                [city.group_a, "", 3, mobile, "", "组长", ""],
                ["520603001001001", "", 3, mobile, "", "网格员", ""],
            ],
        ),
    )
    assert bad.status_code == 422
    assert [d["row"] for d in bad.json()["error"]["details"]] == [2, 3]


def test_import_page_shows_row_errors(browser_client, city):
    town = browser_client("town")
    data = xlsx(PEOPLE_HEADER, [["坏号", "男", "1234", "", city.town_a, "", "", "", "", ""]])
    r = town.post(
        "/exchange/import", data={"csrf_token": town.csrf, "kind": "people"}, files={"file": ("p.xlsx", data)}
    )
    assert r.status_code == 422
    assert "未导入任何数据" in r.text and "不是有效的大陆手机号" in r.text

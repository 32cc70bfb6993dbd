"""Excel import and export of the expert registry: row-by-row errors in Chinese and nothing
half-imported, the same file twice changes nothing, an export imports back."""

from __future__ import annotations

import io
import uuid

from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.conftest import unique_mobile
from tests.factories import xlsx
from yingji.experts.models import Expert

HEADER = [
    "编号",
    "姓名",
    "性别",
    "职称",
    "职称级别",
    "工作单位",
    "专业领域",
    "擅长事件类别",
    "所属区划代码",
    "手机号码",
    "可召集状态",
]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(client, data: bytes):
    return client.post("/api/v1/experts/import", files={"file": ("e.xlsx", data, XLSX)})


def _count(city) -> int:
    with city.db.reading() as session:
        return session.scalar(select(func.count()).select_from(Expert))


def test_import_checks_every_row_then_applies_all_or_nothing(city, api):
    tag = uuid.uuid4().hex[:6].upper()
    good = [
        [
            f"X{tag}1",
            "张导入",
            "男",
            "教授",
            "正高级",
            "贵州大学",
            "地质灾害防治、水文",
            "地质灾害、水旱灾害",
            city.town_a.ljust(12, "0"),
            unique_mobile(),
            "可召集",
        ],
        [
            f"X{tag}2",
            "李导入",
            "女",
            "主任医师",
            "正高级",
            "县人民医院",
            "医疗救治与卫生应急",
            "",
            city.town_a,
            "",
            "暂不便",
        ],
    ]
    bad = [
        *good,
        [f"X{tag}3", "王错误", "男", "", "", "", "占星术", "", city.town_a, "123", "随便"],
        [f"X{tag}4", "赵越界", "男", "", "", "", "水文", "", city.town_other_county, "", ""],
    ]
    town = api("town")
    before = _count(city)
    r = upload(town, xlsx(HEADER, bad))
    assert r.status_code == 422, r.text
    messages = {(d["row"], d["column"]) for d in r.json()["error"]["details"]}
    assert {(4, "专业领域"), (4, "手机号码"), (4, "可召集状态"), (5, "所属区划代码")} <= messages
    assert any(
        "未知" in d["message"] or "不认识" in d["message"] or "占星术" in d["message"]
        for d in r.json()["error"]["details"]
    )
    assert _count(city) == before

    r = upload(town, xlsx(HEADER, good))
    assert r.status_code == 200 and r.json() == {
        "kind": "experts",
        "created": 2,
        "updated": 0,
        "unchanged": 0,
    }
    again = upload(town, xlsx(HEADER, good))
    assert again.json() == {"kind": "experts", "created": 0, "updated": 0, "unchanged": 2}
    listed = town.get("/api/v1/experts", params={"q": f"X{tag}1"}).json()["items"][0]
    assert [f["code"] for f in listed["disciplines"]] == ["geology", "hydrology"]
    assert listed["title_grade"] == "senior" and listed["gender"] == "M"


def test_an_export_imports_back_unchanged(city, api):
    county = api("county")
    r = county.get("/api/v1/experts/export", params={"within": city.county_a})
    assert r.status_code == 200 and r.headers["content-type"].startswith(XLSX)
    ws = load_workbook(io.BytesIO(r.content)).active
    header = [c.value for c in ws[1]]
    assert header[:3] == ["编号", "姓名", "性别"] and "专业领域" in header
    rows = ws.max_row - 1
    assert rows > 0
    back = upload(county, r.content)
    assert back.status_code == 200, back.text
    assert back.json()["unchanged"] == rows and back.json()["created"] == 0


def test_a_viewer_gets_masked_numbers_and_cannot_import(city, api):
    viewer = api("viewer")
    r = viewer.get("/api/v1/experts/export", params={"within": city.county_a})
    ws = load_workbook(io.BytesIO(r.content)).active
    col = [c.value for c in ws[1]].index("手机号码")
    mobiles = [row[col].value for row in ws.iter_rows(min_row=2) if row[col].value]
    assert mobiles and all("****" in m for m in mobiles)
    assert upload(viewer, r.content).status_code == 403

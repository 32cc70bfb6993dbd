"""Excel import and export of cameras: row-by-row errors in Chinese and nothing half-imported, the
same file twice changes nothing, and an export imports back."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.factories import xlsx
from tests.video.conftest import device_id
from yingji.video.models import Camera

HEADER = ["国标编码", "名称", "类型", "所属区划代码", "建设管理单位", "经度", "纬度", "状态", "HLS地址"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(client, data: bytes):
    return client.post("/api/v1/video/cameras/import", files={"file": ("c.xlsx", data, XLSX)})


def test_import_checks_every_row_then_applies_all_or_nothing(city, api):
    a, b = device_id(city.town_a), device_id(city.village_a, "131", "05")
    good = [
        [
            a,
            "镇政府门口天网",
            "天网",
            city.town_a.ljust(12, "0"),
            "县公安局",
            109.2,
            27.7,
            "在线",
            "https://gw.example.cn/a.m3u8",
        ],
        [b, "示范村视频室", "村级视频室", city.village_a, "村委会", "", "", "离线", ""],
    ]
    bad = [
        *good,
        ["1234", "短编码", "天网", city.town_a, "", "", "", "", ""],
        [device_id(city.town_a), "类型不对", "监控", city.town_a, "", "", "", "", ""],
        [device_id(city.town_other_county), "别县的", "雪亮", city.town_other_county, "", "", "", "", ""],
        [device_id(city.town_a), "状态不对", "雪亮", city.town_a, "", "", "", "坏了", ""],
        [device_id(city.town_a), "坐标不对", "雪亮", city.town_a, "", 200, 27, "", ""],
        [a, "重复", "天网", city.town_a, "", "", "", "", ""],
        [device_id(city.town_a), "地址不对", "雪亮", city.town_a, "", "", "", "", "ftp://x/y"],
    ]
    town = api("town")
    r = upload(town, xlsx(HEADER, bad))
    assert r.status_code == 422, r.text
    problems = {(d["row"], d["column"]): d["message"] for d in r.json()["error"]["details"]}
    assert problems[(4, "国标编码")] == "国标(GB/T 28181)设备编码应为 20 位数字。"
    assert problems[(5, "类型")].startswith("请填写“天网”")
    assert problems[(6, "所属区划代码")] == "超出您的管辖范围。"
    assert problems[(7, "状态")] == "请填写“在线”“离线”或“故障”。"
    assert problems[(8, "经度")].startswith("经度和纬度须同时填写")
    assert problems[(9, "国标编码")] == "同一设备已在第 2 行。"
    assert problems[(10, "HLS地址")] == "不是有效的视频流地址。"
    with city.db.reading() as session:
        assert session.scalar(select(func.count()).where(Camera.device_id.in_((a, b)))) == 0

    assert upload(town, xlsx(HEADER, good)).json() == {
        "kind": "cameras",
        "created": 2,
        "updated": 0,
        "unchanged": 0,
    }
    assert upload(town, xlsx(HEADER, good)).json() == {
        "kind": "cameras",
        "created": 0,
        "updated": 0,
        "unchanged": 2,
    }
    with city.db.reading() as session:
        room = session.scalar(select(Camera).where(Camera.device_id == b))
    assert room.kind == "village_room" and room.status == "offline" and room.lon is not None

    exported = town.get("/api/v1/video/cameras/export", params={"within": city.village_a})
    assert exported.status_code == 200
    sheet = load_workbook(io.BytesIO(exported.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "国标编码" and b in [r[0] for r in rows[1:]]
    again = upload(town, exported.content).json()
    assert again["created"] == 0 and again["updated"] == 0 and again["unchanged"] == len(rows) - 1
    assert upload(api("gridleader"), xlsx(HEADER, good)).status_code == 403


def test_the_import_page_lists_row_errors(city, browser_client):
    town = browser_client("town")
    assert town.get("/video/import").status_code == 200
    bad = xlsx(HEADER, [["1234", "短编码", "天网", city.town_a, "", "", "", "", ""]])
    r = town.post("/video/import", data={"csrf_token": town.csrf}, files={"file": ("c.xlsx", bad, XLSX)})
    assert r.status_code == 422 and "20 位数字" in r.text

"""The officers' register: CRUD in scope (level from the division), trainings, coverage (villages
without an officer, prone villages without both posts), Excel export and import (bad rows refused)."""

from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook

from tests.conftest import unique_mobile


def test_register_change_train_in_scope(city, api):
    town = api("town")
    r = town.post(
        "/api/v1/damage/officers",
        json={
            "name": "杨信息",
            "jurisdiction_code": city.village_a,
            "post": "B",
            "mobile": unique_mobile(),
            "position": "村两委委员",
        },
    )
    assert r.status_code == 201, r.text
    o = r.json()
    assert o["level"] == "village" and o["level_label"] == "村" and o["post_label"] == "B 岗"
    assert (
        town.post(
            "/api/v1/damage/officers", json={"name": "x", "jurisdiction_code": city.group_a}
        ).status_code
        == 422
    )
    assert (
        town.post("/api/v1/damage/officers", json={"name": "x", "jurisdiction_code": city.town_b}).status_code
        == 403
    )
    assert (
        town.post(
            "/api/v1/damage/officers", json={"name": "x", "jurisdiction_code": city.village_a, "post": "C"}
        ).status_code
        == 422
    )
    assert api("town_b").get(f"/api/v1/damage/officers/{o['id']}").status_code == 404
    p = town.patch(f"/api/v1/damage/officers/{o['id']}", json={"post": "A"})
    assert p.status_code == 200 and p.json()["post"] == "A"
    t = town.post(
        f"/api/v1/damage/officers/{o['id']}/trainings",
        json={"on": "2026-03-01", "course": "灾情统计报送培训", "hours": 4},
    )
    assert t.status_code == 201
    assert (
        api("county").get(f"/api/v1/damage/officers/{o['id']}").json()["trainings"][0]["course"]
        == "灾情统计报送培训"
    )
    listed = api("county").get(f"/api/v1/damage/officers?within={city.village_a}").json()
    assert any(x["id"] == o["id"] for x in listed["items"])


def test_coverage_lists_gaps(city, api):
    cov = api("county").get("/api/v1/damage/officers/coverage").json()
    assert cov["villages"] > 0 and cov["covered"] < cov["villages"]  # the demo leaves gaps
    assert all(v["officers"] == 0 for v in cov["without_officer"])
    assert all(v["prone"] and not (v["a"] and v["b"]) for v in cov["prone_without_ab"])
    town = api("town").get("/api/v1/damage/officers/coverage").json()
    assert town["villages"] < cov["villages"]
    gap = cov["without_officer"][0]["code"]
    api("staff").post("/api/v1/damage/officers", json={"name": "补员", "jurisdiction_code": gap})
    after = api("county").get("/api/v1/damage/officers/coverage").json()
    assert gap not in {v["code"] for v in after["without_officer"]}


def test_excel_export_and_import(city, api):
    r = api("town").get("/api/v1/damage/officers/export")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    header = [c.value for c in ws[1]]
    assert header[:5] == [
        "姓名",
        "所属区划代码",
        "所属区划",
        "所在地",
        "岗位(A/B)",
    ]  # 所在地: the place's path, which an import skips
    header = [h for h in header if h != "所在地"]  # the sheets written below name places by code
    # Importing the export back changes nothing.
    back = api("town").post("/api/v1/damage/officers/import", files={"file": ("o.xlsx", r.content)})
    assert back.status_code == 200, back.text
    assert back.json()["created"] == 0

    def sheet(rows):
        wb = Workbook()
        s = wb.active
        s.append(header)
        for row in rows:
            s.append(row)
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()

    mobile = unique_mobile()
    good = sheet([["新信息员", city.village_a + "", "", "A", "村主任", mobile, "", "", "2026-01-01", ""]])
    r = api("town").post("/api/v1/damage/officers/import", files={"file": ("o.xlsx", good)})
    assert r.status_code == 200 and r.json()["created"] == 1, r.text
    again = api("town").post("/api/v1/damage/officers/import", files={"file": ("o.xlsx", good)})
    assert again.json()["created"] == 0 and again.json()["unchanged"] == 1
    bad = sheet(
        [
            ["甲", city.town_b, "", "A", "", "", "", "", "", ""],
            ["乙", city.village_a, "", "Z", "", "123", "", "", "", ""],
        ]
    )
    r = api("town").post("/api/v1/damage/officers/import", files={"file": ("o.xlsx", bad)})
    assert r.status_code == 422
    assert len(r.json()["error"]["details"]) == 3  # outside, post, mobile

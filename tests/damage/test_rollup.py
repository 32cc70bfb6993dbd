"""Roll-up village → town → county → city: sums, a town's own figure superseding its villages, 累计
and 实时 apart; the relief grade from the rolled-up figures through the relief rule table, stored and
pushed when it moves; the form's Excel layout."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import select

from tests.damage.helpers import accepted, fig, open_event
from yingji.events.models import EventLog


def _cells(table: dict, code: str | None = None) -> dict:
    row = table["total"] if code is None else next(r for r in table["rows"] if r["code"] == code)
    return row["values"]


def test_sums_and_supersession(city, api):
    ev = open_event(api, city.county_a)
    v1, v2 = city.village_a, city.town_a + "002"
    accepted(api, ev["id"], "continued", v1, [fig(v1, "affected_pop", 100), fig(v1, "relocated", 30, 20)])
    accepted(
        api,
        ev["id"],
        "continued",
        v2,
        [fig(v2, "affected_pop", 50), fig(v2, "relocated", 10, 4)],
        sender="town",
        decider="county",
    )
    county = api("county")
    town_view = county.get(f"/api/v1/damage/events/{ev['id']}/rollup?place={city.town_a}").json()
    assert {r["code"] for r in town_view["rows"]} == {v1, v2}
    top = county.get(f"/api/v1/damage/events/{ev['id']}/rollup").json()
    t = _cells(top, city.town_a)
    assert t["affected_pop"] == {"cumulative": 150, "current": None, "own": False}
    assert t["relocated"]["cumulative"] == 40 and t["relocated"]["current"] == 24
    # The town reports its own figure for one indicator: it replaces the villages' sum there only.
    accepted(api, ev["id"], "continued", city.town_a, [fig(city.town_a, "affected_pop", 180)])
    top = county.get(f"/api/v1/damage/events/{ev['id']}/rollup").json()
    t = _cells(top, city.town_a)
    assert t["affected_pop"] == {"cumulative": 180, "current": None, "own": True}
    assert t["relocated"]["cumulative"] == 40  # still the villages' sum
    # Another town, reported by the county's 初报 with per-town data; the county total adds both.
    accepted(api, ev["id"], "initial", city.county_a, [fig(city.town_b, "affected_pop", 20)])
    top = county.get(f"/api/v1/damage/events/{ev['id']}/rollup").json()
    assert _cells(top)["affected_pop"]["cumulative"] == 200
    assert _cells(top)["relocated"]["current"] == 24
    # Another town's officer sees only their own rows; outside the process: 404.
    seen = api("town_b").get(f"/api/v1/damage/events/{ev['id']}/rollup").json()
    assert {r["code"] for r in seen["rows"]} == {city.town_b}
    assert (
        county.get(f"/api/v1/damage/events/{ev['id']}/rollup?place={city.town_other_county}").status_code
        == 404
    )


def test_relief_grade_from_rolled_up_figures_and_push(city, api):
    ev = open_event(api, city.county_a)
    first = api("county").get(f"/api/v1/damage/events/{ev['id']}/rollup").json()["grade"]
    assert first["grade"] is None and "四级响应" in first["basis"][0]
    with city.db.reading() as session:
        before = session.scalar(select(EventLog.id).order_by(EventLog.id.desc()).limit(1)) or 0
    # 12 dead + 9 missing across two towns → 21 ≥ 20: 四级响应 (relief_response.json, level IV).
    accepted(
        api,
        ev["id"],
        "initial",
        city.county_a,
        [fig(city.town_a, "deaths", 12), fig(city.town_b, "missing", 9)],
    )
    got = api("county").get(f"/api/v1/damage/events/{ev['id']}").json()
    assert got["relief_grade"] == "IV"
    grade = api("county").get(f"/api/v1/damage/events/{ev['id']}/rollup").json()["grade"]
    assert grade["measures"]["deaths"] == 12 and grade["measures"]["missing"] == 9
    assert any("死亡和失踪" in b for b in grade["basis"])
    assert "应急管理部" in grade["major"]  # ≥ 10 dead and missing: province and ministry at once
    with city.db.reading() as session:
        pushed = session.scalars(
            select(EventLog).where(EventLog.id > before, EventLog.kind == "damage.changed")
        ).all()
    assert any(
        (e.payload or {}).get("what") == "relief_grade" and (e.payload or {}).get("grade") == "IV"
        for e in pushed
    )
    # Verification brings the figure down (with its note): the grade falls back.
    r = api("county").post(
        f"/api/v1/damage/events/{ev['id']}/verify",
        json={
            "jurisdiction_code": city.town_a,
            "indicator": "deaths",
            "cumulative": 2,
            "note": "核实: 10 人为重复上报",
        },
    )
    assert r.status_code == 200, r.text
    assert api("county").get(f"/api/v1/damage/events/{ev['id']}").json()["relief_grade"] is None


def test_export_in_the_form_layout(city, api):
    ev = open_event(api, city.county_a)
    accepted(
        api,
        ev["id"],
        "initial",
        city.county_a,
        [fig(city.town_a, "affected_pop", 300), fig(city.town_a, "relocated", 40, 12)],
    )
    api("gridleader").post(
        f"/api/v1/damage/events/{ev['id']}/houses",
        json={
            "jurisdiction_code": city.village_a,
            "household": "E1",
            "head_name": "吴某",
            "degree": "severe",
            "rooms": 2,
        },
    )
    r = api("county").get(f"/api/v1/damage/events/{ev['id']}/export")
    assert r.status_code == 200, r.text
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == [
        "自然灾害损失情况统计快报表",
        "因灾死亡失踪人口一览表",
        "因灾倒塌损坏住房户一览表",
    ]
    ws = wb["自然灾害损失情况统计快报表"]
    assert ws["A2"].value == "填报单位" and ws["A3"].value == "统计时间" and ws["A4"].value == "灾种"
    assert ws["B4"].value == "滑坡"  # a county reports the 亚灾种
    headers = [c.value for c in ws[7]]
    assert headers[:4] == ["地区", "区划代码", "受淹乡镇(街道)数量", "受灾人口"]
    assert "紧急转移安置人口 (累计)" in headers and "紧急转移安置人口 (实时)" in headers
    assert "其中: 集中安置人口 (累计)" in headers
    units = [c.value for c in ws[8]]
    assert units[headers.index("受灾人口")] == "人" and units[headers.index("直接经济损失")] == "万元"
    rows = {row[1]: row for row in ws.iter_rows(min_row=9, values_only=True)}
    town_row = next(v for k, v in rows.items() if k and k.startswith(city.town_a))
    assert town_row[headers.index("受灾人口")] == 300
    assert town_row[headers.index("紧急转移安置人口 (实时)")] == 12
    houses = list(wb["因灾倒塌损坏住房户一览表"].iter_rows(min_row=3, values_only=True))
    assert houses[0][1] == "吴某" and houses[0][6] == "严重损坏"
    assert api("viewer").get(f"/api/v1/damage/events/{ev['id']}/export").status_code in (200, 403)

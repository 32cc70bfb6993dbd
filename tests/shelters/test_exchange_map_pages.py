"""Excel round trip, nearest shelters by minutes with room, the map layer, the pages in Chinese,
the residents' ID number column, and the demo's shelters consistent with their stays."""

from __future__ import annotations

import io
import uuid

from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.conftest import log_in
from tests.factories import xlsx
from tests.shelters.conftest import key
from yingji.residents import idnumber
from yingji.residents.models import Resident
from yingji.shelters.exchange import COLUMNS
from yingji.shelters.models import Shelter, ShelterStay

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = [c.zh for c in COLUMNS]


def _row(place: str, **kw) -> list:
    values = {
        "code": "",
        "name": f"导入场所{uuid.uuid4().hex[:6]}",
        "level": "乡镇级",
        "shelter_class": "固定避难场所(中期)",
        "space_type": "室外",
        "jurisdiction_code": place,
        "jurisdiction_name": "",
        "address": "中学操场",
        "lon": 109.2,
        "lat": 27.7,
        "total_area_m2": 4000,
        "usable_area_m2": 3000,
        "area_per_person_m2": "",
        "capacity": "",
        "duration_days": 20,
        "facilities": "应急供水、应急供电、厕所",
        "managing_unit": "镇政府",
        "manager": "李四",
        "manager_mobile": "13900002222",
        "status": "",
        "occupancy": "",
        "note": "",
    } | kw
    return [values[c.key] for c in COLUMNS]


def test_excel_round_trip(city, api):
    town = api("town")
    name = f"导入场所{uuid.uuid4().hex[:6]}"
    data = xlsx(HEADER, [_row(city.town_a, name=name), _row(city.town_a, capacity=888)])
    r = town.post("/api/v1/shelters/import", files={"file": ("s.xlsx", data, XLSX)})
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 2
    again = town.post("/api/v1/shelters/import", files={"file": ("s.xlsx", data, XLSX)}).json()
    assert again["created"] == 0 and again["unchanged"] == 2
    found = town.get("/api/v1/shelters", params={"q": name}).json()["items"][0]
    assert found["capacity"] == 1000 and found["facilities"] == {
        "water": True,
        "power": True,
        "toilets": True,
    }

    bad = xlsx(HEADER, [_row(city.town_a, level="银河级"), _row(city.town_b)])
    r = town.post("/api/v1/shelters/import", files={"file": ("s.xlsx", bad, XLSX)})
    assert r.status_code == 422 and len(r.json()["error"]["details"]) == 2

    out = town.get("/api/v1/shelters/export", params={"within": city.town_a})
    assert out.status_code == 200
    ws = load_workbook(io.BytesIO(out.content)).active
    # the registered sheet adds 所在地 (the place's path) after the division code; imports skip it
    assert [c.value for c in ws[1] if c.value != "所在地"] == HEADER
    back = town.post("/api/v1/shelters/import", files={"file": ("s.xlsx", out.content, XLSX)}).json()
    assert back["created"] == 0 and back["updated"] == 0


def test_nearest_open_shelters_by_minutes_with_room(city, api, make_shelter):
    town = api("town")
    with city.db.reading() as session:
        from yingji.org.models import Jurisdiction

        v = session.get(Jurisdiction, city.village_a)
    near = make_shelter(lon=v.lon + 0.01, lat=v.lat, usable_area_m2=100000)
    far = make_shelter(lon=v.lon + 0.2, lat=v.lat, usable_area_m2=100000)
    small = make_shelter(lon=v.lon + 0.001, lat=v.lat, usable_area_m2=20)  # 10 places
    closed = make_shelter(opened=False, lon=v.lon, lat=v.lat, usable_area_m2=100000)
    r = town.get("/api/v1/shelters/nearest", params={"code": city.village_a, "needed": 50})
    assert r.status_code == 200, r.text
    ids = [i["shelter_id"] for i in r.json()["items"]]
    assert ids.index(near["id"]) < ids.index(far["id"])
    assert small["id"] not in ids and closed["id"] not in ids
    minutes = [i["minutes"] for i in r.json()["items"]]
    assert minutes == sorted(minutes) and all(i["free"] >= 50 for i in r.json()["items"])
    default = town.get("/api/v1/shelters/nearest", params={"code": city.village_a}).json()
    assert default["needed"] >= 1 and default["origin"]["code"] == city.village_a
    assert api("town_b").get("/api/v1/shelters/nearest", params={"code": city.village_a}).status_code == 404


def test_map_layer(city, api, make_shelter):
    s = make_shelter()
    r = api("town").get("/api/v1/map/shelters")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/geo+json")
    feats = {f["id"]: f for f in r.json()["features"]}
    assert feats[s["id"]]["properties"]["capacity"] == s["capacity"] and feats[s["id"]]["properties"][
        "status_label"
    ].startswith("已启用")
    assert s["id"] not in {f["id"] for f in api("town_b").get("/api/v1/map/shelters").json()["features"]}
    from yingji.geo.catalog import KEYS

    assert "shelters" in KEYS


def test_pages_render_in_chinese(city, app, make_shelter):
    s = make_shelter()
    c = log_in(app, "town")
    page = c.get("/shelters", params={"village": city.village_a})
    assert page.status_code == 200 and "应急避难场所" in page.text and "最近的有空位避难场所" in page.text
    assert "shelters-map.js" in page.text
    detail = c.get(f"/shelters/{s['id']}")
    assert detail.status_code == 200 and "运行情况日志" in detail.text and "配套设施" in detail.text
    assert c.get(f"/shelters/{s['id']}/figures").status_code == 200
    assert "登记避难场所" in c.get("/shelters/new").text
    assert "导入避难场所" in c.get("/shelters/import").text
    phone = c.get(f"/shelters/{s['id']}/checkin")
    assert phone.status_code == 200 and "查找人员" in phone.text and "data-checkin-form" in phone.text
    found = c.form(f"/shelters/{s['id']}/checkin/find", {"home_code": city.group_a, "household": "001"})
    assert found.status_code == 200
    done = c.form(
        f"/shelters/{s['id']}/checkin",
        {"client_key": key(), "name": "页面登记", "people": "2"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    edit = c.form(
        f"/shelters/{s['id']}/edit",
        {
            "name": s["name"],
            "level": "town",
            "shelter_class": "short",
            "space_type": "outdoor",
            "jurisdiction_code": city.town_a,
            "usable_area_m2": "abc",
        },
    )
    assert edit.status_code == 422 and "有效避难面积" in edit.text
    closing = c.form(f"/shelters/{s['id']}/close", {})
    assert closing.status_code == 409 and "仍有" in closing.text


def test_residents_import_takes_an_id_number(city, api):
    number = "52060219800101001"
    number += idnumber.check_digit(number)
    header = ["姓名", "手机号", "所属区划代码", "所属村组", "户号", "身份证号"]
    name = f"身份{uuid.uuid4().hex[:4]}"
    ok = xlsx(header, [[name, "", city.group_a, "", "999", number]])
    r = api("gridleader").post("/api/v1/residents/import", files={"file": ("r.xlsx", ok, XLSX)})
    assert r.status_code == 200, r.text
    with city.db.reading() as session:
        res = session.scalar(select(Resident).where(Resident.name == name))
    assert res.id_tail == number[-4:] and res.id_hash == idnumber.hash_and_tail(number)[0]
    bad = xlsx(
        header,
        [[name + "乙", "", city.group_a, "", "999", number[:-1] + ("0" if number[-1] != "0" else "1")]],
    )
    assert (
        api("gridleader").post("/api/v1/residents/import", files={"file": ("r.xlsx", bad, XLSX)}).status_code
        == 422
    )


def test_demo_shelters_consistent(city):
    with city.db.reading() as session:
        n = session.scalar(select(func.count()).select_from(Shelter).where(Shelter.code.like("BN%")))
        opened = session.scalars(
            select(Shelter).where(Shelter.code.like("BN%T1"), Shelter.status == "open")
        ).all()
        with_ids = session.scalar(
            select(func.count()).select_from(Resident).where(Resident.id_tail.is_not(None))
        )
        for s in opened:
            people = session.scalar(
                select(func.coalesce(func.sum(ShelterStay.people), 0)).where(
                    ShelterStay.shelter_id == s.id, ShelterStay.state == "in"
                )
            )
            assert s.occupancy == people and s.occupancy <= s.capacity
    assert n > 0 and opened and with_ids > 0

"""The seismic registry (RULES2 §14): members of an org person in a town or village with role,
point, period and training; phones masked; coverage against the local pattern (settings); reports
idempotent by client key, one monthly report per member and month; Excel import all-or-nothing with
row-by-row errors, and export; scope on every read and write."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from tests.conftest import log_in, unique_mobile
from tests.risk.conftest import image_bytes
from yingji.seismic.models import SeismicMember, SeismicPhoto, SeismicReport


def member(client, code: str, role: str = "reporter", **extra) -> dict:
    body = {
        "role": role,
        "name": f"测试{uuid.uuid4().hex[:4]}",
        "mobile": unique_mobile(),
        "jurisdiction_code": code,
        "active_from": "2026-01-01",
    } | extra
    r = client.post("/api/v1/seismic/members", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def sheet(rows: list[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(
        [
            "角色",
            "姓名",
            "手机号码",
            "所在区划代码",
            "所在乡镇/村",
            "观测点类型",
            "观测点位置",
            "观测对象",
            "经度",
            "纬度",
            "任职起",
            "任职止",
            "备注",
        ]
    )
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_register_with_training_and_masked_phone(city, api):
    town = api("town")
    m = member(town, city.village_a, point_type="well", point_object="村东老井水位")
    assert (m["role"], m["jurisdiction_code"], m["active"]) == ("reporter", city.village_a, True)
    t = town.post(
        f"/api/v1/seismic/members/{m['id']}/trainings",
        json={"held_on": "2026-03-02", "course": "灾情速报培训", "hours": 4},
    )
    assert t.status_code == 201
    got = town.get(f"/api/v1/seismic/members/{m['id']}").json()
    assert got["trainings"][0]["course"] == "灾情速报培训" and "*" not in got["phone"]
    masked = api("keeper").get(f"/api/v1/seismic/members/{m['id']}").json()["phone"]  # no contact.phone
    assert "****" in masked
    # an assistant serves a town, not a village; end before start; the same person twice
    bad = town.post(
        "/api/v1/seismic/members",
        json={
            "role": "assistant",
            "name": "某",
            "mobile": unique_mobile(),
            "jurisdiction_code": city.village_a,
            "active_from": "2026-01-01",
        },
    )
    assert bad.status_code == 422
    early = {"role": "reporter", "name": "某", "mobile": unique_mobile(), "jurisdiction_code": city.village_a}
    assert (
        town.post(
            "/api/v1/seismic/members", json=early | {"active_from": "2026-05-01", "active_to": "2026-01-01"}
        ).status_code
        == 422
    )


def test_scope_of_reads_and_writes(city, api):
    town, other = api("town"), api("town_b")
    m = member(town, city.village_a)
    assert other.get(f"/api/v1/seismic/members/{m['id']}").status_code == 404
    outside = {
        "role": "reporter",
        "name": "某",
        "mobile": unique_mobile(),
        "jurisdiction_code": city.village_a,
        "active_from": "2026-01-01",
    }
    assert other.post("/api/v1/seismic/members", json=outside).status_code == 403
    assert (
        api("gridworker").post("/api/v1/seismic/members", json=outside).status_code == 403
    )  # no TRAINING_MANAGE
    assert all(
        x["jurisdiction_code"].startswith(city.town_b)
        for x in other.get("/api/v1/seismic/members?size=200").json()["items"]
    )
    r = other.post(
        "/api/v1/seismic/reports",
        json={
            "kind": "quick",
            "jurisdiction_code": city.village_a,
            "occurred_at": "2026-03-01T10:00:00+08:00",
            "intensity": 3,
        },
    )
    assert r.status_code == 403


def test_coverage_counts_places_lacking_their_member(city, api):
    county = api("county")
    before = county.get("/api/v1/seismic/coverage", params={"within": city.town_a}).json()
    assert before["villages"] >= 1 and before["reporters_per_village"] == 1
    lacking = [p["code"] for p in before["lacking"] if p["level"] == "village"]
    if lacking:  # give one lacking village its reporter: it leaves the list
        member(api("town"), lacking[0])
        after = county.get("/api/v1/seismic/coverage", params={"within": city.town_a}).json()
        assert lacking[0] not in [p["code"] for p in after["lacking"]]
        assert after["villages_covered"] == before["villages_covered"] + 1


def test_reports_are_idempotent_and_monthly_once(city, api, app, clock):
    clock.freeze(datetime(2031, 6, 10, 2, 0, tzinfo=UTC))
    leader = api("gridleader")  # a village's reporter: DAMAGE_REPORT in its village
    m = member(api("town"), city.village_a, role="macro_observer", point_type="fish_pond")
    key = uuid.uuid4().hex
    body = {
        "kind": "quick",
        "jurisdiction_code": city.village_a,
        "occurred_at": "2031-06-10T09:30:00+08:00",
        "intensity": 5,
        "houses_damaged": 2,
        "client_key": key,
    }
    first = leader.post("/api/v1/seismic/reports", json=body)
    second = leader.post("/api/v1/seismic/reports", json=body)
    assert first.status_code == second.status_code == 201 and first.json()["id"] == second.json()["id"]
    assert (
        leader.post(
            "/api/v1/seismic/reports", json=body | {"client_key": None, "intensity": None}
        ).status_code
        == 422
    )
    future = body | {"client_key": uuid.uuid4().hex, "occurred_at": "2031-07-10T09:30:00+08:00"}
    assert leader.post("/api/v1/seismic/reports", json=future).status_code == 422
    monthly = {
        "kind": "monthly",
        "jurisdiction_code": city.village_a,
        "member_id": m["id"],
        "occurred_at": "2031-06-04T09:00:00+08:00",
        "month": "2031-05",
        "description": "无异常",
    }
    assert leader.post("/api/v1/seismic/reports", json=monthly).status_code == 201
    again = leader.post("/api/v1/seismic/reports", json=monthly)
    assert again.status_code == 409 and again.json()["error"]["code"] == "seismic_monthly_sent"
    photo = leader.post(
        f"/api/v1/seismic/reports/{first.json()['id']}/photos",
        files={"file": ("a.png", image_bytes(), "image/png")},
    )
    assert photo.status_code == 201 and photo.json()["photos"] == 1
    with city.db.reading() as session:
        assert (
            session.scalar(
                select(func.count()).select_from(SeismicReport).where(SeismicReport.client_key == key)
            )
            == 1
        )
        assert (
            session.scalar(
                select(func.count())
                .select_from(SeismicPhoto)
                .where(SeismicPhoto.report_id == first.json()["id"])
            )
            == 1
        )
    # the phone page: the same form (its client key) sent twice is one report
    phone = log_in(app, "gridleader")
    page = phone.get("/seismic/report")
    assert page.status_code == 200
    form_key = page.text.split('name="client_key" value="', 1)[1].split('"', 1)[0]
    form = {
        "kind": "anomaly",
        "jurisdiction_code": city.village_a,
        "occurred_at": "2031-06-09T08:00",
        "description": "井水突然变浑",
        "client_key": form_key,
    }
    a = phone.form("/seismic/report", form, follow_redirects=False)
    b = phone.form("/seismic/report", form, follow_redirects=False)
    assert a.status_code == b.status_code == 303 and a.headers["location"] == b.headers["location"]


def test_import_is_all_or_nothing_with_row_errors(city, api):
    town = api("town")
    good = [
        [
            "灾情速报员",
            "张三",
            unique_mobile(),
            city.village_a,
            "",
            "水井",
            "村口",
            "水位",
            "109.1",
            "27.7",
            "2026-01-01",
            "",
            "",
        ]
    ]
    bad_rows = [
        *good,
        [
            "速报员",
            "李四",
            "12345",
            city.village_a,
            "",
            "",
            "",
            "",
            "",
            "",
            "2026-01-01",
            "",
            "",
        ],  # bad mobile
        [
            "助理员",
            "王五",
            unique_mobile(),
            city.village_a,
            "",
            "",
            "",
            "",
            "",
            "",
            "2026-01-01",
            "",
            "",
        ],  # assistant in a village
        [
            "队长",
            "赵六",
            unique_mobile(),
            city.village_a,
            "",
            "",
            "",
            "",
            "",
            "",
            "2026-01-01",
            "",
            "",
        ],  # unknown role
        [
            "速报员",
            "钱七",
            unique_mobile(),
            city.town_b,
            "",
            "",
            "",
            "",
            "",
            "",
            "2026-01-01",
            "",
            "",
        ],  # outside the town
        [
            "速报员",
            "孙八",
            unique_mobile(),
            city.village_a,
            "",
            "鱼池",
            "",
            "",
            "200",
            "",
            "2026-13-01",
            "",
            "",
        ],
    ]
    with city.db.reading() as session:
        before = session.scalar(select(func.count()).select_from(SeismicMember))
    r = town.post(
        "/api/v1/seismic/members/import",
        files={"file": ("r.xlsx", sheet(bad_rows), "application/octet-stream")},
    )
    assert r.status_code == 422, r.text
    details = r.json()["error"]["details"]
    assert {d["row"] for d in details} == {3, 4, 5, 6, 7}
    assert {d["column"] for d in details if d["row"] == 7} >= {"观测点类型", "经度", "任职起"}
    with city.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(SeismicMember)) == before
    ok = town.post(
        "/api/v1/seismic/members/import", files={"file": ("r.xlsx", sheet(good), "application/octet-stream")}
    )
    assert ok.status_code == 200 and ok.json()["created"] == 1
    again = town.post(
        "/api/v1/seismic/members/import", files={"file": ("r.xlsx", sheet(good), "application/octet-stream")}
    )
    assert again.json()["unchanged"] == 1
    export = town.get("/api/v1/seismic/members/export")
    assert export.status_code == 200
    names = [c.value for row in load_workbook(io.BytesIO(export.content)).active.iter_rows() for c in row]
    assert "张三" in names and "灾情速报员" in names


def test_pages(city, app):
    town = log_in(app, "town")
    for url in ("/seismic", "/seismic/reports", "/seismic/report", "/seismic/members/new", "/seismic/import"):
        assert town.get(url).status_code == 200, url
    r = town.form(
        "/seismic/members/new",
        {
            "role": "reporter",
            "name": "页面登记",
            "mobile": unique_mobile(),
            "jurisdiction_code": city.village_a,
            "active_from": "2026-02-01",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = town.get(r.headers["location"])
    assert page.status_code == 200 and "页面登记" in page.text
    refused = town.form(
        "/seismic/members/new",
        {
            "role": "assistant",
            "name": "错",
            "mobile": unique_mobile(),
            "jurisdiction_code": city.village_a,
            "active_from": "2026-02-01",
        },
    )
    assert refused.status_code == 422

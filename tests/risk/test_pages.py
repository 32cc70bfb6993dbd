"""The dual-prevention pages render for the roles that use them, the forms work from a browser
session (CSRF), and the nav has its section."""

from __future__ import annotations

from sqlalchemy import select

from tests.risk.conftest import credit_code, danger, enterprise, key
from yingji.risk.danger_models import Danger
from yingji.risk.models import Enterprise


def test_the_pages_render(city, browser_client, api):
    c = browser_client("town")
    e = enterprise(api("town"), city.village_a)
    d = danger(api("gridworker"))
    for url in (
        "/risk/overview",
        "/risk/enterprises",
        f"/risk/enterprises/{e['id']}",
        "/risk/enterprises/new",
        "/risk/enterprises/import",
        "/risk/map",
        "/risk/dangers",
        "/risk/dangers?overdue=true&status=rectifying",
        f"/risk/dangers/{d['id']}",
        "/risk/report",
        "/risk/plans",
        "/risk/places",
        "/risk/meetings",
        "/risk/meetings/new",
        "/risk/clearing",
        f"/risk/inspections/new?enterprise_id={e['id']}",
    ):
        r = c.get(url)
        assert r.status_code == 200, (url, r.status_code, r.text[:300])
    assert "双重预防" in c.get("/risk/overview").text
    assert c.get(f"/risk/dangers/{d['id']}").text.count('data-step="') == 2  # register, dismiss
    assert browser_client("town_b").get(f"/risk/dangers/{d['id']}").status_code == 404
    assert browser_client("county").get("/risk/settings").status_code == 200
    assert c.get("/risk/settings").status_code == 403


def test_forms_from_a_browser(city, browser_client):
    c = browser_client("town")
    code = credit_code()
    r = c.form(
        "/risk/enterprises/new",
        {
            "name": "表单企业有限公司",
            "credit_code": code,
            "industry": "commerce",
            "scale": "small",
            "jurisdiction_code": city.village_a,
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:500]
    bad = c.form(
        "/risk/enterprises/new",
        {
            "name": "坏代码",
            "credit_code": code[:17] + "Z",
            "industry": "commerce",
            "scale": "small",
            "jurisdiction_code": city.village_a,
        },
    )
    assert bad.status_code == 422 and "has-error" in bad.text
    no_csrf = c.post("/risk/enterprises/new", data={"name": "x"}, follow_redirects=False)
    assert no_csrf.status_code == 403
    with city.db.reading() as session:
        e = session.scalar(select(Enterprise).where(Enterprise.credit_code == code))
    assert e is not None and e.jurisdiction_code == city.village_a

    point = c.form("/risk/points/new", {"enterprise_id": str(e.id), "name": "仓库"}, follow_redirects=False)
    assert point.status_code == 303
    pid = int(point.headers["location"].rsplit("/", 1)[1])
    assessed = c.form(
        f"/risk/points/{pid}/assess",
        {"method": "LEC", "LEC_l": "6", "LEC_e": "6", "LEC_c": "7"},
        follow_redirects=False,
    )
    assert assessed.status_code == 303  # D = 252: 重大 under mapping A
    assert "重大风险" in c.get(f"/risk/enterprises/{e.id}").text


def test_the_loop_from_the_danger_page(city, browser_client):
    worker = browser_client("gridworker")
    sent = worker.form(
        "/risk/report",
        {
            "title": "电线老化裸露",
            "category": "electrical",
            "jurisdiction_code": city.group_a,
            "client_key": key(),
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303
    danger_id = int(sent.headers["location"].split("sent=")[1])
    town = browser_client("town")
    base = f"/risk/dangers/{danger_id}/act"
    assert town.form(f"{base}/register", {"client_key": key()}, follow_redirects=False).status_code == 303
    assert (
        town.form(
            f"{base}/grade", {"checklist_shown": "1", "client_key": key()}, follow_redirects=False
        ).status_code
        == 303
    )
    skipped = town.form(f"{base}/close", {"client_key": key()})
    assert skipped.status_code == 409
    missing = town.form(f"{base}/rectify", {"responsible_party": "户主", "client_key": key()})
    assert missing.status_code == 422 and "field-error" in missing.text
    with city.db.reading() as session:
        d = session.get(Danger, danger_id)
        assert (d.status, d.grade) == ("graded", "general")


def test_the_public_page_needs_no_login(app):
    from fastapi.testclient import TestClient

    anonymous = TestClient(app)
    r = anonymous.get("/risk/tipoff")
    assert r.status_code == 200 and "tipoff_token" in r.text and "<script>" not in r.text
    assert (
        anonymous.get("/risk/dangers", follow_redirects=False).status_code == 303
    )  # the ledger needs a login


def test_the_ledger_exports_to_excel(city, api, browser_client):
    import io

    from openpyxl import load_workbook

    d = danger(api("gridworker"), title="导出测试隐患")
    r = api("town").get(
        "/api/v1/risk/dangers.xlsx", params={"q": "导出测试", "status": "", "grade": "", "month": ""}
    )
    assert r.status_code == 200, r.text
    sheet = load_workbook(io.BytesIO(r.content)).worksheets[0]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][:3] == ["隐患编号", "所在地", "隐患内容"]
    assert any(row[2] == "导出测试隐患" for row in values[1:]) and d["number"] in [row[0] for row in values]
    assert api("town_b").get("/api/v1/risk/dangers.xlsx", params={"q": "导出测试"}).status_code == 200
    other = load_workbook(
        io.BytesIO(api("town_b").get("/api/v1/risk/dangers.xlsx", params={"q": "导出测试"}).content)
    )
    assert other.worksheets[0].max_row == 1  # another town exports only its own
    assert api("town").get("/api/v1/risk/dangers.xlsx", params={"grade": "huge"}).status_code == 422


def test_pages_in_english(city, browser_client):
    c = browser_client("county")
    c.cookies.set("yingji_lang", "en")
    page = c.get("/risk/overview")
    assert page.status_code == 200 and "Dual prevention overview" in page.text
    assert "Hidden-danger ledger" in c.get("/risk/dangers").text
    assert "LEC" in c.get("/risk/settings").text

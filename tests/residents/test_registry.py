"""The resident registry: Excel import (row errors, nothing half-imported, re-import changes
nothing), the API in scope, pages, and the demo's residents."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from tests.conftest import unique_mobile
from tests.factories import xlsx
from yingji.residents.demo import DEFAULT_PER_GROUP
from yingji.residents.models import Resident

HEADER = ["姓名", "手机号", "所属区划代码", "户号", "残疾", "独居老人", "高龄", "接收预警", "备注"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(client, data: bytes):
    return client.post("/api/v1/residents/import", files={"file": ("r.xlsx", data, XLSX)})


def test_import_is_all_or_nothing_and_idempotent(city, api):
    household = f"T{uuid.uuid4().hex[:6]}"
    good = [
        ["王小明", unique_mobile(), city.group_a.ljust(15, "0"), household, "否", "", "", "是", ""],
        ["王奶奶", "", city.group_a, household, "", "是", "是", "", "行动不便"],
    ]
    bad = [
        *good,
        ["李四", "12345", city.group_a, household, "", "", "", "", ""],
        ["张三", "", city.town_a, household, "", "", "", "", ""],
        ["赵五", "", city.town_other_county + "001", household, "", "", "", "", ""],
        ["王小明", "", city.group_a, household, "", "", "", "", ""],
        ["钱六", "", city.group_a, household, "也许", "", "", "", ""],
    ]
    client = api("town")
    r = upload(client, xlsx(HEADER, bad))
    assert r.status_code == 422
    problems = {d["row"]: d["message"] for d in r.json()["error"]["details"]}
    assert sorted(problems) == [4, 5, 6, 7, 8]
    assert problems[4] == "不是有效的大陆手机号。" and problems[8] == "请填写“是”或“否”。"
    with city.db.reading() as session:
        assert session.scalar(select(func.count()).where(Resident.household == household)) == 0

    assert upload(client, xlsx(HEADER, good)).json() == {
        "kind": "residents",
        "created": 2,
        "updated": 0,
        "unchanged": 0,
    }
    assert upload(client, xlsx(HEADER, good)).json() == {
        "kind": "residents",
        "created": 0,
        "updated": 0,
        "unchanged": 2,
    }
    with city.db.reading() as session:
        grandma = session.scalar(
            select(Resident).where(Resident.household == household, Resident.name == "王奶奶")
        )
    assert (grandma.lives_alone, grandma.very_old, grandma.vulnerability, grandma.subscribed) == (
        True,
        True,
        2,
        True,
    )
    assert grandma.village_code == city.village_a


def test_api_in_scope_with_permissions(city, api):
    body = {"name": "测试居民", "jurisdiction_code": city.group_a, "household": "X1", "disabled": True}
    assert api("viewer").post("/api/v1/residents", json=body).status_code == 403
    assert api("town_b").post("/api/v1/residents", json=body).status_code == 403
    assert (
        api("town").post("/api/v1/residents", json=body | {"jurisdiction_code": city.town_a}).status_code
        == 422
    )
    created = api("town").post("/api/v1/residents", json=body | {"mobile": unique_mobile()})
    assert created.status_code == 201, created.text
    rid = created.json()["id"]
    assert created.json()["vulnerability"] == 1
    assert api("town_b").get(f"/api/v1/residents/{rid}").status_code == 404
    assert api("viewer").get("/api/v1/residents").status_code == 403
    listed = api("gridleader").get("/api/v1/residents", params={"vulnerable": "true", "size": 200}).json()
    assert all(r["jurisdiction_code"].startswith(city.village_a) for r in listed["items"])
    assert all(r["vulnerability"] > 0 for r in listed["items"]) and listed["total"] > 0
    patched = api("town").patch(f"/api/v1/residents/{rid}", json={"disabled": False, "subscribed": False})
    assert patched.json()["vulnerability"] == 0 and patched.json()["subscribed"] is False
    export = api("town").get("/api/v1/residents/export", params={"within": city.village_a})
    assert export.status_code == 200 and export.headers["content-type"] == XLSX


def test_pages(city, browser_client):
    c = browser_client("town")
    page = c.get("/residents?vulnerable=true")
    assert page.status_code == 200 and "居民" in page.text
    assert c.get("/residents/import").status_code == 200
    bad = c.post(
        "/residents/import",
        data={"csrf_token": c.csrf},
        files={"file": ("r.xlsx", xlsx(HEADER, [["x", "1", "5206", "1", "", "", "", "", ""]]), XLSX)},
    )
    assert bad.status_code == 422 and "未导入任何数据" in bad.text


def test_demo_fills_every_group(city):
    with city.db.reading() as session:
        groups = session.scalar(select(func.count(func.distinct(Resident.jurisdiction_code))))
        total = session.scalar(select(func.count()).select_from(Resident))
        vulnerable = session.scalar(select(func.count()).where(Resident.vulnerability > 0))
    assert groups > 1000 and total >= DEFAULT_PER_GROUP * groups - 10
    assert 0.03 * total < vulnerable < 0.2 * total


def test_cli_export_and_import_round_trip(city, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from yingji.cli import cli

    monkeypatch.setenv("YINGJI_DATABASE_URL", city.db.settings.database_url)
    monkeypatch.setenv("YINGJI_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("YINGJI_SECRET_KEY", "test-secret")
    out = tmp_path / "residents.xlsx"
    runner = CliRunner()
    exported = runner.invoke(cli, ["residents", "export", "-o", str(out), "--within", city.group_a])
    assert exported.exit_code == 0, exported.output
    imported = runner.invoke(cli, ["residents", "import", str(out)])
    assert imported.exit_code == 0, imported.output
    result = __import__("json").loads(imported.output.strip().splitlines()[-1])
    assert result["created"] == 0 and result["unchanged"] > 0
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(xlsx(HEADER, [["x", "", "5206", "1", "", "", "", "", ""]]))
    failed = runner.invoke(cli, ["residents", "import", str(broken)])
    assert failed.exit_code == 1 and "第2行" in failed.output

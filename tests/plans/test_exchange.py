"""Documents (PDF or DOCX, recognised by content), the Excel plan list (import all or nothing,
round trip, clocks of imported plans), the pages in Chinese, the demo registry and the CLI."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import uuid
import zipfile

from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.factories import xlsx
from tests.plans.conftest import ok, plan_body
from yingji.org.models import Unit
from yingji.plans.models import Plan, PlanClock, PlanMember

HEADER = [
    "预案编号",
    "预案名称",
    "预案类别",
    "区划代码",
    "发布机关(编制单位)",
    "涉及事件类别",
    "状态",
    "文号",
    "印发日期",
    "备案日期",
]


def _docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


def test_documents_are_pdf_or_docx_by_content(city, api, pdf_bytes):
    town = api("town")
    plan = ok(town.post("/api/v1/plans", json=plan_body(city.town_a)), 201)
    url = f"/api/v1/plans/{plan['id']}/documents"
    fake = town.post(url, files={"file": ("预案.pdf", b"not a pdf at all", "application/pdf")})
    assert fake.status_code == 422 and "不是PDF" in fake.json()["error"]["details"][0]["message"]
    exe = town.post(url, files={"file": ("预案.docx", b"PK\x03\x04garbage", "application/octet-stream")})
    assert exe.status_code == 422
    doc = ok(town.post(url, files={"file": ("预案正文.pdf", pdf_bytes, "application/pdf")}), 201)
    assert doc["content_type"] == "application/pdf" and doc["kind_label"] == "印发文本"
    word = ok(
        town.post(url, data={"kind": "explanation"}, files={"file": ("编制说明.docx", _docx(), "x/y")}), 201
    )
    assert word["content_type"].endswith("wordprocessingml.document")
    got = town.get(doc["url"])
    assert got.status_code == 200 and got.content == pdf_bytes
    assert api("town_b").get(doc["url"]).status_code == 404
    assert api("town_b").post(url, files={"file": ("a.pdf", pdf_bytes, "application/pdf")}).status_code == 404
    assert len(ok(town.get(f"/api/v1/plans/{plan['id']}"))["documents"]) == 2


def test_excel_import_all_or_nothing_and_round_trip(city, api):
    county = api("county")
    code = f"IMP-{uuid.uuid4().hex[:8]}"
    rows = [
        [
            code,
            "某镇防汛应急预案",
            "乡镇(街道)应急预案",
            city.town_a,
            "某镇人民政府",
            "水旱灾害、地质灾害",
            "备案",
            "镇府发〔2025〕3号",
            "2025-05-06",
            "2025-05-20",
        ],
        [
            code + "B",
            "某村应急预案",
            "村(社区)应急预案",
            city.village_a,
            "某村委会",
            "",
            "印发",
            "",
            "2025-06-01",
            "",
        ],
    ]
    bad = [*rows, [code + "C", "坏行", "火星预案", city.town_a, "x", "", "印发", "", "2099-01-01", ""]]
    r = county.post(
        "/api/v1/plans/import", files={"file": ("p.xlsx", xlsx(HEADER, bad), "application/octet-stream")}
    )
    assert r.status_code == 422
    with city.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Plan).where(Plan.code.startswith(code))) == 0
    r = county.post(
        "/api/v1/plans/import", files={"file": ("p.xlsx", xlsx(HEADER, rows), "application/octet-stream")}
    )
    assert ok(r)["created"] == 2
    again = county.post("/api/v1/plans/import", files={"file": ("p.xlsx", xlsx(HEADER, rows), "x")})
    assert ok(again)["unchanged"] == 2
    assert (
        api("town_b")
        .post("/api/v1/plans/import", files={"file": ("p.xlsx", xlsx(HEADER, rows), "x")})
        .status_code
        == 422
    )
    with city.db.reading() as session:
        plan = session.scalar(select(Plan).where(Plan.code == code))
        assert plan.state == "filed" and plan.event_categories == [
            "natural.flood_drought",
            "natural.geological",
        ]
        kinds = dict(
            session.execute(select(PlanClock.kind, PlanClock.state).where(PlanClock.plan_id == plan.id)).all()
        )
    assert kinds == {"filing": "met", "publish": "open", "evaluation": "open"}
    sheet = county.get("/api/v1/plans/export", params={"within": city.town_a})
    assert sheet.status_code == 200
    ws = load_workbook(io.BytesIO(sheet.content)).active
    header = [c.value for c in ws[1]]
    assert header[:3] == ["预案编号", "预案名称", "预案类别"]
    found = [r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == code]
    assert found and found[0][2] == "乡镇(街道)应急预案" and found[0][header.index("状态")] == "备案"


def test_pages_in_chinese(city, browser_client):
    b = browser_client("town")
    page = b.get("/plans")
    assert page.status_code == 200 and "应急预案" in page.text and "登记预案" in page.text
    assert "Drafting" not in page.text
    created = b.form(
        "/plans/new",
        {
            "code": f"PG-{uuid.uuid4().hex[:8]}",
            "title": "页面登记的镇预案",
            "kind": "township",
            "jurisdiction_code": city.town_a,
            "issuer": "某镇人民政府",
            "event_categories": "natural.geological",
            "hq_unit_code": f"{city.town_a}-YJW",
            "lead_unit_code": f"{city.town_a}-YJB",
            "members": f"{city.town_a}-YJB 承担日常工作\n{city.town_a}-GZZ-geological 负责地灾隐患点巡查",
        },
        follow_redirects=False,
    )
    assert created.status_code == 303, created.text[:500]
    url = created.headers["location"]
    detail = b.get(url)
    assert detail.status_code == 200 and "提交征求意见/评审" in detail.text and "法定时限" in detail.text
    assert "负责地灾隐患点巡查" in detail.text and "应急管理委员会" in detail.text
    wrong = b.form(f"{url}/edit", {"title": "改名", "issuer": "某镇", "members": "NO-SUCH-UNIT 职责"})
    assert wrong.status_code == 422 and "单位不存在" in wrong.text
    assert "承担日常工作" in b.get(f"{url}/edit").text
    refused = b.form(f"{url}/do/approval", {})
    assert refused.status_code == 422 and "请先登记征求意见" in refused.text
    assert b.form(f"{url}/do/submit", {"comment": "送审"}, follow_redirects=False).status_code == 303
    assert "登记意见" in b.get(url).text
    for path in ("/plans/filings", "/plans/calendar", "/plans/import", f"{url}/edit", "/plans/new"):
        r = b.get(path)
        assert r.status_code == 200 and "<html" in r.text, path
    assert "预案管理" in page.text


def test_demo_registry(city):
    with city.db.reading() as session:
        specials = session.scalars(
            select(Unit).where(Unit.kind == "special_hq", Unit.jurisdiction_code == city.city)
        ).all()
        plans = {p.hq_unit_id: p for p in session.scalars(select(Plan).where(Plan.kind == "special"))}
        towns = session.scalar(
            select(func.count()).select_from(Plan).where(Plan.kind == "township", Plan.code.startswith("YA-"))
        )
        overdue = session.scalar(
            select(func.count()).select_from(PlanClock).where(PlanClock.state == "missed")
        )
        members = session.scalar(select(func.count()).select_from(PlanMember))
    assert len(specials) == 17 and all(s.id in plans for s in specials)
    p = plans[specials[0].id]
    assert p.lead_unit_id is not None and p.event_categories and p.issued_on is not None
    assert towns >= 2 and overdue > 0 and members > 17


def test_cli_due(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("YINGJI_")} | {
        "YINGJI_VAR_DIR": str(tmp_path)
    }
    cmd = [sys.executable, "-m", "yingji", "plans", "due", "--issued-on"]
    r = subprocess.run([*cmd, "2026-09-20"], capture_output=True, text=True, env=env, check=False)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout.strip().splitlines()[-1]) == {
        "filing_due": "2026-10-23",
        "publish_due": "2026-10-23",
        "evaluation_due": "2029-09-20",
    }
    r = subprocess.run([*cmd, "2031-03-01"], capture_output=True, text=True, env=env, check=False)
    assert r.returncode != 0 and "2031" in r.stderr and not r.stdout.strip()


def test_cli_due_reads_a_loaded_notice(city, api):
    notice = {"year": 2031, "holidays": ["2031-01-01"], "workdays": [], "source": "测试用:2031年节假日安排"}
    ok(api("admin").put("/api/v1/plans/calendar/2031", json=notice))
    env = {k: v for k, v in os.environ.items() if not k.startswith("YINGJI_")}
    env["YINGJI_DATABASE_URL"] = city.db.settings.database_url
    try:
        r = subprocess.run(
            [sys.executable, "-m", "yingji", "plans", "due", "--issued-on", "2031-03-03"],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
    finally:
        from yingji.core.db import Actor
        from yingji.plans.models import WorkCalendarYear

        with city.db.writing(Actor.system("tests")) as session:
            session.delete(session.get(WorkCalendarYear, 2031))
    assert r.returncode == 0, r.stderr
    # no holiday in March 2031 in this notice: 20 weekdays after Monday 3 March
    assert json.loads(r.stdout.strip().splitlines()[-1])["filing_due"] == "2031-03-31"


def test_filing_ledger_export(city, api):
    r = api("county").get("/api/v1/plans/filings/export")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    assert [c.value for c in ws[1]][:2] == ["预案编号", "预案名称"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert rows and all(row[7] in ("待受理", "已备案登记", "已退回") for row in rows)
    assert api("gridworker").get("/api/v1/plans/filings/export").status_code == 403

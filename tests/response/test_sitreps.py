"""Situation reports: numbered per incident, exported to DOCX and PDF in the official layout with the
Chinese text present and the CJK font embedded in the PDF."""

from __future__ import annotations

import io
import os

import pytest
from docx import Document
from pypdf import PdfReader

from tests.response.conftest import new_incident
from yingji.response import fonts

SITREP = {
    "conditions": "11月24日9时许，灯塔街道某工地发生坍塌，造成3人死亡、2人受伤。\n现场已封控，无次生灾害。",
    "actions": "一是启动四级应急响应；二是成立现场指挥部，下设7个工作组。",
    "needs": "请求市级派出建筑结构专家。",
    "signer": "王某",
}
HAS_FONT = fonts.find() is not None
needs_font = pytest.mark.skipif(
    not HAS_FONT and not os.environ.get("YINGJI_REQUIRE_CJK_FONT"),
    reason="no CJK font on this machine (CI sets YINGJI_REQUIRE_CJK_FONT)",
)


def _flat(text: str) -> str:
    """Text without spacing (pypdf puts spaces or NULs between the glyphs of CID fonts)."""
    return "".join(text.replace("\x00", "").split())


def test_reports_are_numbered_per_incident(city, api):
    iid = new_incident(city.db, city.town_a, title="灯塔街道工地坍塌事故")
    town = api("town")
    first = town.post(f"/api/v1/incidents/{iid}/sitreps", json=SITREP)
    second = town.post(
        f"/api/v1/incidents/{iid}/sitreps", json=SITREP | {"doc_number": "碧应急情〔2026〕99号"}
    )
    assert first.status_code == 201, first.text
    assert (first.json()["seq"], second.json()["seq"]) == (1, 2)
    assert first.json()["title"] == "关于灯塔街道工地坍塌事故有关情况的报告（第1期）"
    assert first.json()["issuing_body"].endswith("应急管理办公室")
    assert second.json()["doc_number"] == "碧应急情〔2026〕99号"
    assert town.post(f"/api/v1/incidents/{iid}/sitreps", json={"conditions": ""}).status_code == 422


def test_docx_has_the_official_layout(city, api):
    iid = new_incident(city.db, city.town_a, title="灯塔街道工地坍塌事故")
    town = api("town")
    sitrep = town.post(f"/api/v1/incidents/{iid}/sitreps", json=SITREP).json()
    r = town.get(sitrep["docx"])
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    doc = Document(io.BytesIO(r.content))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0].endswith("文件")
    masthead = doc.paragraphs[0].runs[0]
    assert str(masthead.font.color.rgb) == "E60012"
    assert any(sitrep["doc_number"] in t and "签发人：王某" in t for t in texts)
    assert sitrep["title"] in texts
    assert {"一、基本情况", "二、已采取的措施", "三、需要协调解决的问题"} <= set(texts)
    assert "现场已封控，无次生灾害。" in texts
    body = next(p for p in doc.paragraphs if p.text.startswith("一是启动"))
    assert body.runs[0].font.size.pt == 16
    assert doc.sections[0].top_margin.mm == pytest.approx(37, abs=0.1)
    footer_xml = doc.sections[0].footer.paragraphs[0]._p.xml
    assert "PAGE" in footer_xml and "— " in doc.sections[0].footer.paragraphs[0].text


@needs_font
def test_pdf_embeds_the_cjk_font_and_carries_the_text(city, api):
    iid = new_incident(city.db, city.town_a, title="灯塔街道工地坍塌事故")
    town = api("town")
    sitrep = town.post(f"/api/v1/incidents/{iid}/sitreps", json=SITREP).json()
    r = town.get(sitrep["pdf"])
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(r.content))
    text = _flat("".join(page.extract_text() for page in reader.pages))
    for part in (
        "文件",
        "一、基本情况",
        "造成3人死亡、2人受伤",
        "请求市级派出建筑结构专家",
        "签发人：王某",
        "—1—",
    ):
        assert _flat(part) in text, part
    embedded = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", []):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                embedded += [k for k in ("/FontFile", "/FontFile2", "/FontFile3") if k in descriptor]
    assert embedded, "no embedded font program"


def test_pdf_without_a_cjk_font_is_a_clear_error(city, api, monkeypatch):
    iid = new_incident(city.db, city.town_a)
    town = api("town")
    sitrep = town.post(f"/api/v1/incidents/{iid}/sitreps", json=SITREP).json()
    monkeypatch.setenv("YINGJI_CJK_FONT", "/nonexistent/font.ttc")
    r = town.get(sitrep["pdf"])
    assert r.status_code == 503
    assert r.json()["error"]["code"] == "no_cjk_font"


def test_other_towns_cannot_read_or_write_reports(city, api):
    iid = new_incident(city.db, city.town_a)
    sitrep = api("town").post(f"/api/v1/incidents/{iid}/sitreps", json=SITREP).json()
    other = api("town_b")
    assert other.get(f"/api/v1/sitreps/{sitrep['id']}").status_code == 404
    assert other.get(sitrep["docx"]).status_code == 404
    assert other.post(f"/api/v1/incidents/{iid}/sitreps", json=SITREP).status_code == 403
    assert api("commander").get(sitrep["docx"]).status_code == 200

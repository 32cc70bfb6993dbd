"""What a situation report says, laid out as a Chinese official document (GB/T 9704-2012): the parts
both exports (DOCX, PDF) share, and the page geometry they both follow."""

from __future__ import annotations

from dataclasses import dataclass, field

from yingji.core.clock import to_local
from yingji.incidents.models import Incident
from yingji.response.models import SituationReport

# GB/T 9704-2012 §5.2: A4, text block 156 × 225 mm, top margin (天头) 37 mm, binding margin (订口) 28 mm.
PAGE_W, PAGE_H = 210.0, 297.0
MARGIN_TOP, MARGIN_LEFT = 37.0, 28.0
BLOCK_W, BLOCK_H = 156.0, 225.0
MARGIN_RIGHT = PAGE_W - MARGIN_LEFT - BLOCK_W  # 26 mm
MARGIN_BOTTOM = PAGE_H - MARGIN_TOP - BLOCK_H  # 35 mm
# Body in 三号 (16 pt) 仿宋, 22 lines of 28 characters a page; titles in 二号 (22 pt) 小标宋; page
# numbers in 四号 (14 pt) as "— 1 —".
BODY_PT, TITLE_PT, NUMBER_PT, PAGE_NO_PT = 16, 22, 16, 14
LINE_MM = BLOCK_H / 22
RED = (230, 0, 18)

HEADINGS = ("一、基本情况", "二、已采取的措施", "三、需要协调解决的问题")


@dataclass
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class OfficialDocument:
    """The parts of the document in reading order."""

    masthead: str  # 发文机关标志 (red)
    doc_number: str  # 发文字号
    signer: str | None  # 签发人 (reports upward)
    title: str
    sections: list[Section]
    signature: str  # 发文机关署名
    date: str  # 成文日期
    incident_number: str


def paragraphs(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def place_line(place: str, address: str | None) -> list[str]:
    """事发地点 first in 基本情况: a reader at the city must know where the place is (县 · 镇 · 村)."""
    if not place:
        return []
    return [f"事发地点：{place}" + (f"（{address}）" if address else "") + "。"]


def build(report: SituationReport, incident: Incident, place: str = "") -> OfficialDocument:
    """The document of one situation report; ``place`` is the incident's path (``names.place_path``)."""
    issued = to_local(report.issued_at)
    sections = [
        Section(HEADINGS[0], place_line(place, incident.address) + paragraphs(report.conditions)),
        Section(HEADINGS[1], paragraphs(report.actions)),
    ]
    if paragraphs(report.needs):
        sections.append(Section(HEADINGS[2], paragraphs(report.needs)))
    return OfficialDocument(
        masthead=f"{report.issuing_body}文件",
        doc_number=report.doc_number,
        signer=report.signer,
        title=report.title,
        sections=sections,
        signature=report.issuing_body,
        date=f"{issued.year}年{issued.month}月{issued.day}日",
        incident_number=incident.number,
    )


def file_name(report: SituationReport, incident: Incident, ext: str) -> str:
    return f"{incident.number}-sitrep-{report.seq}.{ext}"

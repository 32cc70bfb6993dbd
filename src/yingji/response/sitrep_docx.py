"""A situation report as DOCX (python-docx) in the official layout: red masthead, document number, red
rule, 二号 title, 三号 仿宋 body with 28.95 pt exact line spacing, "— n —" page numbers. DOCX names its
fonts (仿宋_GB2312, 方正小标宋简体, 黑体) and the reader's Word supplies them, as offices expect."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_SECTION_START
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from yingji.response.sitrep_layout import (
    BODY_PT,
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MARGIN_TOP,
    NUMBER_PT,
    PAGE_H,
    PAGE_NO_PT,
    PAGE_W,
    RED,
    TITLE_PT,
    OfficialDocument,
)

BODY_FONT, TITLE_FONT, HEADING_FONT = "仿宋_GB2312", "方正小标宋简体", "黑体"
LINE = Pt(28.95)  # 22 lines on the 225 mm text block


def _run(paragraph, text: str, font: str, size: float, color: tuple[int, int, int] | None = None, bold=False):
    run = paragraph.add_run(text)
    run.font.name = font
    run.font.size = Pt(size)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    if color:
        run.font.color.rgb = RGBColor(*color)
    return run


def _paragraph(doc, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent: bool = False, exact: bool = True):
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.alignment = align
    fmt.space_before = fmt.space_after = Pt(0)
    if exact:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = LINE
    if indent:
        fmt.first_line_indent = Pt(BODY_PT * 2)
    return p


def _red_rule(paragraph) -> None:
    """The red rule under the document number: a bottom border of the paragraph."""
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (
        ("w:val", "single"),
        ("w:sz", "12"),
        ("w:space", "4"),
        ("w:color", "".join(f"{c:02X}" for c in RED)),
    ):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _page_numbers(section) -> None:
    """Footer "— PAGE —" (a field, so Word counts the pages)."""
    p = section.footer.paragraphs[0]
    p.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(p, "— ", "宋体", PAGE_NO_PT)
    run = _run(p, "", "宋体", PAGE_NO_PT)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            node = OxmlElement("w:fldChar")
            node.set(qn("w:fldCharType"), kind)
        else:
            node = OxmlElement("w:instrText")
            node.set(qn("xml:space"), "preserve")
            node.text = text
        run._r.append(node)
    _run(p, " —", "宋体", PAGE_NO_PT)


def render(doc: OfficialDocument) -> bytes:
    """The DOCX bytes of the document."""
    out = Document()
    section = out.sections[0]
    section.start_type = WD_SECTION_START.NEW_PAGE
    section.page_width, section.page_height = Mm(PAGE_W), Mm(PAGE_H)
    section.top_margin, section.bottom_margin = Mm(MARGIN_TOP), Mm(MARGIN_BOTTOM)
    section.left_margin, section.right_margin = Mm(MARGIN_LEFT), Mm(MARGIN_RIGHT)
    section.footer_distance = Mm(MARGIN_BOTTOM - 7 - 5)
    out.core_properties.title = doc.title
    out.core_properties.subject = doc.incident_number
    _page_numbers(section)

    masthead = _paragraph(out, WD_ALIGN_PARAGRAPH.CENTER, exact=False)
    _run(masthead, doc.masthead, TITLE_FONT, 36 if len(doc.masthead) <= 12 else 26, RED)
    _paragraph(out)
    number = _paragraph(out, WD_ALIGN_PARAGRAPH.CENTER)
    if doc.signer:
        number.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
        _run(
            number,
            f"\u3000{doc.doc_number}\u3000\u3000\u3000\u3000签发人：{doc.signer}",
            BODY_FONT,
            NUMBER_PT,
        )
    else:
        _run(number, doc.doc_number, BODY_FONT, NUMBER_PT)
    _red_rule(number)
    _paragraph(out)
    title = _paragraph(out, WD_ALIGN_PARAGRAPH.CENTER, exact=False)
    _run(title, doc.title, TITLE_FONT, TITLE_PT)
    _paragraph(out)
    for part in doc.sections:
        _run(_paragraph(out, indent=True), part.heading, HEADING_FONT, BODY_PT)
        for text in part.paragraphs:
            _run(_paragraph(out, indent=True), text, BODY_FONT, BODY_PT)
    _paragraph(out)
    _paragraph(out)
    for text in (doc.signature, doc.date):
        p = _paragraph(out, WD_ALIGN_PARAGRAPH.RIGHT)
        p.paragraph_format.right_indent = Pt(BODY_PT * 4)
        _run(p, text, BODY_FONT, BODY_PT)
    buf = io.BytesIO()
    out.save(buf)
    return buf.getvalue()

"""The handbook as DOCX (python-docx), from the same content as the PDF: a cover, a table of contents
(a Word TOC field whose shown text already lists the parts and chapters, so it reads before Word
updates it), real Word headings, tables whose header row repeats on every page, "— n —" footers.
Fonts are named (黑体, 仿宋_GB2312) and supplied by the reader's Word, as offices expect."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_SECTION_START
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from yingji.handbook.model import Handbook, Table

BODY_FONT, HEADING_FONT = "仿宋_GB2312", "黑体"
PART_NUMERALS = "一二三四"
MARGIN = 18


def _font(run, name: str, size: float, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _para(doc, text: str = "", font: str = BODY_FONT, size: float = 12, align=None, style=None, indent=False):
    p = doc.add_paragraph(style=style)
    if align is not None:
        p.paragraph_format.alignment = align
    if indent:
        p.paragraph_format.first_line_indent = Pt(size * 2)
    if text:
        _font(p.add_run(text), font, size)
    return p


def _heading(doc, text: str, level: int):
    h = doc.add_heading(level=level)
    _font(h.add_run(text), HEADING_FONT, {1: 18, 2: 14, 3: 12, 4: 12, 5: 11.5}[level])
    for run in h.runs:
        run.font.color.rgb = None
    if level == 1:
        h.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return h


def _field(paragraph, instruction: str, shown: str = "") -> None:
    """A Word field (PAGE, TOC …) with the text shown until Word updates it."""

    def char(kind: str):
        node = OxmlElement("w:fldChar")
        node.set(qn("w:fldCharType"), kind)
        r = OxmlElement("w:r")
        r.append(node)
        return r

    paragraph._p.append(char("begin"))
    r = OxmlElement("w:r")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = instruction
    r.append(instr)
    paragraph._p.append(r)
    paragraph._p.append(char("separate"))
    run = paragraph.add_run(shown)
    _font(run, BODY_FONT, 10.5)
    paragraph._p.append(char("end"))


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    node = OxmlElement("w:tblHeader")
    node.set(qn("w:val"), "true")
    tr_pr.append(node)


def _shade(cell, fill: str = "E2E8F0") -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shd)


def _table(doc, t: Table) -> None:
    # Built as XML in one go: python-docx's cell API re-walks the table per cell (quadratic on the
    # thousands of rows of a city's lists).
    table = doc.add_table(rows=1, cols=len(t.columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    total = sum(t.widths)
    width_mm = 210 - 2 * MARGIN
    widths = [Mm(width_mm * w / total) for w in t.widths]
    head = table.rows[0]
    _repeat_header(head)
    for cell, text, w in zip(head.cells, t.columns, widths, strict=True):
        cell.width = w
        _shade(cell)
        p = cell.paragraphs[0]
        p.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(p.add_run(text), HEADING_FONT, 9)
    tbl = table._tbl
    for row in t.rows:
        tr = OxmlElement("w:tr")
        for text, w in zip(row, widths, strict=True):
            tc = OxmlElement("w:tc")
            tc_pr = OxmlElement("w:tcPr")
            tcw = OxmlElement("w:tcW")
            tcw.set(qn("w:w"), str(int(w.twips)))
            tcw.set(qn("w:type"), "dxa")
            tc_pr.append(tcw)
            tc.append(tc_pr)
            p = OxmlElement("w:p")
            r = OxmlElement("w:r")
            r_pr = OxmlElement("w:rPr")
            fonts = OxmlElement("w:rFonts")
            for key in ("w:ascii", "w:hAnsi", "w:eastAsia"):
                fonts.set(qn(key), BODY_FONT)
            r_pr.append(fonts)
            sz = OxmlElement("w:sz")
            sz.set(qn("w:val"), "18")
            r_pr.append(sz)
            r.append(r_pr)
            node = OxmlElement("w:t")
            node.set(qn("xml:space"), "preserve")
            node.text = text or ""
            r.append(node)
            p.append(r)
            tc.append(p)
            tr.append(tc)
        tbl.append(tr)
    doc.add_paragraph()


def render(book: Handbook) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.start_type = WD_SECTION_START.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("top_margin", "bottom_margin", "left_margin", "right_margin"):
        setattr(section, side, Mm(MARGIN))
    doc.core_properties.title = book.title
    doc.core_properties.subject = f"数据截至{book.data_date}"
    footer = section.footer.paragraphs[0]
    footer.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(footer.add_run("— "), BODY_FONT, 9)
    _field(footer, "PAGE", "1")
    _font(footer.add_run(" —"), BODY_FONT, 9)

    for _ in range(6):
        doc.add_paragraph()
    _para(doc, book.place_name, HEADING_FONT, 26, WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, "应急管理“三清单一手册”", HEADING_FONT, 30, WD_ALIGN_PARAGRAPH.CENTER)
    _para(
        doc, "指挥体系清单 · 应急队伍清单 · 装备物资清单 · 操作手册", BODY_FONT, 13, WD_ALIGN_PARAGRAPH.CENTER
    )
    for _ in range(8):
        doc.add_paragraph()
    _para(doc, f"数据截至：{book.data_date}", BODY_FONT, 13, WD_ALIGN_PARAGRAPH.CENTER)
    if book.masked:
        _para(doc, "（本版联系电话已按权限作脱敏处理）", BODY_FONT, 10, WD_ALIGN_PARAGRAPH.CENTER)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    _para(doc, "目　　录", HEADING_FONT, 16, WD_ALIGN_PARAGRAPH.CENTER)
    lines = []
    for n, part in enumerate(book.parts):
        lines.append(f"第{PART_NUMERALS[n]}部分　{part.title}")
        lines += [f"　　{b.text}" for b in part.blocks if b.kind == "h2"]
    _field(_para(doc), 'TOC \\o "1-2" \\h \\z \\u', "\n".join(lines))

    for n, part in enumerate(book.parts):
        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        _heading(doc, f"第{PART_NUMERALS[n]}部分　{part.title}", 1)
        for block in part.blocks:
            if block.kind == "table":
                _table(doc, block.table)
            elif block.kind == "h2":
                _heading(doc, block.text, 2)
            elif block.kind in ("h3", "h4", "h5"):
                _heading(doc, block.text, int(block.kind[1]))
            else:
                _para(doc, block.text, indent=True)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()

"""The handbook as PDF (fpdf2, the CJK fonts of ``response.fonts`` embedded as subsets): a cover, a
table of contents with page numbers, the four parts each from a new page, tables whose header row
repeats on every page they run onto, "— n —" page numbers, A4 portrait."""

from __future__ import annotations

import math

from fpdf import FPDF
from fpdf.enums import WrapMode

from yingji.handbook.model import Block, Handbook
from yingji.response import fonts

MARGIN = 18.0
PAGE_W = 210.0
BLOCK_W = PAGE_W - 2 * MARGIN
BODY_PT = 11.0
TABLE_PT = 9.0
TOC_FIRST_PAGE, TOC_NEXT_PAGES = 34, 36
HEAD_FILL = (226, 232, 240)
PAD = 1.0


class _Page(FPDF):
    def footer(self) -> None:
        if self.page_no() == 1:  # the cover carries no number
            return
        self.set_y(-12)
        self.set_font("body", size=9)
        self.cell(0, 6, text=f"— {self.page_no() - 1} —", align="C")


def _fonts(pdf: FPDF) -> None:
    found = fonts.require()
    pdf.add_font("body", fname=found.regular.path, collection_font_number=found.regular.index)
    pdf.add_font("heading", fname=found.sans.path, collection_font_number=found.sans.index)
    for font in pdf.fonts.values():
        # The subset keeps the whole font's bounding box instead of recomputing it from every
        # glyph's outline: that recomputation was a fifth of a city handbook's time.
        font.ttfont.recalcBBoxes = False


def _toc_entries(book: Handbook) -> int:
    return sum(1 + sum(1 for b in p.blocks if b.kind == "h2") for p in book.parts)


def _toc_pages(book: Handbook) -> int:
    n = _toc_entries(book)  # lines of 7 mm: 35 under the title on the first page, 37 on the next
    return 1 if n <= TOC_FIRST_PAGE else 1 + math.ceil((n - TOC_FIRST_PAGE) / TOC_NEXT_PAGES)


def _render_toc(pdf: FPDF, outline) -> None:
    first = pdf.page
    pdf.set_font("heading", size=16)
    pdf.cell(BLOCK_W, 12, text="目　　录", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    for entry in outline:
        pdf.set_font("heading" if entry.level == 0 else "body", size=11 if entry.level == 0 else 10.5)
        indent = 0 if entry.level == 0 else 8
        number = str(entry.page_number - 1)
        pdf.set_x(MARGIN + indent)
        name = entry.name
        width = BLOCK_W - indent - 14
        while pdf.get_string_width(name) > width - 4 and len(name) > 4:
            name = name[:-2] + "…"
        dots = "·" * max(
            0, int((width - pdf.get_string_width(name)) / max(pdf.get_string_width("·"), 0.1)) - 1
        )
        pdf.cell(width, 7, text=name + dots, link=pdf.add_link(page=entry.page_number))
        pdf.cell(14, 7, text=number, align="R", new_x="LMARGIN", new_y="NEXT")
    # fpdf2 wants exactly the pages reserved: a short contents leaves the rest blank
    while pdf.page < first + pdf.toc_pages_reserved - 1:
        pdf.add_page()


def _cover(pdf: FPDF, book: Handbook) -> None:
    pdf.add_page()
    pdf.set_y(70)
    pdf.set_font("heading", size=26)
    pdf.multi_cell(BLOCK_W, 14, text=book.place_name, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("heading", size=30)
    pdf.multi_cell(BLOCK_W, 16, text="应急管理“三清单一手册”", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_font("body", size=13)
    pdf.multi_cell(
        BLOCK_W,
        8,
        text="指挥体系清单 · 应急队伍清单 · 装备物资清单 · 操作手册",
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_y(220)
    pdf.set_font("body", size=13)
    pdf.cell(BLOCK_W, 9, text=f"数据截至：{book.data_date}", align="C", new_x="LMARGIN", new_y="NEXT")
    if book.masked:
        pdf.set_font("body", size=10)
        pdf.cell(
            BLOCK_W, 8, text="（本版联系电话已按权限作脱敏处理）", align="C", new_x="LMARGIN", new_y="NEXT"
        )


class _Measure:
    """Character widths of one font and size, cached: wrapping thousands of table cells with
    fpdf2's general line breaker (twice per cell, to measure and to draw) was most of a city
    handbook's time; CJK text breaks between any two characters, so a width sum is enough."""

    def __init__(self, pdf: FPDF, family: str, size: float) -> None:
        self.pdf, self.family, self.size = pdf, family, size
        self.cache: dict[str, float] = {}

    def lines(self, text: str, width: float) -> list[str]:
        self.pdf.set_font(self.family, size=self.size)
        cache, out = self.cache, []
        for para in (text or "").split("\n"):
            line, used = [], 0.0
            for ch in para:
                w = cache.get(ch)
                if w is None:
                    w = cache[ch] = self.pdf.get_string_width(ch)
                if used + w > width and line:
                    out.append("".join(line))
                    line, used = [], 0.0
                line.append(ch)
                used += w
            out.append("".join(line))
        return out or [""]


def _row(
    pdf: FPDF,
    cells: list[list[str]],
    widths: list[float],
    aligns: list[str],
    line_h: float,
    measure: _Measure,
    fill: bool,
) -> None:
    height = max(len(c) for c in cells) * line_h + 2 * PAD
    x0, y0 = MARGIN, pdf.get_y()
    pdf.set_font(measure.family, size=measure.size)
    x = x0
    for lines, w, align in zip(cells, widths, aligns, strict=True):
        pdf.rect(x, y0, w, height, style="DF" if fill else "D")
        top = y0 + PAD + (height - 2 * PAD - len(lines) * line_h) / 2
        for k, text in enumerate(lines):
            if not text:
                continue
            tx = x + PAD
            if align == "C":
                tx = x + (w - sum(measure.cache.get(ch, 0) for ch in text)) / 2
            pdf.text(tx, top + (k + 0.78) * line_h, text)
        x += w
    pdf.set_xy(x0, y0 + height)


def _table(pdf: FPDF, block: Block) -> None:
    t = block.table
    total = sum(t.widths)
    widths = [w * BLOCK_W / total for w in t.widths]
    aligns = ["L" if i in t.wide or w / total > 0.2 else "C" for i, w in enumerate(t.widths)]
    line_h = TABLE_PT * 0.3528 * 1.4
    body = _Measure(pdf, "body", TABLE_PT)
    head = _Measure(pdf, "heading", TABLE_PT)
    head_cells = [head.lines(c, w - 2 * PAD) for c, w in zip(t.columns, widths, strict=True)]
    head_h = max(len(c) for c in head_cells) * line_h + 2 * PAD
    bottom = pdf.h - MARGIN
    pdf.set_draw_color(90, 90, 90)
    pdf.set_line_width(0.2)
    pdf.set_fill_color(*HEAD_FILL)
    max_lines = int((bottom - MARGIN - head_h - 2 * PAD) / line_h)

    def header() -> None:
        _row(pdf, head_cells, widths, ["C"] * len(widths), line_h, head, True)

    if pdf.get_y() + head_h + line_h + 2 * PAD > bottom:
        pdf.add_page()
    header()
    for row in t.rows:
        cells = [body.lines(c, w - 2 * PAD)[:max_lines] for c, w in zip(row, widths, strict=True)]
        height = max(len(c) for c in cells) * line_h + 2 * PAD
        if pdf.get_y() + height > bottom:
            pdf.add_page()
            header()  # the header row repeats on every page the table runs onto
        _row(pdf, cells, widths, aligns, line_h, body, False)
    pdf.ln(3)


def render(book: Handbook) -> bytes:
    pdf = _Page(orientation="P", unit="mm", format="A4")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=MARGIN)
    pdf.set_title(book.title)
    pdf.set_creator("Yingji")
    pdf.set_lang("zh-CN")
    _fonts(pdf)
    _cover(pdf, book)
    pdf.add_page()
    pdf.toc_pages_reserved = _toc_pages(book)
    pdf.insert_toc_placeholder(_render_toc, pages=pdf.toc_pages_reserved)
    for n, part in enumerate(book.parts, 1):
        pdf.add_page()
        title = f"第{'一二三四'[n - 1]}部分　{part.title}"
        pdf.start_section(title, level=0)
        pdf.set_font("heading", size=18)
        pdf.cell(BLOCK_W, 14, text=title, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        for block in part.blocks:
            if block.kind == "table":
                _table(pdf, block)
                continue
            if block.kind == "h2":
                if pdf.get_y() > 250:
                    pdf.add_page()
                pdf.start_section(block.text, level=1)
                pdf.set_font("heading", size=14)
                pdf.ln(2)
                pdf.multi_cell(
                    BLOCK_W, 9, text=block.text, wrapmode=WrapMode.CHAR, new_x="LMARGIN", new_y="NEXT"
                )
            elif block.kind in ("h3", "h4", "h5"):
                if pdf.get_y() > 260:
                    pdf.add_page()
                pdf.set_font("heading", size={"h3": 12, "h4": 11.5, "h5": 11}[block.kind])
                pdf.multi_cell(
                    BLOCK_W, 7.5, text=block.text, wrapmode=WrapMode.CHAR, new_x="LMARGIN", new_y="NEXT"
                )
            else:
                pdf.set_font("body", size=BODY_PT)
                pdf.multi_cell(
                    BLOCK_W,
                    6.5,
                    text="\u3000\u3000" + block.text,
                    align="J",
                    wrapmode=WrapMode.CHAR,
                    new_x="LMARGIN",
                    new_y="NEXT",
                )
    return bytes(pdf.output())


def page_count(data: bytes) -> int:
    """Pages of a PDF this module wrote (its /Count), without a PDF library."""
    import re

    counts = [int(m) for m in re.findall(rb"/Type /Pages\s*/Kids \[[^\]]*\]\s*/Count (\d+)", data)]
    if counts:
        return max(counts)
    return len(re.findall(rb"/Type /Page\b", data))

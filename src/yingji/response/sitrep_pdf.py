"""A situation report as PDF in the official layout, with the CJK fonts embedded (subset) by fpdf2,
which embeds OpenType CFF fonts (Noto CJK) as CIDFontType0 — reportlab cannot."""

from __future__ import annotations

from fpdf import FPDF
from fpdf.enums import WrapMode

from yingji.response import fonts
from yingji.response.sitrep_layout import (
    BLOCK_W,
    BODY_PT,
    LINE_MM,
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MARGIN_TOP,
    NUMBER_PT,
    PAGE_NO_PT,
    RED,
    TITLE_PT,
    OfficialDocument,
)

INDENT = "\u3000\u3000"  # first-line indent of two characters


class _Page(FPDF):
    """A4 with the GB/T 9704 margins and "— n —" page numbers, outside corner (odd right, even left)."""

    def footer(self) -> None:
        self.set_y(-(MARGIN_BOTTOM - 7))
        self.set_font("body", size=PAGE_NO_PT)
        self.set_text_color(0, 0, 0)
        n = self.page_no()
        if n % 2:
            self.cell(BLOCK_W, 6, text=f"— {n} —\u3000", align="R")
        else:
            self.cell(BLOCK_W, 6, text=f"\u3000— {n} —", align="L")


def _fonts(pdf: FPDF) -> None:
    found = fonts.require()
    pdf.add_font("body", fname=found.regular.path, collection_font_number=found.regular.index)
    pdf.add_font("title", fname=found.bold.path, collection_font_number=found.bold.index)
    pdf.add_font("heading", fname=found.sans.path, collection_font_number=found.sans.index)


def _masthead_size(text: str) -> float:
    """As large as fits the text block on one line (at most 小初, 36 pt)."""
    per_char_mm = BLOCK_W / max(len(text), 1)
    return min(36.0, per_char_mm / 0.3528 * 0.95)


def render(doc: OfficialDocument) -> bytes:
    """The PDF bytes of the document."""
    pdf = _Page(orientation="P", unit="mm", format="A4")
    pdf.set_margins(MARGIN_LEFT, MARGIN_TOP, MARGIN_RIGHT)
    pdf.set_auto_page_break(True, margin=MARGIN_BOTTOM)
    pdf.set_title(doc.title)
    pdf.set_creator("Yingji")
    pdf.set_lang("zh-CN")
    _fonts(pdf)
    pdf.add_page()
    # 版头: the issuing body's mark in red, the document number, the red rule.
    pdf.set_text_color(*RED)
    size = _masthead_size(doc.masthead)
    pdf.set_font("title", size=size)
    pdf.cell(BLOCK_W, size * 0.3528 * 1.4, text=doc.masthead, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(LINE_MM * 2)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("body", size=NUMBER_PT)
    if doc.signer:
        pdf.cell(BLOCK_W / 2, LINE_MM, text=INDENT[:1] + doc.doc_number, align="L")
        pdf.cell(
            BLOCK_W / 2,
            LINE_MM,
            text=f"签发人：{doc.signer}" + INDENT[:1],
            align="R",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    else:
        pdf.cell(BLOCK_W, LINE_MM, text=doc.doc_number, align="C", new_x="LMARGIN", new_y="NEXT")
    y = pdf.get_y() + 4
    pdf.set_draw_color(*RED)
    pdf.set_line_width(0.6)
    pdf.line(MARGIN_LEFT, y, MARGIN_LEFT + BLOCK_W, y)
    pdf.set_y(y + LINE_MM * 1.5)
    # 标题
    pdf.set_font("title", size=TITLE_PT)
    pdf.multi_cell(
        BLOCK_W,
        TITLE_PT * 0.3528 * 1.6,
        text=doc.title,
        align="C",
        wrapmode=WrapMode.CHAR,
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(LINE_MM * 0.5)
    # 正文
    for section in doc.sections:
        pdf.set_font("heading", size=BODY_PT)
        pdf.multi_cell(
            BLOCK_W,
            LINE_MM,
            text=INDENT + section.heading,
            wrapmode=WrapMode.CHAR,
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.set_font("body", size=BODY_PT)
        for text in section.paragraphs:
            pdf.multi_cell(
                BLOCK_W,
                LINE_MM,
                text=INDENT + text,
                align="J",
                wrapmode=WrapMode.CHAR,
                new_x="LMARGIN",
                new_y="NEXT",
            )
    # 署名 and 成文日期, right-aligned with four characters' room on the right.
    pdf.ln(LINE_MM * 2)
    pdf.set_font("body", size=BODY_PT)
    pad = "\u3000" * 4
    pdf.cell(BLOCK_W, LINE_MM, text=doc.signature + pad, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(BLOCK_W, LINE_MM, text=doc.date + pad, align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())

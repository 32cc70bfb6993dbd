"""The incident statistics as an Excel workbook (openpyxl, write-only): a summary with the 双降
figures, then one sheet per dimension with this period, last year's and the change. Text goes in
through ``org.sheets.text_cell``, so a place or category name can never break the file."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from yingji.core.i18n import gettext
from yingji.org.sheets import cell_value, text_cell
from yingji.response.stats import Figures, Report, Row

HEAD = Font(bold=True, color="FFFFFF")
HEAD_FILL = PatternFill("solid", fgColor="1F4E79")
COLUMNS = (
    ("count", "Incidents"),
    ("deaths", "Deaths"),
    ("missing", "Missing"),
    ("injuries", "Injured"),
    ("direct_loss_cny", "Direct loss (CNY)"),
    ("serious_or_above", "Relatively grave or above"),
)


def _header(ws, first: str) -> None:
    cells = [first]
    for _, label in COLUMNS:
        cells += [gettext(label), gettext("Same period last year"), gettext("Change %")]
    row = []
    for value in cells:
        cell = text_cell(ws, value)
        cell.font, cell.fill = HEAD, HEAD_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        row.append(cell)
    ws.append(row)


def _figures(f: Figures) -> list:
    out: list = []
    for key, _ in COLUMNS:
        out += [f.current[key], f.previous[key], f.change(key)]
    return out


def _sheet(wb: Workbook, title: str, first: str, rows: list[Row]) -> None:
    ws = wb.create_sheet(cell_value(title)[:31])
    ws.column_dimensions["A"].width = 28
    for i in range(2, 2 + 3 * len(COLUMNS)):
        ws.column_dimensions[get_column_letter(i)].width = 12
    ws.freeze_panes = "B2"
    _header(ws, first)
    for row in rows:
        ws.append([text_cell(ws, row.label.strip()), *_figures(row.figures)])


def workbook(report: Report) -> bytes:
    """The .xlsx bytes of a statistics report."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(gettext("Summary")[:31])
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = 30
    t = report.totals
    period = f"{report.current.first_day:%Y-%m-%d} – {report.current.last_day:%Y-%m-%d}"
    before = f"{report.previous.first_day:%Y-%m-%d} – {report.previous.last_day:%Y-%m-%d}"
    lines = [
        (gettext("Place"), report.place_name),
        (gettext("Period"), period),
        (gettext("Same period last year"), before),
        (gettext("Incidents"), t.current["count"]),
        (gettext("Incidents last year"), t.previous["count"]),
        (gettext("Change in incidents %"), t.change("count")),
        (gettext("Deaths"), t.current["deaths"]),
        (gettext("Deaths last year"), t.previous["deaths"]),
        (gettext("Change in deaths %"), t.change("deaths")),
        (gettext("Both down (双降)"), gettext("Yes") if report.double_decline else gettext("No")),
    ]
    for label, value in lines:
        head = text_cell(ws, label)
        head.font = Font(bold=True)
        ws.append([head, text_cell(ws, value) if isinstance(value, str) else value])
    _sheet(wb, gettext("By category"), gettext("Category"), report.by_category)
    _sheet(wb, gettext("By grade"), gettext("Grade"), report.by_grade)
    _sheet(wb, gettext("By place"), gettext("Place"), report.by_place)
    _sheet(wb, gettext("By month"), gettext("Month"), report.by_month)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()

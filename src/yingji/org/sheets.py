"""Reading and writing the Excel sheets government offices exchange (openpyxl).

A sheet kind is a list of columns with Chinese (official) and English headers. Reading returns
the rows with their Excel row numbers; nothing here writes to the database.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from yingji.core.errors import ImportRejected, YingjiError
from yingji.core.i18n import N_
from yingji.core.text import clean
from yingji.org.sheet_limits import MAX_CELLS, MAX_COLUMNS, MAX_ROWS, check_workbook, refuse, rows_only


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    required: bool = False
    width: int = 16


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return clean(str(value)).strip()  # a cell can hold control characters; nothing else may


def _check_dimension(ws) -> None:
    """Refuse a sheet whose declared size is past the limits (openpyxl pads every row it reads to the
    declared width: A1:XFD1048576 makes each row 16,384 cells)."""
    rows, columns = ws.max_row or 0, ws.max_column or 0
    if rows > MAX_ROWS + 1 or columns > MAX_COLUMNS or rows * columns > MAX_CELLS:
        raise refuse(
            N_(
                "The sheet declares {rows} rows × {columns} columns; an import reads at most "
                "{max_rows} rows, {max_columns} columns and {max_cells} cells. Delete the empty rows "
                "and columns after the data."
            ),
            rows=rows,
            columns=columns,
            max_rows=MAX_ROWS,
            max_columns=MAX_COLUMNS,
            max_cells=MAX_CELLS,
        )


def _not_a_workbook() -> ImportRejected:
    message = "The file is not an Excel workbook (.xlsx)."
    return ImportRejected(message, details=[{"row": 0, "column": "", "value": "", "message": message}])


def read(data: bytes, columns: list[Column]) -> list[tuple[int, dict[str, str]]]:
    """Rows of the first sheet as (excel_row_number, {key: text}); header row 1. The workbook is
    checked before it is parsed (``sheet_limits``) and its rows are bounded while they stream."""
    check_workbook(data)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise _not_a_workbook() from None
    try:
        return _rows(wb.worksheets[0], columns)
    except YingjiError:
        raise
    except Exception:  # no sheet, or XML that breaks after a good start: the file, not our bug
        raise _not_a_workbook() from None
    finally:
        wb.close()


def _rows(ws, columns: list[Column]) -> list[tuple[int, dict[str, str]]]:
    _check_dimension(ws)
    ws.reset_dimensions()  # rows as they are, never padded to a declared width
    rows_only(ws)
    rows = ws.iter_rows(values_only=True)
    header = [_text(h) for h in next(rows, ())]
    by_header = {c.zh: c for c in columns} | {c.en.lower(): c for c in columns} | {c.key: c for c in columns}
    index: dict[int, Column] = {}
    for i, h in enumerate(header):
        col = by_header.get(h) or by_header.get(h.lower())
        if col is not None:
            index[i] = col
    missing = [c for c in columns if c.required and c not in index.values()]
    if missing:
        details = [
            {"row": 1, "column": c.zh, "value": "", "message": "The required column is missing."}
            for c in missing
        ]
        raise ImportRejected(details=details, count=len(details))
    out = []
    cells = len(header)
    for rownum, values in enumerate(rows, start=2):
        if rownum > MAX_ROWS + 1:
            raise refuse(N_("The file has more than {limit} rows."), limit=MAX_ROWS)
        cells += len(values)
        if len(values) > MAX_COLUMNS:
            raise refuse(N_("A row has more than {limit} columns."), limit=MAX_COLUMNS)
        if cells > MAX_CELLS:
            raise refuse(N_("The sheet has more than {limit} cells."), limit=MAX_CELLS)
        record = {c.key: "" for c in columns}
        for i, col in index.items():
            if i < len(values):
                record[col.key] = _text(values[i])
        if any(record.values()):
            out.append((rownum, record))
    return out


def write(title: str, columns: list[Column], rows: list[dict], locale: str = "zh_CN") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append([c.en if locale == "en" else c.zh for c in columns])
    head_font = Font(bold=True, color="FFFFFF")
    head_fill = PatternFill("solid", fgColor="B22222")
    for i, col in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font, cell.fill = head_font, head_fill
        cell.alignment = Alignment(horizontal="center")
        ws.column_dimensions[get_column_letter(i)].width = col.width
    for row in rows:
        # Codes and phone numbers stay text: Excel would otherwise turn them into numbers.
        ws.append([_cell(row.get(c.key)) for c in columns])
    for r in ws.iter_rows(min_row=2):
        for cell in r:
            cell.number_format = "@"
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return value

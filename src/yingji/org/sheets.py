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

from yingji.core.errors import ImportRejected

MAX_ROWS = 200_000


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
    return str(value).strip()


def read(data: bytes, columns: list[Column]) -> list[tuple[int, dict[str, str]]]:
    """Rows of the first sheet as (excel_row_number, {key: text}); header row 1."""
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise ImportRejected(
            "The file is not an Excel workbook (.xlsx).",
            details=[
                {"row": 0, "column": "", "value": "", "message": "The file is not an Excel workbook (.xlsx)."}
            ],
        ) from None
    ws = wb.worksheets[0]
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
    for rownum, values in enumerate(rows, start=2):
        if rownum > MAX_ROWS + 1:
            raise ImportRejected(
                "The file has more than {limit} rows.",
                details=[{"row": rownum, "column": "", "value": "", "message": "Too many rows."}],
                limit=MAX_ROWS,
            )
        record = {c.key: "" for c in columns}
        for i, col in index.items():
            if i < len(values):
                record[col.key] = _text(values[i])
        if any(record.values()):
            out.append((rownum, record))
    wb.close()
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

"""Reading and writing the Excel sheets government offices exchange (openpyxl).

A sheet kind is a list of columns with Chinese (official) and English headers. Reading returns
the rows with their Excel row numbers; writing streams rows to a file (write-only mode), so a
whole-city sheet never sits in memory; nothing here writes to the database.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from yingji.core.clock import to_local
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


def _loose(header: str) -> str:
    """A header as typed by hand: spaces and line breaks dropped, ASCII parentheses as full-width."""
    return re.sub(r"\s+", "", header).replace("(", "（").replace(")", "）")


def _rows(ws, columns: list[Column]) -> list[tuple[int, dict[str, str]]]:
    _check_dimension(ws)
    ws.reset_dimensions()  # rows as they are, never padded to a declared width
    rows_only(ws)
    return _rows_of(ws.iter_rows(values_only=True), columns)


def _rows_of(rows, columns: list[Column], first: int = 1) -> list[tuple[int, dict[str, str]]]:
    """The header (row ``first``) matched to the columns, then each row as {key: text}."""
    header = [_text(h) for h in next(rows, ())]
    by_header = {c.zh: c for c in columns} | {c.en.lower(): c for c in columns} | {c.key: c for c in columns}
    by_header |= {_loose(c.zh): c for c in columns}
    index: dict[int, Column] = {}
    for i, h in enumerate(header):
        col = by_header.get(h) or by_header.get(h.lower()) or by_header.get(_loose(h))
        if col is not None:
            index[i] = col
    missing = [c for c in columns if c.required and c not in index.values()]
    if missing:
        details = [
            {"row": first, "column": c.zh, "value": "", "message": "The required column is missing."}
            for c in missing
        ]
        raise ImportRejected(details=details, count=len(details))
    out = []
    cells = len(header)
    for rownum, values in enumerate(rows, start=first + 1):
        if rownum > MAX_ROWS + first:
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


def read_merged(
    data: bytes, columns: list[Column], header_within: int = 6
) -> list[tuple[int, dict[str, str]]]:
    """Rows as ``read`` gives them, for tables as offices make them: the header may sit below a title
    (within the first ``header_within`` rows: the first row naming a required column), and every cell
    of a merged range reads as its top-left value (a task spanning several measure rows). The workbook
    is loaded whole (merges are not visible in openpyxl's streaming mode), after the same checks."""
    check_workbook(data)
    try:
        wb = load_workbook(io.BytesIO(data), data_only=True)
    except Exception:
        raise _not_a_workbook() from None
    try:
        ws = wb.worksheets[0]
        _check_dimension(ws)
        values = [list(r) for r in ws.iter_rows(values_only=True)]
        for rng in ws.merged_cells.ranges:
            top = ws.cell(rng.min_row, rng.min_col).value
            for r in range(rng.min_row, min(rng.max_row, len(values)) + 1):
                row = values[r - 1]
                for c in range(rng.min_col, rng.max_col + 1):
                    if c - 1 < len(row):
                        row[c - 1] = top
    except YingjiError:
        raise
    except Exception:
        raise _not_a_workbook() from None
    finally:
        wb.close()
    required = {c.zh for c in columns if c.required} | {c.en.lower() for c in columns if c.required}
    start = 0
    for i, row in enumerate(values[:header_within]):
        names = {_text(v) for v in row} | {_text(v).lower() for v in row}
        if names & required:
            start = i
            break
    return _rows_of(iter(values[start:]), columns, first=start + 1)


# -- writing ---------------------------------------------------------------------------------
# What Excel cannot hold in a cell: control characters other than tab and line breaks (openpyxl
# refuses them, which made one ``\x01`` in a danger report break the whole export), UTF-16
# surrogates and the two non-characters XML forbids. They are dropped; text is cut at Excel's limit.
_NOT_IN_EXCEL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
CELL_MAX_CHARS = 32_767
HEAD_FONT = Font(bold=True, color="FFFFFF")
HEAD_FILL = PatternFill("solid", fgColor="B22222")


def excel_text(text: str) -> str:
    """``text`` as Excel can hold it: without the characters it refuses, at most 32,767 long."""
    return _NOT_IN_EXCEL.sub("", text)[:CELL_MAX_CHARS]


def cell_value(value):
    """A value as it goes into a cell: text cleaned, lists one item per line, None empty."""
    if value is None:
        return ""
    if isinstance(value, str):
        return excel_text(value)
    if isinstance(value, list | tuple):
        return excel_text("\n".join(str(v) for v in value))
    if isinstance(value, datetime) and value.tzinfo is not None:
        return to_local(value).replace(tzinfo=None)  # Excel has no time zones: local time
    if isinstance(value, bool | int | float | Decimal | datetime | date):
        return value
    return excel_text(str(value))


def text_cell(ws, value) -> WriteOnlyCell:
    """A cell whose text stays text: a value beginning with ``=`` is not turned into a formula (a
    name typed as ``=HYPERLINK(…)`` in the field would otherwise run in the reader's Excel)."""
    cell = WriteOnlyCell(ws, cell_value(value))
    if cell.data_type == "f":
        cell.data_type = "s"
    return cell


def stream(
    out: BinaryIO | str | Path,
    title: str,
    columns: list[Column],
    rows: Iterable[dict],
    locale: str = "zh_CN",
    progress: Callable[[int], None] | None = None,
    every: int = 2_000,
) -> int:
    """Write a sheet from an iterator of rows in openpyxl's write-only mode: each row goes to disk
    as it comes, so memory stays flat whatever the number of rows. Header row 1 (bold, red, frozen),
    every data cell formatted as text ("@") so codes and phone numbers stay as written. Calls
    ``progress(rows written)`` every ``every`` rows; returns the number of rows."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(excel_text(title)[:31] or "Sheet1")
    # Every row we append is a list of prepared cells; openpyxl would first try each one as a value
    # (a ValueError with a formatted message per cell): taking them as they are halves the time.
    ws._values_to_row = _as_cells
    for i, col in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = col.width
    ws.freeze_panes = "A2"
    header = []
    for col in columns:
        cell = text_cell(ws, col.en if locale == "en" else col.zh)
        cell.font, cell.fill = HEAD_FONT, HEAD_FILL
        cell.alignment = Alignment(horizontal="center")
        header.append(cell)
    ws.append(header)
    # One styled cell per column, reused: a write-only sheet writes each row before the next.
    cells = [WriteOnlyCell(ws) for _ in columns]
    for cell in cells:
        cell.number_format = "@"
    keys = [c.key for c in columns]
    n = 0
    for row in rows:
        for cell, key in zip(cells, keys, strict=True):
            cell.value = cell_value(row.get(key))
            if cell.data_type == "f":
                cell.data_type = "s"
        ws.append(cells)
        n += 1
        if progress is not None and n % every == 0:
            progress(n)
    wb.save(out)
    if progress is not None:
        progress(n)
    return n


def _as_cells(cells: list, row_idx: int):
    for col_idx, cell in enumerate(cells, start=1):
        cell.row, cell.column = row_idx, col_idx
        yield cell


def write(title: str, columns: list[Column], rows: Iterable[dict], locale: str = "zh_CN") -> bytes:
    """A sheet as .xlsx bytes (small sheets; large ones go through ``stream`` to a file)."""
    buf = io.BytesIO()
    stream(buf, title, columns, rows, locale)
    return buf.getvalue()

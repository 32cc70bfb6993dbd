"""The streaming writer (openpyxl write-only mode, rows from an iterator) makes the same workbook as
the in-memory writer it replaced: same header, styles, widths, frozen row, values and text format."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from yingji.org import sheets
from yingji.org.exchange.common import PEOPLE, UNITS
from yingji.risk.exchange import COLUMNS as ENTERPRISES


def legacy_write(title, columns, rows, locale="zh_CN") -> bytes:
    """The writer before issue 10, verbatim: the whole sheet as cell objects in memory."""
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
        ws.append([_legacy_cell(row.get(c.key)) for c in columns])
    for r in ws.iter_rows(min_row=2):
        for cell in r:
            cell.number_format = "@"
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _legacy_cell(value):
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return value


def people_rows(n: int) -> list[dict]:
    return [
        {
            "name": f"张{i}",
            "gender": "男" if i % 2 else "",
            "mobile": f"139{i:08d}",
            "office_phone": "0856-5221234" if i % 3 else None,
            "jurisdiction_code": f"5206020020{i % 10:02d}",
            "jurisdiction_name": "北门社区",
            "title": None,
            "unit_code": "000123",
            "post": "值班员",
            "post_role": "member",
            "note": "第一行\n第二行" if i == 3 else "",
        }
        for i in range(n)
    ]


def enterprise_rows(n: int) -> list[dict]:
    return [
        {
            "name": f"企业{i}有限公司",
            "credit_code": "91520602MA6DXXXX0X",
            "employees": i * 7,
            "lon": 109.18 + i / 1000,
            "lat": 27.7,
            "major_hazard_grade": None,
            "jurisdiction_code": "520602002001",
            "principal_phone": "138****0000",
            "enforcement_class": "A" if i % 4 == 0 else None,
        }
        for i in range(n)
    ]


def unit_rows() -> list[dict]:
    return [{"code": "U1", "name": "应急局", "kind": "bureau", "responsibilities": ["防汛", "森林防火"]}]


def snapshot(content: bytes) -> dict:
    ws = load_workbook(io.BytesIO(content)).worksheets[0]
    cells = [_cell(c) for row in ws.iter_rows() for c in row]
    widths = {k: d.width for k, d in ws.column_dimensions.items() if d.width}
    return {
        "title": ws.title,
        "cells": cells,
        "widths": widths,
        "freeze": ws.freeze_panes,
        "size": (ws.max_row, ws.max_column),
    }


def _cell(c) -> tuple:
    colour = c.font.color.rgb if c.font.color else None
    fill = c.fill.fgColor.rgb if c.fill and c.fill.fill_type else None
    return (
        c.coordinate,
        c.value,
        c.data_type,
        c.number_format,
        c.font.b,
        colour,
        fill,
        c.alignment.horizontal,
    )


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
@pytest.mark.parametrize(
    ("title", "columns", "rows"),
    [
        ("人员", PEOPLE, people_rows(25)),
        ("生产经营单位", ENTERPRISES, enterprise_rows(40)),
        ("单位", UNITS, unit_rows()),
        ("空", PEOPLE, []),
    ],
)
def test_the_streaming_writer_makes_the_same_workbook(title, columns, rows, locale):
    old = snapshot(legacy_write(title, columns, rows, locale))
    new = snapshot(sheets.write(title, columns, iter(rows), locale))
    assert new == old


def test_it_writes_an_iterator_to_a_file_reporting_progress(tmp_path):
    seen = []

    def rows():
        for i in range(5_000):
            yield {"name": f"人{i}", "mobile": f"0{i:010d}"}

    path = tmp_path / "big.xlsx"
    n = sheets.stream(path, "人员", PEOPLE, rows(), progress=seen.append, every=1_000)
    assert n == 5_000
    assert seen == [1_000, 2_000, 3_000, 4_000, 5_000, 5_000]
    got = load_workbook(path, read_only=True).worksheets[0]
    values = list(got.iter_rows(min_row=2, values_only=True))
    assert len(values) == 5_000
    assert values[-1][:3] == ("人4999", None, "00000004999")  # the leading zero stays: text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a\x01b\x08c\x0bd\x0ce\x1ff", "abcdef"),
        ("tab\tand\nnew\rline", "tab\tand\nnew\rline"),  # what Excel keeps stays
        ("x\ufffey\uffffz", "xyz"),
        ("\ud800lone", "lone"),
        ("长" * 40_000, "长" * 32_767),
        (["一", "二\x02"], "一\n二"),
        (None, ""),
        (42, 42),
    ],
)
def test_cell_values_are_what_excel_can_hold(value, expected):
    assert sheets.cell_value(value) == expected

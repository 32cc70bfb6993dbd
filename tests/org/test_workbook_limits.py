"""Hostile workbooks are refused before openpyxl parses them, with a 413 naming the limit; what gets
past the zip checks is bounded while the rows stream. The bombs are real (``xlsx_bombs``): deflate
streams that inflate to what their directory says, 100,000 members, a sheet declaring the whole grid.
Some limits are lowered in a test to reach the check behind one that would refuse the file first."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from openpyxl import load_workbook

from tests.factories import xlsx
from tests.org import xlsx_bombs as bombs
from yingji.core.errors import ImportRejected
from yingji.org import sheet_limits, sheets
from yingji.org.sheet_limits import WorkbookTooLarge, check_workbook
from yingji.org.sheets import Column, read

COLUMNS = [Column("name", "姓名", "Name", True), Column("note", "备注", "Note")]
SHEET = "xl/worksheets/sheet1.xml"


def _refusal(data: bytes) -> str:
    with pytest.raises(WorkbookTooLarge) as caught:
        read(data, COLUMNS)
    exc = caught.value
    assert exc.status_code == 413 and exc.code == "workbook_too_large"
    assert exc.details and exc.details[0]["message"] == exc.message
    return str(exc)


def test_the_issues_bomb_is_refused_from_the_zip_directory():
    data = bombs.cells_bomb(224)  # ~700 KB inflating to 224 MB of bare cells
    assert len(data) < 1024 * 1024
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/worksheets/sheet1.xml")
    assert info.file_size > 200 * 1024 * 1024  # a real bomb: the directory tells the truth
    assert _refusal(data) == (
        "Part xl/worksheets/sheet1.xml is compressed more than 100:1; real workbooks are not."
    )


def test_parts_that_inflate_past_the_total_are_refused():
    data = bombs.overlap_bomb(copies=12, megabytes=256)  # one member, twelve directory entries
    assert len(data) < 512 * 1024
    assert sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist()) > 3 * 1024**3
    assert _refusal(data) == "The workbook inflates to more than 256 MB."
    assert _refusal(bombs.strings_bomb(400)) == "The workbook inflates to more than 256 MB."


def test_a_zip_of_100000_members_is_refused_before_it_is_listed():
    data = bombs.many_members(100_000)
    assert sheet_limits.member_count(data) == 100_007
    assert _refusal(data) == "The workbook has more than 1000 parts."


def test_a_sheet_declaring_the_whole_grid_is_refused(monkeypatch):
    """Refused from the directory (ratio) and, behind that, by the declared size."""
    data = bombs.dimension_bomb(150_000)
    assert "compressed more than 100:1" in _refusal(data)
    monkeypatch.setattr(sheet_limits, "MAX_RATIO", 10**6)
    text = _refusal(data)
    assert text.startswith("The sheet declares 1048576 rows × 16384 columns")


def test_parts_openpyxl_loads_whole_are_capped(monkeypatch):
    monkeypatch.setattr(sheet_limits, "MAX_RATIO", 10**6)  # let the size checks speak
    assert _refusal(bombs.styles_bomb(1_000_000)) == "Part xl/styles.xml is larger than 4 MB."
    assert _refusal(bombs.strings_bomb(40)) == "Part xl/sharedStrings.xml is larger than 32 MB."


def test_shared_strings_are_found_under_any_name(monkeypatch):
    """openpyxl finds shared strings through [Content_Types].xml: a renamed part is capped too."""
    monkeypatch.setattr(sheet_limits, "MAX_RATIO", 10**6)
    renamed = bombs.strings_bomb(40, name="words.xml")
    assert _refusal(renamed) == "Part xl/words.xml is larger than 32 MB."


def test_a_sheet_is_counted_as_it_inflates(monkeypatch):
    """A sheet past MAX_PART is streamed through a byte count of its rows and cells."""
    monkeypatch.setattr(sheet_limits, "MAX_RATIO", 10**6)
    assert _refusal(bombs.cells_bomb(100)) == "The sheet has more than 4000000 cells."
    monkeypatch.setattr(sheet_limits, "MAX_PART", 1024)
    many_rows = bombs.workbook(bombs.Repeated(bombs.sheet_head(), b"<row/>" * 10_000, 21, bombs.SHEET_TAIL))
    assert _refusal(many_rows) == "The file has more than 200000 rows."


def test_a_part_of_loose_elements_is_refused(monkeypatch):
    """openpyxl sizes every sheet when it opens a workbook, keeping one object per top-level element
    of a sheet without rows; a crafted workbook can point a sheet at any part."""
    monkeypatch.setattr(sheet_limits, "MAX_RATIO", 10**6)
    junk = bombs.Repeated(b'<?xml version="1.0"?><worksheet>', b"<a/>" * 250_000, 5, b"</worksheet>")
    assert _refusal(bombs.workbook(junk)) == "Part xl/worksheets/sheet1.xml has more than 1000000 elements."


def test_a_bloated_sheet_head_is_refused(monkeypatch):
    monkeypatch.setattr(sheet_limits, "MAX_RATIO", 10**6)
    views = b"<sheetViews>" + b'<sheetView workbookViewId="0"/>' * 200_000 + b"</sheetViews>"
    sheet = (
        b'<?xml version="1.0"?><worksheet xmlns="' + bombs.NS.encode() + b'">' + views * 2 + b"<sheetData>"
    )
    data = bombs.workbook(sheet + bombs.HEADER_ROW + bombs.SHEET_TAIL)
    assert _refusal(data) == "The sheet's settings before its first row are larger than 1 MB."


def test_what_follows_the_rows_is_never_parsed(monkeypatch):
    """Conditional formats, validations and links after the rows are cut off: here they are broken
    (openpyxl raises on an unknown rule type) and the rows still read."""
    monkeypatch.setattr(sheet_limits, "MAX_RATIO", 10**6)
    broken = b'<conditionalFormatting sqref="A1"><cfRule type="nonsense"/></conditionalFormatting>'
    head = bombs.sheet_head("A1:C2") + bombs.HEADER_ROW
    head += '<row r="2"><c r="A2" t="inlineStr"><is><t>张三</t></is></c></row></sheetData>'.encode()
    data = bombs.workbook(bombs.Repeated(head, broken * 1000, 60, b"</worksheet>"))
    assert read(data, COLUMNS) == [(2, {"name": "张三", "note": ""})]


def test_rows_are_bounded_while_they_stream(monkeypatch):
    """Below MAX_PART a sheet is not pre-counted, and a sheet need not declare its size: the rows are
    counted as openpyxl yields them."""
    data = _without_dimension(xlsx(["姓名", "备注"], [[f"人{i}", "x"] for i in range(30)]))
    monkeypatch.setattr(sheets, "MAX_ROWS", 20)
    with pytest.raises(WorkbookTooLarge, match="more than 20 rows"):
        read(data, COLUMNS)
    monkeypatch.setattr(sheets, "MAX_ROWS", 200_000)
    monkeypatch.setattr(sheets, "MAX_CELLS", 40)
    with pytest.raises(WorkbookTooLarge, match="more than 40 cells"):
        read(data, COLUMNS)
    monkeypatch.setattr(sheets, "MAX_CELLS", 4_000_000)
    wide = _without_dimension(xlsx(["姓名", *[f"c{i}" for i in range(300)]], [["人", *range(300)]]))
    with pytest.raises(WorkbookTooLarge, match="more than 256 columns"):
        read(wide, COLUMNS)


def test_a_sheet_that_breaks_after_a_good_start_is_a_refusal_not_a_500():
    good = xlsx(["姓名"], [["张三"]])
    broken = _replace_member(good, SHEET, lambda xml: xml.replace(b"</sheetData>", b"<row>"))
    with pytest.raises(ImportRejected, match="not an Excel workbook"):
        read(broken, COLUMNS)


def test_control_characters_in_cells_are_stripped_on_import():
    """XML cannot carry C0 controls at all (the parser refuses the file), but DEL and the C1 controls
    pass through it; tab and line feed stay."""
    data = xlsx(["姓名", "备注"], [["张\x7f三\x9b", "第一行\n第二行\t(制表)\x85"]])
    assert read(data, COLUMNS) == [(2, {"name": "张三", "note": "第一行\n第二行\t(制表)"})]


def test_an_ordinary_workbook_passes_every_check():
    data = xlsx(["姓名", "备注"], [[f"人{i}", "备注" * 10] for i in range(2000)])
    check_workbook(data)
    assert len(read(data, COLUMNS)) == 2000
    assert load_workbook(io.BytesIO(data)).worksheets[0].max_row == 2001


def _without_dimension(data: bytes) -> bytes:
    return _replace_member(data, SHEET, lambda xml: re.sub(rb"<dimension[^>]*/>", b"", xml))


def _replace_member(data: bytes, name: str, change) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            dst.writestr(info.filename, change(body) if info.filename == name else body)
    return out.getvalue()


class _Trickle(io.BytesIO):
    """A source that hands out a few bytes a read, so that tags fall across reads."""

    def read(self, size: int = -1) -> bytes:
        return super().read(7)


def test_rows_only_ends_after_the_rows_whatever_the_prefix_and_the_reads():
    sheet = (
        b'<?xml version="1.0"?><x:worksheet xmlns:x="' + bombs.NS.encode() + b'"><x:sheetData>'
        b'<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row></x:sheetData >'
        b"<x:conditionalFormatting>broken" * 50
    )
    out = sheet_limits.RowsOnly(_Trickle(sheet)).read()
    assert out.endswith(b"</x:sheetData ></x:worksheet>") and b"conditional" not in out
    rows_only = sheet_limits.RowsOnly(_Trickle(sheet))
    pieces = iter(lambda: rows_only.read(5), b"")  # read as a parser does: a little at a time
    assert b"".join(pieces) == out
    empty = b'<worksheet xmlns="' + bombs.NS.encode() + b'"><sheetData/><hyperlinks>' + b"x" * 5000
    assert sheet_limits.RowsOnly(_Trickle(empty)).read().endswith(b"<sheetData/></worksheet>")

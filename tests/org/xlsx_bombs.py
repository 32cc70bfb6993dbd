"""Hostile .xlsx files, built byte by byte: real deflate streams (so they inflate to what they say),
a zip with 100,000 members, a sheet that declares a huge dimension, parts that explode when parsed.

Used by ``tests/org/test_workbook_limits.py`` and ``bench/hostile_files.py``. A big member is one
deflate block compressed once and repeated: after a full flush the compressor starts afresh, so the
same input gives the same bytes, and a few hundred bytes stand for a megabyte.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"

CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b'<Override PartName="/xl/sharedStrings.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    b'<Override PartName="/xl/styles.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    b"</Types>"
)
ROOT_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL}">'
    f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
).encode()
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{NS}" xmlns:r="{REL}">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
).encode()
WORKBOOK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL}">'
    f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
    f'<Relationship Id="rId3" Type="{REL}/styles" Target="styles.xml"/>'
    "</Relationships>"
).encode()
STYLES = (
    f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{NS}">'
    '<fonts count="1"><font/></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
    '<borders count="1"><border/></borders>'
    '<cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="1"><xf/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
).encode()
EMPTY_STRINGS = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}" count="0"/>'.encode()


class Repeated:
    """``head + body * times + tail`` as a member, deflated without ever building it."""

    def __init__(self, head: bytes, body: bytes, times: int, tail: bytes) -> None:
        self.head, self.body, self.times, self.tail = head, body, times, tail

    @property
    def size(self) -> int:
        return len(self.head) + len(self.body) * self.times + len(self.tail)

    def deflated(self) -> tuple[bytes, int]:
        co = zlib.compressobj(9, zlib.DEFLATED, -15)
        head = co.compress(self.head) + co.flush(zlib.Z_FULL_FLUSH)
        block = co.compress(self.body) + co.flush(zlib.Z_FULL_FLUSH)
        again = co.compress(self.body) + co.flush(zlib.Z_FULL_FLUSH)
        assert block == again  # the trick this class relies on
        stream = head + block * (self.times - 1) + again + co.compress(self.tail) + co.flush()
        crc = zlib.crc32(self.head)
        for _ in range(self.times):
            crc = zlib.crc32(self.body, crc)
        return stream, zlib.crc32(self.tail, crc)


def build_zip(members: dict[str, bytes | Repeated], *, aliases: dict[str, str] | None = None) -> bytes:
    """A zip of ``members`` (deflated); ``aliases`` adds directory entries that point at another
    member's data (the overlapping-entries trick: the directory promises the size again for free)."""
    out = io.BytesIO()
    central = []
    where: dict[str, tuple[int, int, int, int]] = {}
    for name, content in members.items():
        if isinstance(content, Repeated):
            data, crc, size = *content.deflated(), content.size
        else:
            co = zlib.compressobj(9, zlib.DEFLATED, -15)
            data, crc, size = co.compress(content) + co.flush(), zlib.crc32(content), len(content)
        offset = out.tell()
        raw = name.encode()
        out.write(
            struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, len(data), size, len(raw), 0)
        )
        out.write(raw + data)
        where[name] = (offset, crc, len(data), size)
    entries = [(name, where[name]) for name in members]
    entries += [(alias, where[target]) for alias, target in (aliases or {}).items()]
    cd_start = out.tell()
    for name, (offset, crc, csize, size) in entries:
        raw = name.encode()
        central.append(
            struct.pack(
                "<4s6H3L5H2L",
                b"PK\x01\x02",
                20,
                20,
                0,
                8,
                0,
                0x21,
                crc,
                csize,
                size,
                len(raw),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + raw
        )
    out.write(b"".join(central))
    cd_size = out.tell() - cd_start
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), cd_size, cd_start, 0))
    return out.getvalue()


def workbook(
    sheet: bytes | Repeated,
    *,
    strings: bytes | Repeated = EMPTY_STRINGS,
    styles: bytes | Repeated = STYLES,
    strings_name: str = "sharedStrings.xml",
) -> bytes:
    """A minimal workbook around ``sheet`` (the worksheet XML) and ``strings`` (the shared strings,
    as ``xl/<strings_name>``, declared so in the content types and the workbook's relationships)."""
    members: dict[str, bytes | Repeated] = {
        "[Content_Types].xml": CONTENT_TYPES.replace(b"sharedStrings.xml", strings_name.encode()),
        "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": WORKBOOK,
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS.replace(b"sharedStrings.xml", strings_name.encode()),
        "xl/styles.xml": styles,
        f"xl/{strings_name}": strings,
        "xl/worksheets/sheet1.xml": sheet,
    }
    return build_zip(members)


def sheet_head(dimension: str | None = None) -> bytes:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}">{dim}<sheetData>'.encode()


SHEET_TAIL = b"</sheetData></worksheet>"
# The required columns of the residents import (the largest register): rows get past the header.
HEADER_ROW = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>所属区划代码</t></is></c>'
    '<c r="C1" t="inlineStr"><is><t>户号</t></is></c></row>'
).encode()


# -- the bombs ---------------------------------------------------------------------------------
def cells_bomb(megabytes: int = 800) -> bytes:
    """The issue's kind: a sheet of bare numeric cells (no coordinates, one row after another) that
    inflates ~1000:1; openpyxl turns every cell into a Python object."""
    row = b"<row>" + b"<c><v>1</v></c>" * 64 + b"</row>"
    body = row * (1024 * 1024 // len(row))
    return workbook(Repeated(sheet_head() + HEADER_ROW, body, megabytes, SHEET_TAIL))


def dimension_bomb(rows: int = 150_000) -> bytes:
    """A small sheet declaring the whole grid (A1:XFD1048576): openpyxl pads every row it reads to
    16,384 columns."""
    body = b"<row><c><v>1</v></c></row>" * 1000
    return workbook(Repeated(sheet_head("A1:XFD1048576") + HEADER_ROW, body, rows // 1000, SHEET_TAIL))


def strings_bomb(megabytes: int = 400, name: str = "sharedStrings.xml") -> bytes:
    """sharedStrings.xml of millions of one-letter strings: openpyxl loads them all, even read-only."""
    body = b"<si><t>a</t></si>" * (1024 * 1024 // 17)
    head = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}">'.encode()
    tiny = sheet_head("A1:C1") + HEADER_ROW + SHEET_TAIL
    return workbook(tiny, strings=Repeated(head, body, megabytes, b"</sst>"), strings_name=name)


def overlap_bomb(copies: int = 12, megabytes: int = 256) -> bytes:
    """A few hundred KB whose directory promises GBs: many entries share one deflated member."""
    filler = Repeated(b"<x>", b" " * (1024 * 1024), megabytes, b"</x>")
    members = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": WORKBOOK,
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/styles.xml": STYLES,
        "xl/sharedStrings.xml": EMPTY_STRINGS,
        "xl/worksheets/sheet1.xml": sheet_head("A1:C1") + HEADER_ROW + SHEET_TAIL,
        "xl/media/filler0.bin": filler,
    }
    aliases = {f"xl/media/filler{i}.bin": "xl/media/filler0.bin" for i in range(1, copies)}
    return build_zip(members, aliases=aliases)


def styles_bomb(count: int = 1_000_000) -> bytes:
    """styles.xml with a million cell formats: openpyxl parses the whole tree and builds each."""
    head = f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{NS}"><cellXfs>'.encode()
    body = b'<xf numFmtId="0"/>' * 1000
    tail = b"</cellXfs></styleSheet>"
    tiny = sheet_head("A1:C1") + HEADER_ROW + SHEET_TAIL
    return workbook(tiny, styles=Repeated(head, body, count // 1000, tail))


def formatting_bomb(rules: int = 1_000_000) -> bytes:
    """Conditional formats after the rows: openpyxl's read-only reader builds an object for each."""
    rule = (
        b'<conditionalFormatting sqref="A1"><cfRule type="expression" priority="1">'
        b"<formula>1</formula></cfRule></conditionalFormatting>"
    )
    head = (
        sheet_head("A1:C2") + HEADER_ROW + b'<row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c></row>'
    )
    return workbook(Repeated(head + b"</sheetData>", rule * 1000, rules // 1000, b"</worksheet>"))


def many_members(count: int = 100_000) -> bytes:
    """A valid workbook plus ``count`` empty members (zip64 directory past 65,535 entries)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        zf.writestr("xl/styles.xml", STYLES)
        zf.writestr("xl/sharedStrings.xml", EMPTY_STRINGS)
        zf.writestr("xl/worksheets/sheet1.xml", sheet_head("A1:C1") + HEADER_ROW + SHEET_TAIL)
        for i in range(count):
            zf.writestr(f"m/{i}", b"")
    return buf.getvalue()

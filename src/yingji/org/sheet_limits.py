"""What an Excel import reads at most, checked before openpyxl parses anything.

An .xlsx is a zip of XML parts. openpyxl inflates and parses what it is given without limits, even in
read-only mode (shared strings and styles are loaded whole; every sheet's head is parsed to find its
size), so a file of a few hundred KB could ask for minutes of CPU and GBs of memory (an 810 KB
workbook took 199 s and 1.8 GB, holding SQLite's write lock all along). :func:`check_workbook` looks
at the zip directory first (members, inflated sizes, ratios: nothing inflated), then streams the big
parts through a byte-level count of their rows and cells (no XML parse, constant memory), and
refuses with a 413 that names the limit. While the rows stream, ``sheets.read`` bounds them again and
stops at the end of the sheet's data (:class:`RowsOnly`).
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from typing import Any

from lxml import etree

from yingji.core.errors import ImportRejected
from yingji.core.i18n import N_

MB = 1024 * 1024

# The limits, and why each value. openpyxl reads ~50,000 cells a second on one core (measured: a
# 200,000-row × 11-column sheet took 43 s of CPU), so the row and cell limits keep the worst file
# within what the largest legitimate import costs anyway.
MAX_ROWS = 200_000  # a county's residents (the largest register imported) fit
# 200,000 rows × 20 columns: the longest import (residents) has 11 columns, the widest (enterprises, a few
# thousand rows) 20.
MAX_CELLS = 4_000_000
MAX_COLUMNS = 256  # per row; no import sheet is wider than a few dozen columns
MAX_MEMBERS = 1_000  # a workbook has ~10 parts, a few hundred with many sheets and pictures
# Inflated size of all parts: a 200,000-row × 11-column sheet written with inline strings is 126 MB.
MAX_INFLATED = 256 * MB
# Deflated XML shrinks 5–20:1 in real workbooks (that sheet: 10.5:1); a bomb 300–1,000:1. Checked for
# parts of 1 MB and more (a small part cannot hold much, whatever its ratio).
MAX_RATIO = 100
RATIO_FROM = 1 * MB
# Shared strings are loaded whole (~12 µs and ~100 bytes each in openpyxl): 32 MB is ~1.5 million
# strings, half a minute and a few hundred MB at worst; a 200,000-row register needs about 20 MB.
MAX_STRINGS = 32 * MB
# Every other part openpyxl parses whole (styles, workbook, theme, relationships, properties) is a
# few KB in practice; Excel's own limit of 64,000 cell formats is ~4 MB of styles (6 s to parse).
MAX_PART = 4 * MB
# Before its rows a sheet holds its columns, views and formats: KBs in practice, 1 MB even with all
# 16,384 columns described one by one.
MAX_SHEET_HEAD = 1 * MB
# A big part that is not a sheet (pivot caches, charts) is never read by an import, but a crafted
# workbook can point a sheet at it: openpyxl would keep one object per element while sizing it.
MAX_LOOSE_ELEMENTS = 1_000_000

SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
CHUNK = 1 * MB


class WorkbookTooLarge(ImportRejected):
    """The workbook goes past a limit of what an import reads (the message names it)."""

    status_code = 413
    code = "workbook_too_large"


def refuse(message: str, **params: Any) -> WorkbookTooLarge:
    detail = {"row": 0, "column": "", "value": "", "message": message, "params": params}
    return WorkbookTooLarge(message, details=[detail], **params)


def _megabytes(n: int) -> int:
    return max(1, n // MB)


# -- the zip directory --------------------------------------------------------------------------
def member_count(data: bytes) -> int | None:
    """Entries announced by the end-of-central-directory record (zip64 too), read before zipfile
    builds one object per entry; None when there is no such record (not a zip)."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0 or len(data) < end + 22:
        return None
    count = struct.unpack_from("<H", data, end + 10)[0]
    locator = end - 20
    if count == 0xFFFF and locator >= 0 and data[locator : locator + 4] == b"PK\x06\x07":
        offset = struct.unpack_from("<Q", data, locator + 8)[0]
        if data[offset : offset + 4] == b"PK\x06\x06" and len(data) >= offset + 40:
            count = struct.unpack_from("<Q", data, offset + 32)[0]
    return count


# Content types of the parts openpyxl parses whole when it opens a workbook.
_WHOLE_TYPES = (
    ".main+xml",  # the workbook itself (and its template and macro-enabled kinds)
    "styles+xml",
    "theme+xml",
    "externalLink+xml",
    "chartsheet+xml",
    "drawing+xml",
    "chart+xml",
    "core-properties+xml",
    "custom-properties+xml",
)


def _declared_parts(archive: zipfile.ZipFile) -> tuple[set[str], set[str]]:
    """(shared strings parts, parts parsed whole) as [Content_Types].xml declares them: openpyxl finds
    its parts there, whatever they are named."""
    strings, whole = {"xl/sharedStrings.xml"}, set()
    try:
        info = archive.getinfo("[Content_Types].xml")
    except KeyError:
        return strings, whole
    if info.file_size > MAX_PART:
        return strings, whole  # refused by the size check of parts parsed whole
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(archive.read(info), parser)
    except (etree.XMLSyntaxError, zipfile.BadZipFile, zlib.error, ValueError, OSError):
        return strings, whole  # openpyxl will refuse the file itself
    for el in root:
        kind, name = el.get("ContentType") or "", (el.get("PartName") or "").lstrip("/")
        if kind == SHARED_STRINGS_TYPE:
            strings.add(name)
        elif kind.endswith(_WHOLE_TYPES):
            whole.add(name)
    return strings, whole


# -- the big parts, streamed --------------------------------------------------------------------
_TAG = rb"<(?:[A-Za-z_][\w.-]*:)?"
_ROW = re.compile(_TAG + rb"row[\s>/]")
_CELL = re.compile(_TAG + rb"c[\s>/]")
_SHEET_DATA = re.compile(_TAG + rb"sheetData[\s>/]")
_SHEET_DATA_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?sheetData\s*>|" + _TAG + rb"sheetData\s*/>")


class PartCount:
    """Rows, cells and elements of one part, counted over its bytes as they inflate."""

    def __init__(self) -> None:
        self.rows = self.cells = self.elements = 0
        self.sheet_data_at: int | None = None
        self.offset = 0
        self.carry = b""

    def feed(self, chunk: bytes) -> None:
        buf = self.carry + chunk
        # Count up to the last '<': a tag holds one '<' only, so none spans the cut and nothing is
        # counted twice or missed. (Text without '<' for 4 KB: no tag can be cut there.)
        cut = buf.rfind(b"<")
        if cut < 0 or len(buf) - cut > 4096:
            cut = len(buf)
        self._count(buf, cut)
        self.offset += cut
        self.carry = buf[cut:]

    def finish(self) -> None:
        self._count(self.carry, len(self.carry))
        self.carry = b""

    def _count(self, buf: bytes, end: int) -> None:
        self.rows += len(_ROW.findall(buf, 0, end))
        self.cells += len(_CELL.findall(buf, 0, end))
        part = buf[:end] if end < len(buf) else buf
        # Start and empty-element tags: every '<' but those of end tags, declarations and comments.
        self.elements += part.count(b"<") - part.count(b"</") - part.count(b"<?") - part.count(b"<!")
        if self.sheet_data_at is None:
            found = _SHEET_DATA.search(buf, 0, end)
            if found:
                self.sheet_data_at = self.offset + found.start()


# Parts openpyxl parses whole when it opens a workbook (by the names it looks for).
_PARSED_WHOLE = re.compile(
    r"^(\[Content_Types\]\.xml|.*\.rels|xl/workbook\.xml|xl/styles\.xml|xl/theme/.*|docProps/.*"
    r"|xl/externalLinks/.*|xl/chartsheets/.*|xl/charts/.*|xl/drawings/.*)$"
)


def _utf16(head: bytes) -> bool:
    return head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in head[:4]


def _scan(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """A part past MAX_PART (not one openpyxl parses whole: refused before): a sheet must be within
    the row, cell and head limits; another XML part (a pivot cache, a calculation chain) must not hold
    more elements than openpyxl may be asked to size, since a crafted workbook can point a sheet at
    any part; a binary part (a picture) passes."""
    with archive.open(info) as src:
        chunk = src.read(CHUNK)
        head = chunk.lstrip(b"\xef\xbb\xbf \t\r\n")
        if _utf16(head):
            raise refuse(N_("Part {part} is not in UTF-8."), part=info.filename)
        if not head.startswith(b"<"):
            return
        count = PartCount()
        while chunk:
            count.feed(chunk)
            _check_count(count)
            chunk = src.read(CHUNK)
        count.finish()
    _check_count(count)
    if count.sheet_data_at is not None:
        if count.sheet_data_at > MAX_SHEET_HEAD:
            raise refuse(
                N_("The sheet's settings before its first row are larger than {limit} MB."),
                limit=_megabytes(MAX_SHEET_HEAD),
            )
        return
    if count.elements > MAX_LOOSE_ELEMENTS:
        raise refuse(
            N_("Part {part} has more than {limit} elements."), part=info.filename, limit=MAX_LOOSE_ELEMENTS
        )


def _check_count(count: PartCount) -> None:
    if count.rows > MAX_ROWS + 1:
        raise refuse(N_("The file has more than {limit} rows."), limit=MAX_ROWS)
    if count.cells > MAX_CELLS:
        raise refuse(N_("The sheet has more than {limit} cells."), limit=MAX_CELLS)


def check_workbook(data: bytes) -> None:
    """Refuse (:class:`WorkbookTooLarge`, 413) a workbook past any limit above. Whatever is not a zip
    passes: openpyxl refuses it as "not an Excel workbook"."""
    count = member_count(data)
    if count is None:
        return
    if count > MAX_MEMBERS:
        raise refuse(N_("The workbook has more than {limit} parts."), limit=MAX_MEMBERS)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        return
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise refuse(N_("The workbook has more than {limit} parts."), limit=MAX_MEMBERS)
        total = sum(m.file_size for m in members)
        if total > MAX_INFLATED:
            raise refuse(N_("The workbook inflates to more than {limit} MB."), limit=_megabytes(MAX_INFLATED))
        strings, whole = _declared_parts(archive)
        for m in members:
            if m.file_size >= RATIO_FROM and m.file_size > MAX_RATIO * max(1, m.compress_size):
                raise refuse(
                    N_("Part {part} is compressed more than {limit}:1; real workbooks are not."),
                    part=m.filename,
                    limit=MAX_RATIO,
                )
            limit = MAX_STRINGS if m.filename in strings else MAX_PART
            if m.file_size > limit and (m.filename in strings | whole or _PARSED_WHOLE.match(m.filename)):
                raise refuse(
                    N_("Part {part} is larger than {limit} MB."), part=m.filename, limit=_megabytes(limit)
                )
        for m in members:
            if m.file_size > MAX_PART and m.filename not in strings:
                try:
                    _scan(archive, m)
                except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError):
                    continue  # damaged or encrypted: openpyxl fails on it too, if it ever reads it


# -- while the rows stream ----------------------------------------------------------------------
class RowsOnly(io.RawIOBase):
    """A sheet's XML up to the end of its rows, then the closing tag of the root: openpyxl's
    read-only reader otherwise goes on to build an object for every conditional format, validation
    and hyperlink after the rows, which an import never uses."""

    def __init__(self, source) -> None:
        super().__init__()
        self.source = source
        self.buffer = b""  # read from the source; handed out up to ``pos``
        self.pos = 0
        self.head = b""  # the first bytes, until the root tag is known
        self.tail = b""  # the last bytes seen, where an end tag may have begun
        self.root: bytes | None = None
        self.done = False

    def readable(self) -> bool:
        return True

    def _fill(self) -> None:
        chunk = self.source.read(CHUNK)
        if not chunk:
            self.done = True
            return
        if self.root is None and len(self.head) < 4096:
            self.head += chunk[:4096]
            found = re.search(rb"<([A-Za-z_][\w.-]*(?::[\w.-]+)?)[\s>/]", self.head)
            self.root = found.group(1) if found else None
        window = self.tail + chunk
        end = _SHEET_DATA_END.search(window)
        rest = self.buffer[self.pos :]  # once a chunk, not once a read: reads are small
        self.pos = 0
        if end is not None and self.root is not None:
            cut = end.end() - len(self.tail)  # the tag ends in this chunk (else it was found before)
            self.buffer = rest + chunk[:cut] + b"</" + self.root + b">"
            self.done = True
            return
        self.buffer = rest + chunk
        self.tail = window[-64:]

    def read(self, size: int = -1) -> bytes:
        while not self.done and (size < 0 or len(self.buffer) - self.pos < size):
            self._fill()
        end = len(self.buffer) if size < 0 else self.pos + size
        out = self.buffer[self.pos : end]
        self.pos += len(out)
        return out

    def readinto(self, b) -> int:
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self.source.close()
        super().close()


def rows_only(ws) -> None:
    """Make openpyxl's read-only sheet ``ws`` read its rows through :class:`RowsOnly`."""
    opener = ws._get_source  # openpyxl's hook: "parse xml source on demand, must close after use"
    ws._get_source = lambda: RowsOnly(opener())

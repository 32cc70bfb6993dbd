"""What file routes answer, for the OpenAPI description (``responses=`` on the route): such a route
returns bytes, not a pydantic model, so without these ``/api/openapi.json`` would say nothing.

    @router.get("/experts/export", response_class=Response, responses=EXPORT, response_model=None)
"""

from __future__ import annotations

from typing import Any

from yingji.files.schemas import FileJobOut
from yingji.org.params import XLSX

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_BINARY = {"schema": {"type": "string", "format": "binary"}}


def file_answer(description: str, *media_types: str) -> dict[int | str, dict[str, Any]]:
    """A 200 whose body is a file of one of ``media_types`` (for a domain's own kind of file)."""
    return {200: {"description": description, "content": {m: _BINARY for m in media_types}}}


# A spreadsheet, a Word document, a PDF: downloads built in the request.
XLSX_FILE = file_answer("Excel workbook (.xlsx)", XLSX)
DOCX_FILE = file_answer("Word document (.docx)", DOCX_TYPE)
PDF_FILE = file_answer("PDF document", "application/pdf")
# An uploaded photo, clip or document as stored (its own media type).
STORED_FILE = file_answer("The stored file, in its own media type", "application/octet-stream")
# An import answers its counts (the route's response_model) or, for a large file, a file job.
IMPORT_JOB = {202: {"model": FileJobOut, "description": "A file job imports the large file"}}
# An export (files/answers.py export): the workbook, or for many rows a file job that writes it.
EXPORT = XLSX_FILE | {202: {"model": FileJobOut, "description": "A file job writes the large export"}}

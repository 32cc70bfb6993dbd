"""Files people take away (Excel sheets, situation reports): every download is audited.

A download comes from a GET, whose session is read-only and never commits, so the audit row is written
in a transaction of its own before the file is handed over. A file built in the request is answered
from memory (``audited_download``); a large one written by a file job is streamed from disk
(``audited_file``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi.responses import FileResponse, Response

from yingji.auth import audit
from yingji.auth.scope import Principal
from yingji.core.db import Database
from yingji.org.params import XLSX


def audited_download(
    db: Database,
    principal: Principal,
    body: bytes,
    *,
    entity: str,
    filename: str,
    entity_id: Any = None,
    jurisdiction_code: str | None = None,
    media_type: str = XLSX,
    note: str | None = None,
) -> Response:
    """Record the export (who, what, where, how big), then answer with the file as an attachment."""
    _record(db, principal, entity, entity_id, jurisdiction_code, note, len(body))
    return Response(body, media_type=media_type, headers={"Content-Disposition": disposition(filename)})


def audited_file(
    db: Database,
    principal: Principal,
    path: Path,
    *,
    entity: str,
    filename: str,
    entity_id: Any = None,
    jurisdiction_code: str | None = None,
    media_type: str = XLSX,
    note: str | None = None,
) -> Response:
    """The same for a file on disk, streamed in chunks (a whole-city sheet never sits in memory)."""
    _record(db, principal, entity, entity_id, jurisdiction_code, note, path.stat().st_size)
    headers = {"Content-Disposition": disposition(filename)}
    return FileResponse(path, media_type=media_type, headers=headers)


def _record(db, principal, entity, entity_id, jurisdiction_code, note, size: int) -> None:
    with db.writing(principal.as_actor()) as log_session:
        audit.record(
            log_session,
            "export",
            entity,
            entity_id,
            jurisdiction_code=jurisdiction_code or principal.jurisdiction_code,
            note=f"{note + ' ' if note else ''}{size} bytes",
        )


def disposition(filename: str) -> str:
    """RFC 6266: an ASCII fallback and the UTF-8 name, so Chinese names survive every browser."""
    fallback = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"

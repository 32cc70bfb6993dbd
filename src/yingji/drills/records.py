"""The records of a drill: photos (JPEG, PNG, WebP, checked and decoded like incident photos) and
documents (PDF, DOCX, XLSX, recognised by their bytes, not their names), kept by content hash under
``<var>/uploads/drills``; the same file sent twice is one row. Served only to those who see the drill."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal
from yingji.core import clock
from yingji.core.errors import NotFound, PayloadTooLarge, ValidationFailed
from yingji.core.i18n import N_
from yingji.drills import registry
from yingji.drills.models import DrillRecord
from yingji.incidents import photos

DEFAULT_MAX_MB = 20  # settings.extra["drill_record_max_mb"] overrides (never above max_upload_mb)
DOCUMENTS = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
ONLY = N_("Only photos (JPEG, PNG, WebP) and PDF, Word (.docx) or Excel (.xlsx) documents are accepted.")
ONLY = N_("Only photos (JPEG, PNG, WebP) and PDF, Word (.docx) or Excel (.xlsx) documents are accepted.")
OOXML_PART = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}


def _document_kind(data: bytes) -> str | None:
    """pdf, docx or xlsx by content (a ZIP must hold the part that makes it a Word or Excel file)."""
    if data[:5] == b"%PDF-":
        return "pdf" if b"%%EOF" in data[-2048:] else None
    if data[:4] != b"PK\x03\x04":
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    return next((kind for kind, part in OOXML_PART.items() if part in names), None)


def check(data: bytes, max_bytes: int) -> tuple[str, str, str]:
    """(record kind, content type, extension) of an acceptable file; else 413 or 422."""
    if len(data) > max_bytes:
        raise PayloadTooLarge(limit_mb=max(1, max_bytes // (1024 * 1024)))
    if photos.sniff(data) is not None:
        kind, _w, _h = photos.check(data, max_bytes)
        mime, ext = photos.KINDS[kind]
        return "photo", mime, ext
    doc = _document_kind(data)
    if doc is None:
        raise ValidationFailed(
            details=[
                {
                    "field": "file",
                    "message": ONLY,
                }
            ]
        )
    return "document", DOCUMENTS[doc], doc


def dir_of(settings) -> Path:
    return Path(settings.var_dir) / "uploads" / "drills"


def max_bytes_of(settings) -> int:
    mb = min(int(settings.extra.get("drill_record_max_mb", DEFAULT_MAX_MB)), settings.max_upload_mb)
    return mb * 1024 * 1024


def path_of(root: Path, record: DrillRecord) -> Path:
    return root / record.sha256[:2] / f"{record.sha256}.{record.extension}"


def store(
    session: Session,
    principal: Principal,
    drill_id: int,
    data: bytes,
    filename: str | None,
    caption: str | None,
    *,
    root: Path,
    max_bytes: int,
) -> DrillRecord:
    drill = registry.for_update(session, principal, drill_id)
    kind, mime, ext = check(data, max_bytes)
    sha = hashlib.sha256(data).hexdigest()
    existing = session.scalar(
        select(DrillRecord).where(DrillRecord.drill_id == drill.id, DrillRecord.sha256 == sha)
    )
    if existing is not None:
        return existing
    record = DrillRecord(
        drill_id=drill.id,
        kind=kind,
        sha256=sha,
        content_type=mime,
        extension=ext,
        size_bytes=len(data),
        original_name=(filename or "")[:200] or None,
        caption=(caption or "").strip()[:200] or None,
        uploaded_by_user_id=principal.user_id,
        created_at=clock.now(),
        jurisdiction_code=drill.jurisdiction_code,
    )
    session.add(record)
    session.flush()
    path = path_of(root, record)
    if not path.exists():  # written after the row: a refused row leaves no file behind
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    return record


def of_drill(session: Session, drill_id: int) -> list[DrillRecord]:
    return list(
        session.scalars(select(DrillRecord).where(DrillRecord.drill_id == drill_id).order_by(DrillRecord.id))
    )


def get(session: Session, principal: Principal, drill_id: int, record_id: int, root: Path):
    drill = registry.get(session, principal, drill_id)
    record = session.get(DrillRecord, record_id)
    if record is None or record.drill_id != drill.id:
        raise NotFound()
    path = path_of(root, record)
    if not path.is_file():
        raise NotFound()
    return record, path


def to_out(record: DrillRecord) -> dict:
    return {
        "id": record.id,
        "kind": record.kind,
        "content_type": record.content_type,
        "size_bytes": record.size_bytes,
        "original_name": record.original_name,
        "caption": record.caption,
        "created_at": record.created_at,
        "url": f"/api/v1/drills/{record.drill_id}/records/{record.id}",
    }

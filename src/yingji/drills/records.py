"""The records of a drill: photos (JPEG, PNG, WebP, checked and decoded like incident photos) and
documents (PDF, DOCX, XLSX, recognised by their bytes, not their names), kept by content hash under
``<var>/uploads/drills``; the same file sent twice is one row. Served only to those who see the drill."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth import uploads
from yingji.auth.scope import Principal
from yingji.core import clock
from yingji.core.errors import NotFound
from yingji.drills import registry
from yingji.drills.models import DrillRecord

DEFAULT_MAX_MB = 20  # settings.extra["drill_record_max_mb"] overrides (never above max_upload_mb)


def dir_of(settings) -> Path:
    return uploads.folder(settings, "drills")


def max_bytes_of(settings) -> int:
    return uploads.limit(settings, "drill_record_max_mb", DEFAULT_MAX_MB)


def path_of(root: Path, record: DrillRecord) -> Path:
    return uploads.path_of(root, record.sha256, record.extension)


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
    kind, mime, ext = uploads.check(data, max_bytes)
    sha = uploads.digest(data)
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
    uploads.write_once(path_of(root, record), data)  # after the row: a refused row leaves no file behind
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
    return record, uploads.kept(root, record.sha256, record.extension)


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

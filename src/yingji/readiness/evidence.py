"""Evidence files of confirmations and meetings: photos and PDF / Word / Excel documents, checked by
their bytes (``auth.uploads.check``), kept by content hash under
``<var>/uploads/readiness``; served only to those who see the place."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from yingji.auth import uploads
from yingji.auth.scope import Principal, visible
from yingji.core import clock
from yingji.readiness.models import Evidence

DEFAULT_MAX_MB = 20  # YINGJI_READINESS_EVIDENCE_MAX_MB (never above YINGJI_MAX_UPLOAD_MB)


def dir_of(settings) -> Path:
    return uploads.folder(settings, "readiness")


def max_bytes_of(settings) -> int:
    return uploads.limit(settings, "readiness_evidence_max_mb", DEFAULT_MAX_MB)


def path_of(root: Path, row: Evidence) -> Path:
    return uploads.path_of(root, row.sha256, row.extension)


def attach(
    session: Session,
    principal: Principal,
    *,
    code: str,
    data: bytes,
    filename: str | None,
    root: Path,
    max_bytes: int,
    confirmation_id: int | None = None,
    meeting_id: int | None = None,
) -> Evidence:
    """A file for a confirmation or a meeting (the caller checked who may add it); the same file twice
    on the same owner is one row."""
    kind, mime, ext = uploads.check(data, max_bytes)
    sha = uploads.digest(data)
    for row in session.query(Evidence).filter(
        Evidence.sha256 == sha,
        Evidence.confirmation_id.is_(None)
        if confirmation_id is None
        else Evidence.confirmation_id == confirmation_id,
        Evidence.meeting_id.is_(None) if meeting_id is None else Evidence.meeting_id == meeting_id,
    ):
        return row
    row = Evidence(
        confirmation_id=confirmation_id,
        meeting_id=meeting_id,
        jurisdiction_code=code,
        kind=kind,
        sha256=sha,
        content_type=mime,
        extension=ext,
        size_bytes=len(data),
        original_name=(filename or "")[:200] or None,
        uploaded_by=principal.display_name or principal.username,
        created_at=clock.now(),
    )
    session.add(row)
    session.flush()
    uploads.write_once(path_of(root, row), data)  # after the row: a refused row leaves no file behind
    return row


def get(session: Session, principal: Principal, evidence_id: int, root: Path) -> tuple[Evidence, Path]:
    row = visible(principal, session.get(Evidence, evidence_id))
    return row, uploads.kept(root, row.sha256, row.extension)


def out(row: Evidence) -> dict:
    return {
        "id": row.id,
        "kind": row.kind,
        "content_type": row.content_type,
        "size_bytes": row.size_bytes,
        "original_name": row.original_name,
        "uploaded_by": row.uploaded_by,
        "created_at": row.created_at,
        "url": f"/api/v1/readiness/evidence/{row.id}",
    }

"""Evidence files of confirmations and meetings: photos and PDF / Word / Excel documents, checked by
their bytes with the drills' records check (``drills.records.check``), kept by content hash under
``<var>/uploads/readiness``; served only to those who see the place."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from sqlalchemy.orm import Session

from yingji.auth.scope import Principal, visible
from yingji.core import clock
from yingji.core.errors import NotFound
from yingji.drills import records
from yingji.readiness.models import Evidence

DEFAULT_MAX_MB = 20  # YINGJI_READINESS_EVIDENCE_MAX_MB (never above YINGJI_MAX_UPLOAD_MB)


def dir_of(settings) -> Path:
    return Path(settings.var_dir) / "uploads" / "readiness"


def max_bytes_of(settings) -> int:
    mb = min(int(settings.extra.get("readiness_evidence_max_mb", DEFAULT_MAX_MB)), settings.max_upload_mb)
    return mb * 1024 * 1024


def path_of(root: Path, row: Evidence) -> Path:
    return root / row.sha256[:2] / f"{row.sha256}.{row.extension}"


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
    kind, mime, ext = records.check(data, max_bytes)
    sha = hashlib.sha256(data).hexdigest()
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
    path = path_of(root, row)
    if not path.exists():  # written after the row: a refused row leaves no file behind
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    return row


def get(session: Session, principal: Principal, evidence_id: int, root: Path) -> tuple[Evidence, Path]:
    row = visible(principal, session.get(Evidence, evidence_id))
    path = path_of(root, row)
    if not path.is_file():
        raise NotFound()
    return row, path


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

"""Incident photos: JPEG, PNG or WebP, recognised by their magic bytes and decoded with Pillow, no
larger than the configured size; stored under ``<var>/uploads`` by content hash (the same photo
sent twice is one file and one row) and served only to users who can see the incident."""

from __future__ import annotations

import hashlib
import io
import os
import warnings
from pathlib import Path

from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, visible, writable
from yingji.core import clock
from yingji.core.errors import NotFound, PayloadTooLarge, ValidationFailed
from yingji.core.i18n import N_
from yingji.incidents import timeline
from yingji.incidents.deadlines import zh
from yingji.incidents.models import Incident, IncidentPhoto

DEFAULT_MAX_MB = 10  # settings.extra["photo_max_mb"] overrides
MAX_PIXELS = 60_000_000  # a decompression bomb is refused before it is decoded
KINDS = {"jpeg": ("image/jpeg", "jpg"), "png": ("image/png", "png"), "webp": ("image/webp", "webp")}


def sniff(data: bytes) -> str | None:
    """The image kind by its first bytes, or None."""
    if data[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def check(data: bytes, max_bytes: int) -> tuple[str, int, int]:
    """(kind, width, height) of an acceptable photo; else PayloadTooLarge or ValidationFailed."""
    if len(data) > max_bytes:
        raise PayloadTooLarge(limit_mb=max(1, max_bytes // (1024 * 1024)))
    kind = sniff(data)
    if kind is None:
        raise ValidationFailed(
            details=[{"field": "photo", "message": "Only JPEG, PNG or WebP photos are accepted."}]
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                if img.format is None or img.format.lower() != kind:
                    raise ValueError("format mismatch")
                width, height = img.size
                if width * height > MAX_PIXELS:
                    raise ValueError("too many pixels")
                img.load()  # decodes: a truncated or forged file fails here
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationFailed(
            details=[{"field": "photo", "message": "This file is not a readable photo."}]
        ) from None
    return kind, width, height


def path_of(upload_dir: Path, sha256: str, kind: str) -> Path:
    return upload_dir / sha256[:2] / f"{sha256}.{KINDS[kind][1]}"


def _write_once(path: Path, data: bytes) -> None:
    """Write a content-addressed file once."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def keep(upload_dir: Path, data: bytes, max_bytes: int) -> tuple[str, str, int, int]:
    """Check a photo and keep its file by content hash: (kind, sha256, width, height). For other
    domains' photos (aid's rebuilding cases), which keep their own rows."""
    kind, width, height = check(data, max_bytes)
    sha = hashlib.sha256(data).hexdigest()
    _write_once(path_of(upload_dir, sha, kind), data)
    return kind, sha, width, height


def stored_file(upload_dir: Path, sha256: str, content_type: str) -> Path:
    """The kept file of a photo row (any domain's), found from its hash and media type; 404 when the
    file is gone."""
    kind = next((k for k, (mime, _ext) in KINDS.items() if mime == content_type), None)
    path = path_of(upload_dir, sha256, kind) if kind else None
    if path is None or not path.is_file():
        raise NotFound()
    return path


def store(
    session: Session,
    principal: Principal,
    incident: Incident,
    data: bytes,
    filename: str | None,
    *,
    upload_dir: Path,
    max_bytes: int,
    report_id: int | None = None,
) -> IncidentPhoto:
    """Check and keep a photo of ``incident`` (already visible to the principal)."""
    writable(principal, incident.jurisdiction_code, Perm.INCIDENT_REPORT)
    kind, width, height = check(data, max_bytes)
    sha = hashlib.sha256(data).hexdigest()
    existing = session.scalar(
        select(IncidentPhoto).where(IncidentPhoto.incident_id == incident.id, IncidentPhoto.sha256 == sha)
    )
    if existing is not None:
        return existing
    _write_once(path_of(upload_dir, sha, kind), data)
    photo = IncidentPhoto(
        incident_id=incident.id,
        report_id=report_id,
        jurisdiction_code=incident.jurisdiction_code,
        sha256=sha,
        content_type=KINDS[kind][0],
        size_bytes=len(data),
        width=width,
        height=height,
        original_name=(filename or "")[:200] or None,
        uploaded_by_user_id=principal.user_id,
        created_at=clock.now(),
    )
    session.add(photo)
    session.flush()
    timeline.record(
        session,
        incident,
        "photo",
        zh(N_("Photo added ({width}×{height})."), width=width, height=height),
        {"photo_id": photo.id},
    )
    return photo


def photos_of(session: Session, incident_id: int) -> list[IncidentPhoto]:
    return list(
        session.scalars(
            select(IncidentPhoto).where(IncidentPhoto.incident_id == incident_id).order_by(IncidentPhoto.id)
        )
    )


def get(
    session: Session, principal: Principal, incident_id: int, photo_id: int, upload_dir: Path
) -> tuple[IncidentPhoto, Path]:
    """A photo and its file, only for users who can see the incident (404 otherwise)."""
    photo = session.get(IncidentPhoto, photo_id)
    if photo is None or photo.incident_id != incident_id:
        raise NotFound()
    visible(principal, photo)
    kind = next(k for k, (mime, _ext) in KINDS.items() if mime == photo.content_type)
    path = path_of(upload_dir, photo.sha256, kind)
    if not path.is_file():
        raise NotFound()
    return photo, path


def upload_dir_of(settings) -> Path:
    return Path(settings.var_dir) / "uploads"


def max_bytes_of(settings) -> int:
    return int(settings.extra.get("photo_max_mb", min(DEFAULT_MAX_MB, settings.max_upload_mb))) * 1024 * 1024

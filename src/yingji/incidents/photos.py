"""Incident photos: JPEG, PNG or WebP, recognised by their magic bytes and decoded with Pillow, no
larger than the configured size; stored under ``<var>/uploads`` by content hash (the same photo
sent twice is one file and one row) and served only to users who can see the incident."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth import uploads
from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, visible, writable
from yingji.core import clock
from yingji.core.errors import NotFound
from yingji.core.i18n import N_
from yingji.incidents import timeline
from yingji.incidents.deadlines import zh
from yingji.incidents.models import Incident, IncidentPhoto

DEFAULT_MAX_MB = 10  # settings.extra["photo_max_mb"] overrides
KINDS = uploads.PHOTOS
sniff = uploads.sniff_photo  # the photo rules live in auth.uploads, for every domain's photos
check = uploads.check_photo


def path_of(upload_dir: Path, sha256: str, kind: str) -> Path:
    return uploads.path_of(upload_dir, sha256, KINDS[kind][1])


def keep(upload_dir: Path, data: bytes, max_bytes: int) -> tuple[str, str, int, int]:
    """Check a photo and keep its file by content hash: (kind, sha256, width, height). For other
    domains' photos (aid's rebuilding cases), which keep their own rows."""
    kind, width, height = check(data, max_bytes)
    return kind, uploads.keep(upload_dir, data, KINDS[kind][1]), width, height


def stored_file(upload_dir: Path, sha256: str, content_type: str) -> Path:
    """The kept file of a photo row (any domain's), found from its hash and media type; 404 when the
    file is gone."""
    return uploads.kept_photo(upload_dir, sha256, content_type)


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
    sha = uploads.digest(data)
    existing = session.scalar(
        select(IncidentPhoto).where(IncidentPhoto.incident_id == incident.id, IncidentPhoto.sha256 == sha)
    )
    if existing is not None:
        return existing
    uploads.write_once(path_of(upload_dir, sha, kind), data)
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
    return photo, uploads.kept_photo(upload_dir, photo.sha256, photo.content_type)


def upload_dir_of(settings) -> Path:
    return uploads.folder(settings)


def max_bytes_of(settings) -> int:
    return int(settings.extra.get("photo_max_mb", min(DEFAULT_MAX_MB, settings.max_upload_mb))) * 1024 * 1024

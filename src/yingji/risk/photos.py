"""Photos of hidden dangers, before (发现时) and after (整改后) rectification. A photo is checked by
its magic bytes and decoded with Pillow (``incidents.photos.check``: one rule for every upload),
stored once by content hash under ``<var>/uploads/risk`` and served only to users who can see the
danger."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth import uploads
from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, visible, writable
from yingji.core import clock
from yingji.core.errors import NotFound, ValidationFailed
from yingji.incidents.photos import KINDS, check, max_bytes_of
from yingji.risk.danger_models import Danger, DangerPhoto
from yingji.risk.danger_models import DangerStatus as S
from yingji.risk.dangers import log

STAGES_OPEN = {
    "before": (S.FOUND, S.REGISTERED, S.GRADED, S.RECTIFYING),
    "after": (S.RECTIFYING, S.REVIEWING),
}
MAX_PER_DANGER = 20


def folder(settings) -> Path:
    """Where dual-prevention photos are kept."""
    return uploads.folder(settings, "risk")


def path_of(base: Path, sha256: str, content_type: str) -> Path:
    """The file of a photo, by its hash and type."""
    ext = next(ext for mime, ext in KINDS.values() if mime == content_type)
    return uploads.path_of(base, sha256, ext)


def checked(data: bytes, settings) -> tuple[str, int, int]:
    """(content type, width, height) of an acceptable photo, else a 413 or 422."""
    kind, width, height = check(data, max_bytes_of(settings))
    return KINDS[kind][0], width, height


def keep(
    session: Session,
    principal: Principal | None,
    danger: Danger,
    stage: str,
    data: bytes,
    settings,
    *,
    actor: str | None = None,
) -> DangerPhoto:
    """Keep a photo of ``danger``; the same photo twice is one row. ``principal`` None is the public
    tip-off (the danger was just created by it)."""
    if principal is not None:
        writable(principal, danger.jurisdiction_code, Perm.DANGER_REPORT)
    if stage not in STAGES_OPEN:
        raise ValidationFailed(
            details=[{"field": "stage", "message": "Say whether the photo is before or after."}]
        )
    if danger.status not in STAGES_OPEN[stage]:
        raise ValidationFailed(
            details=[{"field": "stage", "message": "Photos of this kind cannot be added at this step."}]
        )
    content_type, width, height = checked(data, settings)
    sha = uploads.digest(data)
    existing = session.scalar(
        select(DangerPhoto).where(DangerPhoto.danger_id == danger.id, DangerPhoto.sha256 == sha)
    )
    if existing is not None:
        return existing
    count = session.scalar(
        select(DangerPhoto.id).where(DangerPhoto.danger_id == danger.id).limit(1).offset(MAX_PER_DANGER - 1)
    )
    if count is not None:
        raise ValidationFailed(
            details=[{"field": "photo", "message": "This hidden danger has enough photos."}]
        )
    uploads.write_once(path_of(folder(settings), sha, content_type), data)
    photo = DangerPhoto(
        danger_id=danger.id,
        jurisdiction_code=danger.jurisdiction_code,
        stage=stage,
        sha256=sha,
        content_type=content_type,
        size_bytes=len(data),
        width=width,
        height=height,
        uploaded_by_user_id=principal.user_id if principal else None,
        created_at=clock.now(),
    )
    session.add(photo)
    session.flush()
    log(session, danger, "photo", danger.status, danger.status, principal, data={"stage": stage}, actor=actor)
    return photo


def get(
    session: Session, principal: Principal, danger_id: int, photo_id: int, settings
) -> tuple[DangerPhoto, Path]:
    """A photo and its file, for those who can see the danger (404 otherwise)."""
    photo = session.get(DangerPhoto, photo_id)
    if photo is None or photo.danger_id != danger_id:
        raise NotFound()
    visible(principal, photo)
    return photo, uploads.kept_photo(folder(settings), photo.sha256, photo.content_type)

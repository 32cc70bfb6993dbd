"""Photos of a damage report (≥ 3 with a county or city report when a response was launched): the
incident photos' checks and content-hash store (``incidents.photos``), rows in ``damage_photos``."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, writable
from yingji.core import clock
from yingji.damage.models import DamagePhoto, DamageReport
from yingji.incidents import photos as shared


def store(
    session: Session,
    principal: Principal,
    report: DamageReport,
    data: bytes,
    caption: str | None,
    *,
    upload_dir: Path,
    max_bytes: int,
) -> DamagePhoto:
    writable(principal, report.jurisdiction_code, Perm.DAMAGE_REPORT)
    kind, sha, _w, _h = shared.keep(upload_dir, data, max_bytes)
    existing = session.scalar(
        select(DamagePhoto).where(DamagePhoto.report_id == report.id, DamagePhoto.sha256 == sha)
    )
    if existing is not None:
        return existing
    photo = DamagePhoto(
        report_id=report.id,
        jurisdiction_code=report.jurisdiction_code,
        sha256=sha,
        content_type=shared.KINDS[kind][0],
        size_bytes=len(data),
        caption=(caption or "")[:200] or None,
        uploaded_by=principal.user_id,
        created_at=clock.now(),
    )
    session.add(photo)
    session.flush()
    return photo


def of_report(session: Session, report_id: int) -> list[DamagePhoto]:
    return list(
        session.scalars(
            select(DamagePhoto).where(DamagePhoto.report_id == report_id).order_by(DamagePhoto.id)
        )
    )


def file_of(photo: DamagePhoto, upload_dir: Path) -> Path:
    return shared.stored_file(upload_dir, photo.sha256, photo.content_type)

"""Photos of a rebuilding case (damage, building progress, acceptance): checked and kept by content
hash through ``incidents.photos`` (one photo store for the whole product), a row per case and hash."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.aid import rebuild
from yingji.aid.access import check_step
from yingji.aid.models import RebuildPhoto
from yingji.auth.scope import Principal, visible
from yingji.core.errors import NotFound
from yingji.incidents import photos as store

MIME = {kind: mime for kind, (mime, _ext) in store.KINDS.items()}


def add(
    session: Session,
    principal: Principal,
    case_id: int,
    data: bytes,
    caption: str | None,
    *,
    upload_dir: Path,
    max_bytes: int,
) -> RebuildPhoto:
    case = rebuild.get(session, principal, case_id)
    check_step(principal, case.jurisdiction_code, "village")
    kind, sha, _w, _h = store.keep(upload_dir, data, max_bytes)
    found = session.scalar(
        select(RebuildPhoto).where(RebuildPhoto.case_id == case.id, RebuildPhoto.sha256 == sha)
    )
    if found is not None:
        return found
    photo = RebuildPhoto(
        case_id=case.id,
        step=case.state,
        sha256=sha,
        content_type=MIME[kind],
        size_bytes=len(data),
        caption=(caption or "")[:200] or None,
        uploaded_by=principal.user_id,
        jurisdiction_code=case.jurisdiction_code,
    )
    session.add(photo)
    session.flush()
    return photo


def of_case(session: Session, case_id: int) -> list[RebuildPhoto]:
    return list(
        session.scalars(select(RebuildPhoto).where(RebuildPhoto.case_id == case_id).order_by(RebuildPhoto.id))
    )


def file_of(session: Session, principal: Principal, case_id: int, photo_id: int, upload_dir: Path):
    photo = session.get(RebuildPhoto, photo_id)
    if photo is None or photo.case_id != case_id:
        raise NotFound()
    visible(principal, photo)
    return photo, store.stored_file(upload_dir, photo.sha256, photo.content_type)


def outs(photos: list[RebuildPhoto]) -> list[dict]:
    return [
        {
            "id": p.id,
            "step": p.step,
            "sha256": p.sha256,
            "content_type": p.content_type,
            "size_bytes": p.size_bytes,
            "caption": p.caption,
            "url": f"/api/v1/aid/rebuild/{p.case_id}/photos/{p.id}",
        }
        for p in photos
    ]

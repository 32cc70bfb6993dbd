"""视频联报: clips recorded at the scene, uploaded to an incident resumably.

The phone announces a clip (its own key, size, type) and gets an upload; it sends chunks with the
offset each starts at, and the server answers how much it holds. After a dropped connection the
phone asks, and resumes from there. A chunk the server already has is acknowledged without being
written again (idempotent); one that starts past the held bytes is a 409 that says where to resume.
The bytes land at their offset in a partial file (``pwrite``), so a chunk whose transaction rolled
back is simply written again. With the last byte the file is checked (WebM or MP4 by its first
bytes), kept by content hash under ``<var>/uploads/video`` like photos, recorded on the incident's
timeline, and the clip row is audited.
"""

from __future__ import annotations

import hashlib
import os
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth import audit
from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, visible, writable
from yingji.core import clock
from yingji.core.errors import Conflict, NotFound, PayloadTooLarge, ValidationFailed
from yingji.core.i18n import N_
from yingji.incidents import timeline
from yingji.incidents.deadlines import zh
from yingji.incidents.models import Incident
from yingji.video.codes import UPLOAD_MOVES, UploadState
from yingji.video.models import Clip, ClipUpload
from yingji.video.schemas import UploadIn

DEFAULT_MAX_MB = 100  # settings.extra["video_clip_max_mb"] overrides
CHUNK_MAX = 4 * 1024 * 1024  # one request's chunk at most
ABANDONED_HOURS = 72  # an upload left open this long is forgotten (video.expire_uploads)
KINDS = {"video/webm": "webm", "video/mp4": "mp4", "video/quicktime": "mov"}


def base_type(content_type: str) -> str:
    """``video/webm;codecs=vp8,opus`` → ``video/webm``."""
    return content_type.split(";", 1)[0].strip().lower()


def sniff(head: bytes) -> str | None:
    """The container by its first bytes: Matroska/WebM (EBML) or ISO media (MP4, QuickTime)."""
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "video/webm"
    if head[4:8] == b"ftyp":
        return "video/quicktime" if head[8:12] == b"qt  " else "video/mp4"
    return None


def _same_family(declared: str, found: str | None) -> bool:
    iso = {"video/mp4", "video/quicktime"}
    return found is not None and (declared == found or (declared in iso and found in iso))


def max_bytes_of(settings) -> int:
    return int((settings.extra or {}).get("video_clip_max_mb", DEFAULT_MAX_MB)) * 1024 * 1024


def dir_of(settings) -> Path:
    return Path(settings.var_dir) / "uploads" / "video"


def _partial(root: Path, upload: ClipUpload) -> Path:
    return root / "partial" / f"{upload.id}.part"


def _final(root: Path, sha: str, content_type: str) -> Path:
    return root / sha[:2] / f"{sha}.{KINDS[content_type]}"


def start(
    session: Session, principal: Principal, incident: Incident, data: UploadIn, max_bytes: int
) -> ClipUpload:
    """Open an upload for a clip of ``incident`` (visible to the principal), or the one already open
    under the phone's key."""
    writable(principal, incident.jurisdiction_code, Perm.INCIDENT_REPORT)
    kind = base_type(data.content_type)
    if kind not in KINDS:
        raise ValidationFailed(
            details=[{"field": "content_type", "message": "Only WebM or MP4 video is accepted."}]
        )
    if data.size_bytes > max_bytes:
        raise PayloadTooLarge(limit_mb=max(1, max_bytes // (1024 * 1024)))
    existing = session.scalar(
        select(ClipUpload).where(
            ClipUpload.uploaded_by_user_id == principal.user_id, ClipUpload.client_key == data.client_key
        )
    )
    if existing is not None:
        if existing.incident_id != incident.id or existing.size_bytes != data.size_bytes:
            raise Conflict("This upload key is already used for another clip.")
        return existing
    upload = ClipUpload(
        incident_id=incident.id,
        jurisdiction_code=incident.jurisdiction_code,
        client_key=data.client_key,
        uploaded_by_user_id=principal.user_id,
        content_type=kind,
        size_bytes=data.size_bytes,
        received=0,
        state=UploadState.OPEN.value,
        original_name=(data.filename or "")[:200] or None,
    )
    session.add(upload)
    session.flush()
    audit.record(
        session,
        "upload_start",
        "video_clip_uploads",
        upload.id,
        jurisdiction_code=incident.jurisdiction_code,
        after={"incident_id": incident.id, "size_bytes": data.size_bytes, "content_type": kind},
    )
    return upload


def get_upload(session: Session, principal: Principal, upload_id: int, *, lock: bool = False) -> ClipUpload:
    """An upload of the principal's own (404 for anyone else's)."""
    options = {"with_for_update": True, "populate_existing": True} if lock else {}
    upload = session.get(ClipUpload, upload_id, **options)
    if upload is None or upload.uploaded_by_user_id != principal.user_id:
        raise NotFound()
    return visible(principal, upload)


def append(
    session: Session, principal: Principal, upload_id: int, offset: int, data: bytes, root: Path
) -> ClipUpload:
    """Take the chunk that starts at ``offset``; the answer's ``received`` is where the next starts."""
    upload = get_upload(session, principal, upload_id, lock=True)
    if upload.state == UploadState.DONE.value:
        return upload  # a repeated last chunk: already complete
    writable(principal, upload.jurisdiction_code, Perm.INCIDENT_REPORT)
    if offset < 0 or offset > upload.received:
        raise Conflict(
            "The server holds {offset} bytes of this clip; send from there.",
            details=[{"field": "offset", "message": "Resume from the offset the server holds."}],
            offset=upload.received,
        )
    end = offset + len(data)
    if end > upload.size_bytes:
        raise ValidationFailed(
            details=[{"field": "offset", "message": "The chunk goes past the announced size."}]
        )
    if end <= upload.received:
        return upload  # a chunk sent twice: nothing to write
    if offset == 0 and not _same_family(upload.content_type, sniff(data[:16])):
        raise ValidationFailed(
            details=[{"field": "content_type", "message": "This file is not a WebM or MP4 video."}]
        )
    path = _partial(root, upload)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        os.pwrite(fd, data[upload.received - offset :], upload.received)
        os.ftruncate(fd, end)
    finally:
        os.close(fd)
    upload.received = end
    if end == upload.size_bytes:
        _finish(session, principal, upload, path, root)
    session.flush()
    return upload


def _finish(session: Session, principal: Principal, upload: ClipUpload, path: Path, root: Path) -> None:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        head = f.read(16)
        f.seek(0)
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    if not _same_family(upload.content_type, sniff(head)):
        raise ValidationFailed(
            details=[{"field": "content_type", "message": "This file is not a WebM or MP4 video."}]
        )
    sha = digest.hexdigest()
    final = _final(root, sha, upload.content_type)
    final.parent.mkdir(parents=True, exist_ok=True)
    if final.exists():
        path.unlink(missing_ok=True)
    else:
        os.replace(path, final)
    incident = session.get(Incident, upload.incident_id)
    clip = session.scalar(select(Clip).where(Clip.incident_id == upload.incident_id, Clip.sha256 == sha))
    if clip is None:
        clip = Clip(
            incident_id=upload.incident_id,
            jurisdiction_code=upload.jurisdiction_code,
            sha256=sha,
            content_type=upload.content_type,
            size_bytes=upload.size_bytes,
            original_name=upload.original_name,
            uploaded_by_user_id=principal.user_id,
            created_at=clock.now(),
        )
        session.add(clip)
        session.flush()
        mb = f"{upload.size_bytes / (1024 * 1024):.1f}"
        timeline.record(
            session, incident, "video", zh(N_("Video clip added ({mb} MB)."), mb=mb), {"clip_id": clip.id}
        )
    if UploadState.DONE not in UPLOAD_MOVES[UploadState(upload.state)]:
        raise Conflict("This upload is already complete.")
    upload.state = UploadState.DONE.value
    upload.clip_id = clip.id


def clips_of(session: Session, incident_id: int) -> list[Clip]:
    return list(session.scalars(select(Clip).where(Clip.incident_id == incident_id).order_by(Clip.id)))


def get_clip(
    session: Session, principal: Principal, incident_id: int, clip_id: int, root: Path
) -> tuple[Clip, Path]:
    """A clip and its file, only for users who can see the incident (404 otherwise)."""
    clip = session.get(Clip, clip_id)
    if clip is None or clip.incident_id != incident_id:
        raise NotFound()
    visible(principal, clip)
    path = _final(root, clip.sha256, clip.content_type)
    if not path.is_file():
        raise NotFound()
    return clip, path


def expire(session: Session, root: Path, older_than_hours: int = ABANDONED_HOURS) -> int:
    """Forget uploads left open longer than ``older_than_hours`` (the phone gave up) and delete their
    partial files; returns how many."""
    cutoff = clock.now() - timedelta(hours=older_than_hours)
    stale = list(
        session.scalars(
            select(ClipUpload)
            .where(ClipUpload.state == UploadState.OPEN.value, ClipUpload.updated_at < cutoff)
            .limit(1000)
        )
    )
    for upload in stale:
        _partial(root, upload).unlink(missing_ok=True)
        session.delete(upload)
    if stale:
        audit.record(session, "expire", "video_clip_uploads", None, after={"uploads": len(stale)})
    session.flush()
    return len(stale)

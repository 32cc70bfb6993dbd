"""Evidence files of hand scores and vetoes: photos or PDF / Word / Excel documents, checked by their
bytes the way drill records are (``auth.uploads.check``), kept by content hash under
``<var>/uploads/assessment`` and served only to those who see the scheme."""

from __future__ import annotations

from pathlib import Path

from yingji.auth import uploads

DEFAULT_MAX_MB = 20


def dir_of(settings) -> Path:
    return uploads.folder(settings, "assessment")


def max_bytes_of(settings) -> int:
    return min(DEFAULT_MAX_MB, settings.max_upload_mb) * 1024 * 1024


def keep(root: Path, data: bytes, max_bytes: int) -> tuple[str, str, str]:
    """(sha256, content type, extension) of an accepted file, written once."""
    _kind, mime, ext = uploads.check(data, max_bytes)
    return uploads.keep(root, data, ext), mime, ext


def path_of(root: Path, sha: str | None, ext: str | None) -> Path:
    return uploads.kept(root, sha, ext)

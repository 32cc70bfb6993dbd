"""Evidence files of hand scores and vetoes: photos or PDF / Word / Excel documents, checked by their
bytes the way drill records are (``drills.records.check``), kept by content hash under
``<var>/uploads/assessment`` and served only to those who see the scheme."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from yingji.core.errors import NotFound
from yingji.drills import records

DEFAULT_MAX_MB = 20


def dir_of(settings) -> Path:
    return Path(settings.var_dir) / "uploads" / "assessment"


def max_bytes_of(settings) -> int:
    return min(DEFAULT_MAX_MB, settings.max_upload_mb) * 1024 * 1024


def keep(root: Path, data: bytes, max_bytes: int) -> tuple[str, str, str]:
    """(sha256, content type, extension) of an accepted file, written once."""
    _kind, mime, ext = records.check(data, max_bytes)
    sha = hashlib.sha256(data).hexdigest()
    path = root / sha[:2] / f"{sha}.{ext}"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    return sha, mime, ext


def path_of(root: Path, sha: str | None, ext: str | None) -> Path:
    path = root / (sha or "")[:2] / f"{sha}.{ext}"
    if not sha or not ext or not path.is_file():
        raise NotFound()
    return path

"""Files people bring (the other half of ``downloads``): photos and PDF / Word / Excel documents,
checked by their bytes (never their names), kept once by content hash under ``<var>/uploads/<area>``
and served only after the caller's own scope check.

A domain keeps the row that records a file (its ``Audited`` mixin puts the upload in the audit log)
and calls, in this order: ``check`` or ``check_photo`` (413 / 422), ``digest``, its own "same file
on the same owner" lookup, the row (flushed, so a refused row leaves no file behind), then
``write_once(path_of(root, sha, ext), data)``; ``kept`` finds the file again for serving (404 when
it is gone). ``keep`` does the check-free part at once where there is no row to wait for.
"""

from __future__ import annotations

import hashlib
import io
import os
import warnings
import zipfile
from pathlib import Path

from PIL import Image
from starlette.responses import FileResponse

from yingji.core.errors import NotFound, PayloadTooLarge, ValidationFailed
from yingji.core.i18n import N_

MIB = 1024 * 1024
MAX_PIXELS = 60_000_000  # a decompression bomb is refused before it is decoded
PHOTOS = {"jpeg": ("image/jpeg", "jpg"), "png": ("image/png", "png"), "webp": ("image/webp", "webp")}
DOCUMENTS = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
OOXML_PART = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}
ONLY = N_("Only photos (JPEG, PNG, WebP) and PDF, Word (.docx) or Excel (.xlsx) documents are accepted.")


def folder(settings, area: str = "") -> Path:
    """Where an area's files are kept: ``<var>/uploads/<area>`` (incident photos: the root itself)."""
    return Path(settings.var_dir) / "uploads" / area


def limit(settings, key: str, default_mb: int) -> int:
    """The largest file in bytes: ``settings.extra[key]`` MB or the default, never above max_upload_mb."""
    return min(int(settings.extra.get(key, default_mb)), settings.max_upload_mb) * MIB


def refuse_large(data: bytes, max_bytes: int) -> None:
    if len(data) > max_bytes:
        raise PayloadTooLarge(limit_mb=max(1, max_bytes // MIB))


def sniff_photo(data: bytes) -> str | None:
    """The image kind by its first bytes, or None."""
    if data[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def check_photo(data: bytes, max_bytes: int) -> tuple[str, int, int]:
    """(kind, width, height) of an acceptable photo, decoded in full; else 413 or 422."""
    refuse_large(data, max_bytes)
    kind = sniff_photo(data)
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


def document_kind(data: bytes) -> str | None:
    """pdf, docx or xlsx by content (a ZIP must hold the part that makes it a Word or Excel file)."""
    if data[:5] == b"%PDF-":
        return "pdf" if b"%%EOF" in data[-2048:] else None
    if data[:4] != b"PK\x03\x04":
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    return next((kind for kind, part in OOXML_PART.items() if part in names), None)


def check(data: bytes, max_bytes: int) -> tuple[str, str, str]:
    """(``photo`` or ``document``, content type, extension) of an acceptable photo or document."""
    refuse_large(data, max_bytes)
    if sniff_photo(data) is not None:
        kind, _w, _h = check_photo(data, max_bytes)
        mime, ext = PHOTOS[kind]
        return "photo", mime, ext
    doc = document_kind(data)
    if doc is None:
        raise ValidationFailed(details=[{"field": "file", "message": ONLY}])
    return "document", DOCUMENTS[doc], doc


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def path_of(root: Path, sha: str, ext: str) -> Path:
    return root / sha[:2] / f"{sha}.{ext}"


def write_once(path: Path, data: bytes) -> None:
    """Write a content-addressed file once (another writer's copy is the same bytes)."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def keep(root: Path, data: bytes, ext: str) -> str:
    """Keep already checked bytes under their hash; the hash."""
    sha = digest(data)
    write_once(path_of(root, sha, ext), data)
    return sha


def kept(root: Path, sha: str | None, ext: str | None) -> Path:
    """The kept file of a row, for serving; 404 when the row has none or the file is gone."""
    if not sha or not ext:
        raise NotFound()
    path = path_of(root, sha, ext)
    if not path.is_file():
        raise NotFound()
    return path


def kept_photo(root: Path, sha: str, content_type: str) -> Path:
    """The kept file of a photo row (any domain's), by its hash and media type; 404 when it is gone."""
    ext = next((e for mime, e in PHOTOS.values() if mime == content_type), None)
    return kept(root, sha, ext)


def served(path: Path, content_type: str, max_age: int = 86400) -> FileResponse:
    """A kept file as the answer to the one who may see it (the browser keeps it privately, a day
    unless ``max_age`` says otherwise)."""
    headers = {"Cache-Control": f"private, max-age={max_age}"}
    return FileResponse(path, media_type=content_type, headers=headers)

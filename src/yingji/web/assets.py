"""Static files: fingerprinted URLs, long-lived caching, and compressed copies kept in memory.

Templates write ``{{ static('js/app.js') }}``, which gives ``/static/js/app.js?h=<10 hex>``: the first
10 hex digits of the SHA-256 of the file's content, computed once per process. A request whose ``h``
matches the file as it is now is cached by the browser for a year (``immutable``): a new release
changes the hash, hence the URL. Any other request (no ``h``, a stale one) is answered ``no-cache``
with an ETag and Last-Modified, so the browser revalidates and gets a 304 while the file is unchanged.

Compressible files (scripts, styles, SVG) are compressed once per file and encoding, at a better
level than the per-request compression of pages, and kept in memory (the whole folder is ~1.6 MB raw):
``echarts.min.js`` (1 MB) costs ~0.1 s of CPU to compress, which the compression middleware would
otherwise spend again on every cold load. The middleware leaves a response that already has a
Content-Encoding alone.
"""

from __future__ import annotations

import hashlib
import os
from functools import cache
from importlib.resources import files
from pathlib import Path
from urllib.parse import parse_qs

import anyio.to_thread
from starlette.datastructures import Headers
from starlette.responses import FileResponse, Response
from starlette.staticfiles import NotModifiedResponse, StaticFiles
from starlette.types import Scope

from yingji.core.compress import accepted, encode

STATIC_DIR = Path(str(files("yingji.web") / "static"))
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
HASH_CHARS = 10
COMPRESSIBLE = {".js", ".css", ".svg", ".json", ".txt", ".md", ".html"}
MIN_COMPRESS = 1024  # as the middleware (core/compress.py): below one packet it saves nothing


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:HASH_CHARS]


@cache
def fingerprint(rel: str) -> str:
    """The content hash of ``web/static/<rel>``, once per process. A missing file is an error in
    the template that names it (caught by the page tests), not a broken link in production."""
    path = (STATIC_DIR / rel).resolve()
    if STATIC_DIR.resolve() not in path.parents or not path.is_file():
        raise FileNotFoundError(f"static(): no file web/static/{rel}")
    return _digest(path)


def static_url(rel: str) -> str:
    """The Jinja global ``static(path)``."""
    rel = rel.lstrip("/")
    return f"/static/{rel}?h={fingerprint(rel)}"


# Hash of a file as it is now, keyed by its stat (a file edited while the process runs gets a new
# hash, so a page rendered before the edit revalidates instead of being cached for a year).
_current: dict[tuple[str, int, int], str] = {}


def current_digest(full_path: str, st: os.stat_result) -> str:
    key = (full_path, st.st_mtime_ns, st.st_size)
    digest = _current.get(key)
    if digest is None:
        digest = _current[key] = _digest(Path(full_path))
    return digest


def _best(data: bytes, encoding: str) -> bytes:
    return encode(data, encoding, best=True)


# (path, content hash, encoding) → compressed bytes
_compressed: dict[tuple[str, str, str], bytes] = {}


class _Pending(Response):
    """A compressed copy to fill in (asynchronously, off the event loop) before it is sent."""

    def __init__(self, headers: dict[str, str], key: tuple[str, str, str]) -> None:
        super().__init__(b"", headers=headers)
        self.key = key


class FingerprintedStatic(StaticFiles):
    """StaticFiles with the cache policy above; ``compress=False`` serves every file as it is."""

    def __init__(self, *args, compress: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.compress = compress

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if not isinstance(response, _Pending):
            return response
        body = _compressed.get(response.key)
        if body is None:
            full_path, _, encoding = response.key
            raw = await anyio.to_thread.run_sync(Path(full_path).read_bytes)
            body = _compressed[response.key] = await anyio.to_thread.run_sync(_best, raw, encoding)
        headers = {k: v for k, v in response.headers.items() if k != "content-length"}
        return Response(body, headers=headers)

    def file_response(
        self, full_path, stat_result: os.stat_result, scope: Scope, status_code: int = 200
    ) -> Response:
        request_headers = Headers(scope=scope)
        full_path = str(full_path)
        asked = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("h", [""])[0]
        digest = current_digest(full_path, stat_result)
        response = FileResponse(full_path, status_code=status_code, stat_result=stat_result)
        response.headers["cache-control"] = IMMUTABLE if asked == digest else REVALIDATE
        encodings = (
            accepted(request_headers)
            if self.compress
            and Path(full_path).suffix in COMPRESSIBLE
            and stat_result.st_size >= MIN_COMPRESS
            and "range" not in request_headers
            else []
        )
        if encodings:
            # One representation per encoding, each with its own ETag: a revalidation never mixes
            # them up.
            encoding = encodings[0]
            headers = {
                "content-type": response.headers["content-type"],
                "etag": f'"{digest}-{encoding}"',
                "last-modified": response.headers["last-modified"],
                "cache-control": response.headers["cache-control"],
                "content-encoding": encoding,
                "vary": "Accept-Encoding",
            }
            response = _Pending(headers, (full_path, digest, encoding))
        if self.is_not_modified(response.headers, request_headers):
            return NotModifiedResponse(response.headers)
        return response

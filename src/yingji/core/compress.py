"""Response compression for pages, JSON and static files: Zstandard, Brotli or gzip, whichever the
client accepts (``starlette-compress``; identity otherwise), with ``Vary: Accept-Encoding``.

Server-Sent Events are never compressed: a compressor holds bytes back until it has enough to
work on, and an event held back is a late alarm. Bodies under ``MINIMUM_SIZE`` go as they are
(below one packet compression saves no round trip). Static files arrive already compressed from
``web/assets.py`` (better levels, kept in memory); the middleware leaves a response with a
Content-Encoding alone. Off with ``YINGJI_COMPRESS=0`` (e.g. behind a proxy that compresses).

A body that many users are sent as it is (a map layer of a jurisdiction, kept in a page cache) is
compressed once per encoding (``Shared``) instead of once per request: 675 KB of town shapes cost
~15 ms of gzip each time.
"""

from __future__ import annotations

import gzip
import threading

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette_compress import CompressMiddleware, remove_compress_type

from yingji.core import caching

MINIMUM_SIZE = 1024
ENCODINGS = ("br", "zstd", "gzip")  # our order of preference (smallest first)

remove_compress_type("text/event-stream")


class Compress(CompressMiddleware):
    """Levels chosen for bodies made per request: fast (~5 ms for a 300 KB page) and still
    within a few percent of the best ratio."""

    def __init__(self, app) -> None:
        super().__init__(app, minimum_size=MINIMUM_SIZE, zstd_level=4, brotli_quality=4, gzip_level=6)


def accepted(headers: Headers) -> list[str]:
    """Encodings the client accepts (q > 0), in our order of preference."""
    found = set()
    for item in headers.get("accept-encoding", "").split(","):
        coding, _, params = item.partition(";")
        q = params.strip().removeprefix("q=")
        if params and q.replace(".", "", 1).isdigit() and float(q) == 0:
            continue
        found.add(coding.strip().lower())
    return [e for e in ENCODINGS if e in found]


def encode(data: bytes, encoding: str, *, best: bool = False) -> bytes:
    """``data`` compressed; ``best`` for what is compressed once and served for long (static files)."""
    if encoding == "br":
        import brotli

        return brotli.compress(data, quality=9 if best else 5)
    if encoding == "zstd":
        import zstandard

        return zstandard.ZstdCompressor(level=12 if best else 6).compress(data)
    return gzip.compress(data, compresslevel=9 if best else 6, mtime=0)


class Shared:
    """One body served to many: its ETag computed once, each encoding compressed at its first use."""

    def __init__(self, body: str | bytes, media_type: str) -> None:
        self.body = body.encode() if isinstance(body, str) else body
        self.media_type = media_type
        self.etag = caching.etag_of(self.body)
        self.encoded: dict[str, bytes] = {}
        self.lock = threading.Lock()

    def _encoded(self, encoding: str) -> bytes:
        found = self.encoded.get(encoding)
        if found is None:
            with self.lock:  # fifty users asking at once compress it once
                found = self.encoded.get(encoding)
                if found is None:
                    found = self.encoded[encoding] = encode(self.body, encoding)
        return found

    def response(self, request: Request, *, kind: str, headers: dict[str, str] | None = None) -> Response:
        """The body (compressed as the client accepts, unless compression is off), or a 304.
        Each encoding has its own strong ETag (``"…-gzip"``), as static files do."""
        encodings = accepted(request.headers) if len(self.body) >= MINIMUM_SIZE else []
        if encodings and not request.app.state.settings.compress:
            encodings = []
        tags = [self.etag] + [f'{self.etag[:-1]}-{e}"' for e in ENCODINGS]
        tag = tags[1 + ENCODINGS.index(encodings[0])] if encodings else self.etag
        if any(caching.matches(request, t) for t in tags):
            return caching.not_modified(tag, kind, headers)
        extra = {"ETag": tag, "Cache-Control": caching.cache_control(kind), "Vary": "Cookie, Accept-Encoding"}
        if not encodings:
            return Response(self.body, media_type=self.media_type, headers=extra | (headers or {}))
        extra["Content-Encoding"] = encodings[0]
        body = self._encoded(encodings[0])
        return Response(body, media_type=self.media_type, headers=extra | (headers or {}))

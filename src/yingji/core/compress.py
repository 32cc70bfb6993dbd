"""Response compression for pages, JSON and static files: Zstandard, Brotli or gzip, whichever the
client accepts (``starlette-compress``; identity otherwise), with ``Vary: Accept-Encoding``.

Server-Sent Events are never compressed: a compressor holds bytes back until it has enough to
work on, and an event held back is a late alarm. Bodies under ``MINIMUM_SIZE`` go as they are
(below one packet compression saves no round trip). Static files arrive already compressed from
``web/assets.py`` (better levels, kept in memory); the middleware leaves a response with a
Content-Encoding alone. Off with ``YINGJI_COMPRESS=0`` (e.g. behind a proxy that compresses).
"""

from __future__ import annotations

from starlette_compress import CompressMiddleware, remove_compress_type

MINIMUM_SIZE = 1024

remove_compress_type("text/event-stream")


class Compress(CompressMiddleware):
    """Levels chosen for bodies made per request: fast (~5 ms for a 300 KB page) and still
    within a few percent of the best ratio."""

    def __init__(self, app) -> None:
        super().__init__(app, minimum_size=MINIMUM_SIZE, zstd_level=4, brotli_quality=4, gzip_level=6)

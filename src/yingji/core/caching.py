"""Conditional GET for JSON and GeoJSON answers: an ETag, 304 on ``If-None-Match``, ``Cache-Control``.

Map layers are fetched again on every pan and zoom; most answers have not changed since the last
time. The browser keeps a copy (``private``: the answer depends on who asks, so no shared cache may
keep it) and asks again with the ETag; an unchanged layer costs a 304 with no body.

Two ways to make the tag:
- ``etag_of(body)``: a hash of the body (always right, costs building the body);
- ``etag_for(*parts)``: a hash of what the body is made from (a data version such as
  ``max(updated_at)`` and ``count(*)`` of the layer in scope, the request's parameters), so a
  ``conditional`` answer can skip building the body when the client already has it.

Compression is the middleware's job (helper "weight"); here bodies are only made cacheable.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Literal

from fastapi import Request
from fastapi.responses import Response

# Live layers (incidents, alarms, warnings): the browser may reuse a copy for a few seconds, then
# must ask again (a cheap 304 when nothing changed). Boundaries change with a division import only.
LIVE: Literal["live"] = "live"
STATIC: Literal["static"] = "static"
MAX_AGE = {LIVE: 15, STATIC: 3600}
GEOJSON = "application/geo+json"


def _tag(digest: str) -> str:
    return f'"{digest[:24]}"'


def etag_of(body: str | bytes) -> str:
    """A strong ETag from the body itself."""
    data = body.encode() if isinstance(body, str) else body
    return _tag(hashlib.blake2b(data, digest_size=16).hexdigest())


def etag_for(*parts: object) -> str:
    """A strong ETag from what the body is made from (data version, scope, parameters)."""
    text = "\x1f".join("" if p is None else str(p) for p in parts)
    return _tag(hashlib.blake2b(text.encode(), digest_size=16).hexdigest())


def cache_control(kind: str) -> str:
    # private: the answer is scoped to the user; must-revalidate: a stale live layer is never shown.
    return f"private, max-age={MAX_AGE[kind]}, must-revalidate"


def matches(request: Request, etag: str) -> bool:
    """Whether the client's ``If-None-Match`` names this ETag (weak tags compare equal too)."""
    header = request.headers.get("if-none-match")
    if not header:
        return False
    if header.strip() == "*":
        return True
    wanted = {t.strip().removeprefix("W/") for t in header.split(",")}
    return etag in wanted


def not_modified(etag: str, kind: str, headers: dict[str, str] | None = None) -> Response:
    return Response(
        status_code=304, headers={"ETag": etag, "Cache-Control": cache_control(kind), **(headers or {})}
    )


def cached(
    request: Request,
    body: str | bytes,
    *,
    kind: str = LIVE,
    media_type: str = "application/json",
    headers: dict[str, str] | None = None,
    etag: str | None = None,
) -> Response:
    """The body with its ETag and Cache-Control, or a 304 when the client already has it."""
    tag = etag or etag_of(body)
    if matches(request, tag):
        return not_modified(tag, kind, headers)
    return Response(
        body,
        media_type=media_type,
        headers={"ETag": tag, "Cache-Control": cache_control(kind), "Vary": "Cookie", **(headers or {})},
    )


def conditional(
    request: Request,
    etag: str,
    build: Callable[[], tuple[str | bytes, dict[str, str]]],
    *,
    kind: str = LIVE,
    media_type: str = "application/json",
) -> Response:
    """304 without building anything when the client has ``etag``; else ``build()`` → (body, headers)."""
    if matches(request, etag):
        return not_modified(etag, kind)
    body, headers = build()
    return cached(request, body, kind=kind, media_type=media_type, headers=headers, etag=etag)

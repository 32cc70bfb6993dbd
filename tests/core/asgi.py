"""Calling the app as an ASGI server does, with a body that streams in chunks and counts how much of
it the app pulled. The test client reads a body whole before the app sees it, so it cannot show
whether a limit is enforced while the body streams."""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

MB = 1024 * 1024


@dataclass
class Answer:
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    pulled: int = 0  # bytes of the request body the app asked for

    def json(self) -> dict:
        return json.loads(self.body)


def call(
    app,
    method: str,
    path: str,
    *,
    headers: dict[str, str],
    chunk: bytes = b"",
    chunks: int = 0,
    first: bytes = b"",
    content_length: int | None = None,
) -> Answer:
    """``method path`` with ``first`` then ``chunks`` × ``chunk`` as a chunked body (no Content-Length
    unless given)."""
    answer = Answer()
    sent = {"n": -1}

    async def receive():
        if sent["n"] >= chunks:
            return {"type": "http.disconnect"}
        body = first if sent["n"] < 0 else chunk
        sent["n"] += 1
        answer.pulled += len(body)
        return {"type": "http.request", "body": body, "more_body": sent["n"] < chunks}

    async def send(message):
        if message["type"] == "http.response.start":
            answer.status = message["status"]
            answer.headers = {k.decode().lower(): v.decode() for k, v in message.get("headers", [])}
        elif message["type"] == "http.response.body":
            answer.body += message.get("body", b"")

    raw = [(b"host", b"testserver")]
    raw += [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    if content_length is not None:
        raw.append((b"content-length", str(content_length).encode()))
    else:
        raw.append((b"transfer-encoding", b"chunked"))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": raw,
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "state": {},
    }
    # In a thread of its own: a test before may have left an event loop running in this one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, app(scope, receive, send)).result()
    return answer

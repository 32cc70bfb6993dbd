"""Compression and static caching (core/compress.py, web/assets.py): pages, JSON and static files are
compressed in the encoding the client accepts (Brotli, gzip, else as they are) with Vary, small
bodies and event streams go as they are, fingerprinted static files are cached for a year and
anything else revalidates with a 304."""

from __future__ import annotations

import asyncio
import gzip
import re
from concurrent.futures import ThreadPoolExecutor
from email.utils import formatdate

import brotli
import pytest
import zstandard
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.responses import StreamingResponse

from tests.conftest import log_in
from yingji.app import create_app
from yingji.config import load_settings
from yingji.core.compress import MINIMUM_SIZE, Compress
from yingji.web.assets import STATIC_DIR, static_url

ECHARTS = "vendor/echarts/echarts.min.js"
DECODE = {
    "br": brotli.decompress,
    "gzip": gzip.decompress,
    "zstd": lambda b: zstandard.ZstdDecompressor().decompressobj().decompress(b),
    None: lambda b: b,
}


def _raw(client: TestClient, url: str, **headers: str):
    """The response and its body as sent on the wire (not decoded)."""
    with client.stream("GET", url, headers=headers) as r:
        return r, b"".join(r.iter_raw())


@pytest.fixture
def browser(app):
    return log_in(app, "commander")


@pytest.mark.parametrize("encoding", ["br", "gzip", "zstd", "identity"])
def test_a_page_is_compressed_as_the_client_asks(browser, encoding):
    plain, plain_body = _raw(browser, "/incidents", **{"accept-encoding": "identity"})
    assert plain.status_code == 200 and len(plain_body) > 20_000
    r, body = _raw(browser, "/incidents", **{"accept-encoding": encoding})
    assert r.status_code == 200
    sent = r.headers.get("content-encoding")
    assert sent == (None if encoding == "identity" else encoding)
    assert "Accept-Encoding" in r.headers["vary"]
    # the same page (up to the CSRF token and request ids that differ per request)
    page = DECODE[sent](body).decode()
    assert page.count("<tr") == plain_body.decode().count("<tr")
    if sent:
        assert len(body) < len(plain_body) / 4
    # the security headers of RequestContext are still there
    assert (
        r.headers["x-content-type-options"] == "nosniff"
        and "default-src" in r.headers["content-security-policy"]
    )


def test_the_preferred_encoding_wins_and_q0_refuses(browser):
    r, _ = _raw(browser, "/incidents", **{"accept-encoding": "gzip, deflate, br"})
    assert r.headers["content-encoding"] == "br"
    r, _ = _raw(browser, "/incidents", **{"accept-encoding": "br;q=0, gzip"})
    assert r.headers["content-encoding"] == "gzip"


def test_json_is_compressed(api):
    client = api("commander")
    r, body = _raw(client, "/api/v1/incidents", **{"accept-encoding": "br"})
    assert r.status_code == 200 and r.headers["content-encoding"] == "br"
    assert brotli.decompress(body).startswith(b"{") or brotli.decompress(body).startswith(b"[")


def test_a_small_body_goes_as_it_is(app):
    r, body = _raw(TestClient(app), "/healthz", **{"accept-encoding": "br, gzip"})
    assert len(body) < MINIMUM_SIZE
    assert "content-encoding" not in r.headers
    assert body.startswith(b"{")


def test_event_streams_are_neither_compressed_nor_held_back():
    """Each event reaches the client as its own message, before the next one is even made: the
    stream below waits for the client to have received event 1 before it writes event 2."""
    received: list[bytes] = []
    start: dict = {}

    async def run() -> None:
        got_first = asyncio.Event()

        async def events():
            for i in range(3):
                yield f"id: {i}\nevent: report.new\ndata: {'x' * 2000}\n\n".encode()
                await asyncio.wait_for(got_first.wait(), 10)

        inner = FastAPI()

        @inner.get("/stream")
        async def stream():
            return StreamingResponse(events(), media_type="text/event-stream")

        app = Compress(inner)

        async def receive():
            await asyncio.sleep(30)
            return {"type": "http.disconnect"}

        async def send(message):
            if message["type"] == "http.response.start":
                start.update({k.decode().lower(): v.decode() for k, v in message["headers"]})
            elif message.get("body"):
                received.append(message["body"])
                got_first.set()

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": "/stream",
            "raw_path": b"/stream",
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"testserver"), (b"accept-encoding", b"br, gzip, zstd")],
            "client": ("127.0.0.1", 1),
            "server": ("testserver", 80),
        }
        await app(scope, receive, send)

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, run()).result()
    assert "content-encoding" not in start
    assert start["content-type"].startswith("text/event-stream")
    assert len(received) == 3
    assert all(chunk.startswith(b"id: ") and chunk.endswith(b"\n\n") for chunk in received)


@pytest.mark.parametrize("encoding", ["br", "gzip", "identity"])
def test_a_fingerprinted_static_file_is_cached_for_a_year(app, encoding):
    url = static_url(ECHARTS)
    assert re.fullmatch(r"/static/vendor/echarts/echarts\.min\.js\?h=[0-9a-f]{10}", url)
    r, body = _raw(TestClient(app), url, **{"accept-encoding": encoding})
    assert r.status_code == 200
    assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
    sent = r.headers.get("content-encoding")
    assert sent == (None if encoding == "identity" else encoding)
    assert DECODE[sent](body) == (STATIC_DIR / ECHARTS).read_bytes()
    if sent:
        assert len(body) < 400_000  # 1,034,102 bytes raw
    assert r.headers["etag"] and "Accept-Encoding" in r.headers["vary"]


@pytest.mark.parametrize("query", ["", "?h=0123456789", "?v=0.1.0"])
def test_a_stale_or_missing_hash_revalidates(app, query):
    url = f"/static/{ECHARTS}{query}"
    client = TestClient(app)
    for encoding in ("br", "identity"):
        first = client.get(url, headers={"accept-encoding": encoding})
        assert first.status_code == 200 and first.headers["cache-control"] == "no-cache"
        etag = first.headers["etag"]
        again = client.get(url, headers={"accept-encoding": encoding, "if-none-match": etag})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == etag and again.headers["cache-control"] == "no-cache"
        since = client.get(
            url, headers={"accept-encoding": encoding, "if-modified-since": first.headers["last-modified"]}
        )
        assert since.status_code == 304
        old = formatdate(0, usegmt=True)
        changed = client.get(url, headers={"accept-encoding": encoding, "if-modified-since": old})
        assert changed.status_code == 200


def test_each_encoding_has_its_own_etag(app):
    url = static_url("css/yingji.css")
    client = TestClient(app)
    br = client.get(url, headers={"accept-encoding": "br"})
    plain = client.get(url, headers={"accept-encoding": "identity"})
    # a br ETag does not revalidate the plain copy
    stale = client.get(url, headers={"accept-encoding": "identity", "if-none-match": br.headers["etag"]})
    assert br.headers["etag"] != plain.headers["etag"]
    assert stale.status_code == 200 and stale.content == (STATIC_DIR / "css/yingji.css").read_bytes()


def test_pages_link_fingerprinted_assets(browser):
    page = browser.get("/incidents").text
    links = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    assert links and all(re.search(r"\?h=[0-9a-f]{10}$", link) for link in links), links
    for link in links:
        r = browser.get(link)
        assert r.status_code == 200 and r.headers["cache-control"].endswith("immutable"), link


def test_static_of_a_missing_file_is_an_error():
    with pytest.raises(FileNotFoundError):
        static_url("js/no-such-file.js")
    with pytest.raises(FileNotFoundError):
        static_url("../templates/base.html")


def test_compression_can_be_switched_off(app):
    settings = load_settings({"YINGJI_COMPRESS": "0", "YINGJI_SECRET_KEY": "x", "YINGJI_VAR_DIR": "/tmp"})
    assert settings.compress is False
    assert load_settings({"YINGJI_SECRET_KEY": "x", "YINGJI_VAR_DIR": "/tmp"}).compress is True
    plain = create_app(app.state.settings.with_(compress=False), app.state.db, start_worker=False)
    client = TestClient(plain)
    r, body = _raw(client, static_url(ECHARTS), **{"accept-encoding": "br, gzip"})
    assert "content-encoding" not in r.headers and len(body) == (STATIC_DIR / ECHARTS).stat().st_size
    assert r.headers["cache-control"].endswith("immutable")
    r, _ = _raw(client, "/login", **{"accept-encoding": "br, gzip"})
    assert r.status_code == 200 and "content-encoding" not in r.headers

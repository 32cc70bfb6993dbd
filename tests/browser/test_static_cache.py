"""As Chromium sees it: a page's static files arrive compressed, and on a second visit they come from
the browser's cache without a request to the server (fingerprinted, immutable); the page itself is
fetched again. Leaflet's images, found through its CSS, still load."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from yingji.web.assets import MIN_COMPRESS, STATIC_DIR

pytestmark = pytest.mark.browser


def _visit(page, path: str) -> dict[str, dict]:
    """URL → {cached, encoding, status} of every request of one visit (CDP network events): cached
    when the browser served it from its cache (no byte over the network)."""
    seen: dict[str, dict] = {}
    ids: dict[str, str] = {}
    from_cache: set[str] = set()
    wire: dict[str, int] = {}
    cdp = page.context.new_cdp_session(page)

    def sent(e):
        ids[e["requestId"]] = e["request"]["url"]

    def response(e):
        headers = {k.lower(): v for k, v in e["response"]["headers"].items()}
        seen[ids.get(e["requestId"], e["response"]["url"])] = {
            "cached": bool(e["response"].get("fromDiskCache")) or e["requestId"] in from_cache,
            "encoding": headers.get("content-encoding", ""),
            "status": e["response"]["status"],
        }

    def finished(e):
        wire[ids.get(e["requestId"], "")] = int(e["encodedDataLength"])

    cdp.on("Network.requestWillBeSent", sent)
    cdp.on("Network.requestServedFromCache", lambda e: from_cache.add(e["requestId"]))
    cdp.on("Network.loadingFinished", finished)
    cdp.on("Network.responseReceived", response)
    cdp.send("Network.enable")
    page.goto(path, wait_until="load")
    page.wait_for_load_state("networkidle")
    cdp.detach()
    for url, r in seen.items():
        r["wire"] = wire.get(url, -1)
    return seen


def test_static_files_compressed_then_cached(page, login):
    login("commander")
    first = _visit(page, "/map")
    statics = {u: r for u, r in first.items() if "/static/" in u}
    scripts = {u: r for u, r in statics.items() if u.split("?")[0].endswith((".js", ".css"))}
    assert any("leaflet.js" in u for u in scripts), list(first)
    for url, r in scripts.items():
        assert "?h=" in url, url
        assert r["status"] == 200
        size = (STATIC_DIR / urlsplit(url).path.removeprefix("/static/")).stat().st_size
        # below one packet a file goes as it is
        assert r["encoding"] in (("br", "gzip", "zstd") if size >= MIN_COMPRESS else ("",)), (url, r)
    expect(page.locator("#map")).to_have_attribute("data-ready", "true")

    second = _visit(page, "/map")
    again = {u: r for u, r in second.items() if u in scripts}
    # every fingerprinted file of the first visit is served by the browser's cache
    assert again and all(r["cached"] and r["wire"] == 0 for r in again.values()), again
    page_itself = [r for u, r in second.items() if u.endswith("/map")]
    assert page_itself and not page_itself[0]["cached"]
    expect(page.locator("#map")).to_have_attribute("data-ready", "true")

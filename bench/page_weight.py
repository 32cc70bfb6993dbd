"""Bytes Chromium transfers for a page, cold and warm, with compression on and off.

Two real ``yingji serve`` processes on the same demo database: one as shipped, one with
``YINGJI_COMPRESS=0`` (the baseline, measured in the same run). For each page: a cold load (a new
browser context, empty cache, logged in by cookie only) and a warm load (a second visit in the same
context). Bytes are what Chromium's network stack reports (CDP ``Network.loadingFinished``
``encodedDataLength``: headers plus the body as sent, so a cache hit counts 0 and a 304 counts its
headers), summed over every request of the page until the network has been quiet for a second
(an event stream is left out: it never ends).

Pages: the overview ``/``, the one map ``/map``, the risk map ``/risk/map``, and every other page
in the navigation of ``--user``. Figure: the largest cold load among the overview and the two maps,
in KB (goal ≤ 400); also the largest warm load among them (goal ≤ 100) and the largest cold load of
any page (goal: none over 1 MB).

    python -m bench.page_weight                                    # builds a Tongren demo (SQLite)
    python -m bench.page_weight --database-url sqlite:////path/to/yingji.db   # an existing demo
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from bench.common import report
from bench.resilience_exports import _start

KEY_PAGES = ["/", "/map", "/risk/map"]
GOAL_COLD_KB, GOAL_WARM_KB, GOAL_ANY_KB = 400, 100, 1024
PASSWORD = "Yingji@2026"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update"]
QUIET_S, MAX_WAIT_S = 1.0, 40.0


def build_demo(var_dir: Path) -> str:
    url = f"sqlite:///{var_dir / 'yingji.db'}"
    env = dict(os.environ, YINGJI_DATABASE_URL=url, YINGJI_VAR_DIR=str(var_dir), YINGJI_SECRET_KEY="bench")
    yingji = str(Path(sys.executable).with_name("yingji"))
    subprocess.run([yingji, "demo"], env=env, check=True, capture_output=True)
    return url


@contextmanager
def serve(database_url: str, var_dir: Path, compress: bool):
    env = dict(
        os.environ,
        YINGJI_DATABASE_URL=database_url,
        YINGJI_VAR_DIR=str(var_dir),
        YINGJI_SECRET_KEY="bench",
        YINGJI_PORT="0",
        YINGJI_COMPRESS="1" if compress else "0",
    )
    proc, port = _start(
        ["serve", "--host", "127.0.0.1", "--no-worker"], env, r"Uvicorn running on http://[^:]+:(\d+)"
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()


class Meter:
    """Counts the bytes of one page load through a CDP session on that page."""

    def __init__(self, context, page) -> None:
        self.bytes = 0
        self.requests = 0
        self.cached = 0
        self.inflight: set[str] = set()
        self.streams: set[str] = set()
        self.last = time.monotonic()
        self.encoding = ""
        self.by_url: dict[str, int] = {}
        self.urls: dict[str, str] = {}
        cdp = context.new_cdp_session(page)
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.loadingFailed", self._failed)
        cdp.on("Network.requestServedFromCache", lambda e: self._touch())
        cdp.send("Network.enable")
        self.cdp = cdp

    def _touch(self) -> None:
        self.last = time.monotonic()

    def _sent(self, e) -> None:
        self._touch()
        if e.get("type") == "EventSource":
            self.streams.add(e["requestId"])
            return
        self.inflight.add(e["requestId"])
        self.urls[e["requestId"]] = e["request"]["url"]

    def _response(self, e) -> None:
        self._touch()
        if e.get("type") == "Document" and not self.encoding:
            headers = {k.lower(): v for k, v in e["response"].get("headers", {}).items()}
            self.encoding = headers.get("content-encoding", "identity")

    def _finished(self, e) -> None:
        self._touch()
        rid = e["requestId"]
        if rid in self.streams:
            return
        self.inflight.discard(rid)
        size = int(e.get("encodedDataLength", 0))
        self.requests += 1
        self.cached += size == 0
        self.bytes += size
        url = self.urls.get(rid, "?").split("?")[0]
        self.by_url[url] = self.by_url.get(url, 0) + size

    def _failed(self, e) -> None:
        self._touch()
        self.inflight.discard(e["requestId"])

    def settle(self, page) -> None:
        """Until no request is in flight and nothing happened for QUIET_S (a bench, not a test)."""
        deadline = time.monotonic() + MAX_WAIT_S
        while time.monotonic() < deadline:
            page.wait_for_timeout(200)
            if not self.inflight and time.monotonic() - self.last > QUIET_S:
                return


def load(context, url: str) -> Meter:
    page = context.new_page()
    meter = Meter(context, page)
    page.goto(url, wait_until="load", timeout=60_000)
    meter.settle(page)
    meter.cdp.detach()
    page.close()
    return meter


def log_in(browser, base: str, user: str) -> dict:
    """The session cookie, got through the login form (its own context, thrown away after)."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state("load")
    if "/login" in page.url:
        raise RuntimeError(f"could not log in as {user}")
    state = context.storage_state()
    context.close()
    return state


def nav_pages(browser, base: str, state: dict) -> list[str]:
    context = browser.new_context(storage_state=state)
    page = context.new_page()
    page.goto(f"{base}/", wait_until="load")
    hrefs = page.eval_on_selector_all("a[data-nav]", "els => els.map(e => e.getAttribute('href'))")
    context.close()
    out = list(KEY_PAGES)
    for href in hrefs:
        if href and href.startswith("/") and href not in out:
            out.append(href)
    return out


def measure(browser, base: str, state: dict, pages: list[str]) -> dict[str, dict]:
    results = {}
    for path in pages:
        context = browser.new_context(storage_state=state, viewport={"width": 1600, "height": 900})
        cold = load(context, base + path)
        warm = load(context, base + path)
        context.close()
        results[path] = {"cold": cold, "warm": warm}
    return results


def kb(n: int) -> float:
    return round(n / 1024, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None, help="an existing demo database (default: build one)")
    parser.add_argument("--user", default="commander", help="demo user whose pages are measured")
    parser.add_argument("--top", type=int, default=3, help="largest files listed for each key page")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        var_dir = Path(tmp)
        url = args.database_url or build_demo(var_dir)
        with (
            serve(url, var_dir, compress=True) as on,
            serve(url, var_dir, compress=False) as off,
            sync_playwright() as p,
        ):
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            state_on = log_in(browser, on, args.user)
            state_off = log_in(browser, off, args.user)
            pages = nav_pages(browser, on, state_on)
            with_ = measure(browser, on, state_on, pages)
            without = measure(browser, off, state_off, pages)
            browser.close()

    rows = [("page", "cold KB | warm KB | cold KB off | warm KB off | requests | html")]
    for path in pages:
        a, b = with_[path], without[path]
        flag = "  > 1 MB" if a["cold"].bytes > GOAL_ANY_KB * 1024 else ""
        rows.append(
            (
                path,
                f"{kb(a['cold'].bytes):>8} | {kb(a['warm'].bytes):>7} | {kb(b['cold'].bytes):>11} | "
                f"{kb(b['warm'].bytes):>11} | {a['cold'].requests:>8} | {a['cold'].encoding}{flag}",
            )
        )
    for path in KEY_PAGES:
        top = sorted(with_[path]["cold"].by_url.items(), key=lambda kv: -kv[1])[: args.top]
        for u, n in top:
            rows.append((f"  {path} cold: largest", f"{kb(n):>8} KB  {u.replace(on, '')}"))

    page = max(KEY_PAGES, key=lambda k: with_[k]["cold"].bytes)
    warm_page = max(KEY_PAGES, key=lambda k: with_[k]["warm"].bytes)
    any_page = max(pages, key=lambda k: with_[k]["cold"].bytes)
    figure = kb(with_[page]["cold"].bytes)
    baseline = kb(without[page]["cold"].bytes)
    report(
        "page_weight",
        rows,
        {
            "figure": figure,
            "unit": "KB",
            "baseline": baseline,
            "ratio": round(figure / baseline, 3) if baseline else None,
            "page": page,
            "goal_kb": GOAL_COLD_KB,
            "largest_warm_kb": kb(with_[warm_page]["warm"].bytes),
            "largest_warm_page": warm_page,
            "goal_warm_kb": GOAL_WARM_KB,
            "largest_any_page_kb": kb(with_[any_page]["cold"].bytes),
            "largest_any_page": any_page,
            "pages_over_1mb": [k for k in pages if with_[k]["cold"].bytes > GOAL_ANY_KB * 1024],
            "pages": len(pages),
            "html_encoding": with_["/"]["cold"].encoding,
        },
    )


if __name__ == "__main__":
    main()

"""Browser-test fixtures: Debian's Chromium driven by Playwright (sync API) against the session's
app served by uvicorn on 127.0.0.1.

Never downloads a browser (no ``playwright install``): the tests use /usr/bin/chromium, and are
skipped when it is missing, unless YINGJI_REQUIRE_BROWSER=1 (set by CI), when they fail instead.
Every test leaves a screenshot of its last page in artifacts/screenshots/<test-name>.png.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import threading
import time
import urllib.request
from pathlib import Path

import pytest
import uvicorn

from tests.conftest import ARTIFACTS, PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = ARTIFACTS / "screenshots"
DEFAULT_TIMEOUT_MS = 15_000


def browser_required() -> bool:
    return os.environ.get("YINGJI_REQUIRE_BROWSER", "").strip() == "1"


@pytest.fixture(scope="session", autouse=True)
def chromium_executable() -> str:
    """The browser binary. Autouse, so a machine without Chromium skips before the demo city is built."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        if browser_required():
            pytest.fail(f"YINGJI_REQUIRE_BROWSER=1 but {CHROMIUM} is missing or not executable", False)
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium); not found")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:  # pragma: no cover - the test extra installs it
        if browser_required():
            pytest.fail(f"YINGJI_REQUIRE_BROWSER=1 but playwright is not installed: {exc}", pytrace=False)
        pytest.skip("browser tests need the playwright Python package (pip install -e .[test])")
    return str(CHROMIUM)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, app) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # The ``app`` fixture already ran the lifespan (schema check) and keeps it open.
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off", access_log=False
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="yingji-live-server", daemon=True)

    def start(self, timeout: float = 30.0) -> None:
        self.thread.start()
        deadline = time.monotonic() + timeout
        last: object = None
        while time.monotonic() < deadline:
            if not self.thread.is_alive():
                raise RuntimeError("the live server thread died while starting")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2.0) as r:
                    if json.load(r).get("status") == "ok":
                        return
                    last = f"HTTP {r.status}"
            except (OSError, ValueError) as exc:
                last = exc
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the live server did not answer /healthz within {timeout}s: {last}")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


@pytest.fixture(scope="session")
def live_server(app):
    """The session's app served over HTTP by uvicorn in a background thread."""
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def playwright_instance(chromium_executable):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance, chromium_executable):
    try:
        b = playwright_instance.chromium.launch(
            executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS
        )
    except Exception as exc:
        if browser_required():
            raise
        pytest.skip(f"Chromium at {chromium_executable} would not start: {exc}")
    yield b
    b.close()


def _artifact_name(nodeid_name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", nodeid_name).strip("_") or "test"


@pytest.fixture
def screenshot_path(request) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{_artifact_name(request.node.name)}.png"


@pytest.fixture
def context_options() -> dict:
    """Override in a test module (or parametrize indirectly) for another viewport, etc."""
    return {"viewport": {"width": 1280, "height": 800}}


@pytest.fixture
def js_errors() -> list[str]:
    """Uncaught JavaScript errors of the test's page, in order."""
    return []


@pytest.fixture
def page(browser, live_server, context_options, screenshot_path, js_errors):
    """A fresh browser context (no cookies) per test; its final page is saved as a screenshot."""
    context = browser.new_context(base_url=live_server.url, **context_options)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    pg = context.new_page()
    pg.on("pageerror", lambda exc: js_errors.append(str(exc)))
    yield pg
    with contextlib.suppress(Exception):  # the page may be gone after a crash; the test says why
        pg.screenshot(path=str(screenshot_path), full_page=False)
    context.close()


def log_in(page, username: str, password: str = PASSWORD, next_path: str = "/") -> None:
    """Log in through the login form, as a person would."""
    page.goto(f"/login?next={next_path}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form[action='/login'] button[type=submit]")
    if "/login" in page.url:
        alert = page.locator("[role=alert]")
        detail = alert.inner_text() if alert.count() else page.content()[:500]
        raise AssertionError(f"login as {username} failed: {detail}")


@pytest.fixture
def login(page):
    """``login("duty")`` → the page, logged in as that demo user."""

    def do(username: str, next_path: str = "/"):
        log_in(page, username, next_path=next_path)
        return page

    return do


@pytest.fixture
def snapshot(page, screenshot_path):
    """``snapshot("step")`` saves the page now as artifacts/screenshots/<test-name>-step.png."""

    def shoot(step: str) -> Path:
        path = screenshot_path.with_name(f"{screenshot_path.stem}-{_artifact_name(step)}.png")
        page.screenshot(path=str(path), full_page=False)
        return path

    return shoot

"""The HTML side of ``test_no_500``: every page form posted empty (with a valid CSRF token) and every
page address with an id past the integer range answers without a 500 (on the scratch city)."""

from __future__ import annotations

import re

import pytest

HUGE = str(10**30)
CONTROL = "控制\x00\x01\x0b\x1b\x7f\x9b字符"
# Names the page forms use for their text: each form takes what it knows.
TEXT_FIELDS = ("title", "name", "description", "summary", "note", "content", "address", "location", "what")
SKIP = ("/login", "/logout", "/lang")  # they end the session or switch the language


def _walk(routes, prefix=""):
    """(path, methods) of every route, through routers included as a whole."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            context = getattr(route, "include_context", None)
            yield from _walk(inner.routes, prefix + (getattr(context, "prefix", "") or ""))
        elif getattr(route, "methods", None):
            yield prefix + route.path, route.methods


@pytest.fixture(scope="module")
def pages(scratch_app):
    found = {(m, p) for p, ms in _walk(scratch_app.routes) for m in ms if m in ("GET", "POST")}
    found = sorted((m, p) for m, p in found if not p.startswith("/api"))
    assert len(found) > 100
    return [(m, p) for m, p in found if not p.startswith(SKIP)]


def test_page_forms_posted_empty(scratch_admin_browser, pages):
    c = scratch_admin_browser
    failures = []
    for method, path in pages:
        if method == "POST":
            r = c.post(re.sub(r"\{[^}]+\}", "1", path), data={"csrf_token": c.csrf}, follow_redirects=False)
            if r.status_code >= 500:
                failures.append(f"POST {path}: {r.status_code}")
    assert not failures, failures


def test_page_ids_past_the_integer_range(scratch_admin_browser, pages):
    c = scratch_admin_browser
    failures = []
    for method, path in pages:
        if method == "GET" and "{" in path:
            r = c.get(re.sub(r"\{[^}]+\}", HUGE, path), follow_redirects=False)
            if r.status_code >= 500:
                failures.append(f"GET {path}: {r.status_code}")
    assert not failures, failures


def test_page_forms_with_control_characters(scratch_admin_browser, pages):
    c = scratch_admin_browser
    failures = []
    for method, path in pages:
        if method == "POST":
            data = {"csrf_token": c.csrf, **dict.fromkeys(TEXT_FIELDS, CONTROL)}
            r = c.post(re.sub(r"\{[^}]+\}", "1", path), data=data, follow_redirects=False)
            if r.status_code >= 500:
                failures.append(f"POST {path}: {r.status_code}")
    assert not failures, failures

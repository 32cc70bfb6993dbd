"""The indexed route lookup (core/routing.py) picks, for every path the app serves, the router
FastAPI's own lookup picks, and leaves misses (404, 405, trailing slashes) to FastAPI."""

from __future__ import annotations

import re

from starlette.routing import Match

from yingji.core.routing import Included, IndexedRouter


def _paths(app) -> set[tuple[str, str]]:
    """(method, path) for every route, its parameters filled in."""
    found = set()

    def walk(routes, prefix=""):
        for route in routes:
            if Included is not None and isinstance(route, Included):
                walk(route.original_router.routes, prefix + route.include_context.prefix)
                continue
            path = getattr(route, "path", None)
            if not isinstance(path, str):
                continue
            filled = re.sub(r"\{[^}:]+:path\}", "a/b", prefix + path)
            filled = re.sub(r"\{[^}:]+:int\}", "12", filled)
            filled = re.sub(r"\{[^}]+\}", "5206", filled)
            for method in getattr(route, "methods", None) or {"GET"}:
                found.add((method, filled))

    walk(app.router.routes)
    return found


def _scope(method: str, path: str) -> dict:
    return {"type": "http", "method": method, "path": path, "root_path": "", "query_string": b""}


def _first_full(router, indexes, method, path):
    for i in indexes:
        if router.routes[i].matches(_scope(method, path))[0] == Match.FULL:
            return i
    return None


def test_every_path_goes_to_the_router_fastapi_would_choose(app):
    router = app.router
    assert isinstance(router, IndexedRouter)
    paths = _paths(app)
    assert len(paths) > 600
    everything = range(len(router.routes))
    for method, path in [*sorted(paths), ("GET", "/no/such/page"), ("DELETE", "/warnings")]:
        expected = _first_full(router, everything, method, path)
        assert _first_full(router, router._candidates(path), method, path) == expected, (method, path)


def test_requests_take_the_indexed_lookup_and_misses_are_fastapis(app, browser_client, monkeypatch):
    asked = []
    candidates = IndexedRouter._candidates
    monkeypatch.setattr(
        IndexedRouter, "_candidates", lambda self, path: asked.append(path) or candidates(self, path)
    )
    client = browser_client("duty")
    assert client.get("/warnings").status_code == 200 and "/warnings" in asked
    assert client.get("/no/such/page").status_code == 404
    assert client.get("/api/v1/map/features", params={"level": "nowhere"}).status_code == 422

"""The SSE endpoint over real HTTP (uvicorn): headers, auth by token and by session cookie, replay
after the Last-Event-ID header, scope, a bad filter."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.browser.conftest import LiveServer
from tests.conftest import log_in
from yingji.core.db import Actor
from yingji.events import publish

SYSTEM = Actor.system("tests")


@pytest.fixture(scope="module")
def server(app):
    live = LiveServer(app)
    live.start()
    yield live
    live.stop()


def _publish(db, kind, code, **payload) -> None:
    with db.writing(SYSTEM) as session:
        publish(session, kind, code, payload)


def _lines(response: httpx.Response):
    """One line iterator per response (httpx streams a body once)."""
    if not hasattr(response, "_sse_lines"):
        response._sse_lines = response.iter_lines()
    return response._sse_lines


def _events(response: httpx.Response, n: int) -> list[dict]:
    """The next ``n`` events of an open stream (comments and retry lines skipped)."""
    out, lines = [], _lines(response)
    current: dict = {}
    for line in lines:
        if line.startswith("id: "):
            current["id"] = int(line[4:])
        elif line.startswith("data: "):
            current["data"] = json.loads(line[6:])
        elif line == "" and current:
            assert current["id"] == current["data"]["id"]
            out.append(current["data"])
            current = {}
            if len(out) == n:
                return out
    raise AssertionError(f"the stream ended after {len(out)} events")


def _first_comment(response: httpx.Response) -> None:
    for line in _lines(response):
        if line.startswith(": connected"):
            return


def test_stream_by_token_with_replay_and_scope(server, city, tokens):
    _publish(city.db, "report.new", city.town_a, n="before")
    with httpx.Client(base_url=server.url, timeout=20) as client:
        last = client.get("/api/v1/events", headers={"Authorization": f"Bearer {tokens['county']}"}).json()
        start = last["last_id"]
        _publish(city.db, "report.new", city.town_other_county, n="not-ours")
        _publish(city.db, "report.new", city.town_a, n="missed")
        headers = {"Authorization": f"Bearer {tokens['county']}", "Last-Event-ID": str(start)}
        with client.stream("GET", "/api/v1/events/stream", headers=headers) as r:
            assert r.status_code == 200
            assert r.headers["content-type"].startswith("text/event-stream")
            assert r.headers["cache-control"] == "no-cache"
            assert r.headers["x-accel-buffering"] == "no"
            assert "content-encoding" not in r.headers
            replayed = _events(r, 1)
            assert replayed[0]["payload"] == {"n": "missed"}
            _publish(city.db, "alarm.new", city.town_other_county, n="other county")
            _publish(city.db, "alarm.new", city.village_a, n="live")
            live = _events(r, 1)
            assert live[0]["payload"] == {"n": "live"} and live[0]["kind"] == "alarm.new"
            assert live[0]["jurisdiction_code"] == city.village_a


def test_stream_by_session_cookie_and_kinds(server, app, city):
    browser = log_in(app, "town")
    cookies = {"yingji_session": browser.cookies.get("yingji_session")}
    client = httpx.Client(base_url=server.url, timeout=20, cookies=cookies)
    with client, client.stream("GET", "/api/v1/events/stream?kinds=task.changed") as r:
        assert r.status_code == 200
        _first_comment(r)
        _publish(city.db, "report.new", city.town_a, n="filtered out")
        _publish(city.db, "task.changed", city.town_b, n="sibling town")
        _publish(city.db, "task.changed", city.town_a, n="mine")
        assert _events(r, 1)[0]["payload"] == {"n": "mine"}


def test_stream_refuses_strangers_and_bad_filters(server, tokens):
    with httpx.Client(base_url=server.url, timeout=20) as client:
        r = client.get("/api/v1/events/stream")
        assert r.status_code == 401
        r = client.get(
            "/api/v1/events/stream?kinds=nonsense", headers={"Authorization": f"Bearer {tokens['duty']}"}
        )
        assert r.status_code == 422
        assert r.json()["error"]["code"] == "validation_failed"
        r = client.get(
            "/api/v1/events/stream?last_event_id=-3", headers={"Authorization": f"Bearer {tokens['duty']}"}
        )
        assert r.status_code == 422

"""Upstream feeds: a real HTTP server on 127.0.0.1 serves an Atom index linking CAP files; polling
imports them once (dedupe by entry and by sender + identifier)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from tests.warnings.conftest import DATA
from yingji.auth.scope import Principal
from yingji.warnings import feeds
from yingji.warnings.models import Warning, WarningFeed
from yingji.warnings.schemas import FeedIn

INDEX = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>urn:test:feed</id><title>upstream</title><updated>2026-11-24T08:00:00+08:00</updated>
  <entry><id>urn:test:1</id><title>tw</title><updated>2026-11-24T08:00:00+08:00</updated>
    <link rel="alternate" type="application/cap+xml" href="/cap/taiwan.cap"/></entry>
  <entry><id>urn:test:2</id><title>bad</title><updated>2026-11-24T08:00:00+08:00</updated>
    <link rel="alternate" type="application/cap+xml" href="/cap/invalid.cap"/></entry>
</feed>"""


@pytest.fixture
def upstream():
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            if self.path == "/index.atom":
                body = INDEX.encode()
            elif self.path.startswith("/cap/"):
                body = (DATA / self.path.rsplit("/", 1)[1]).read_bytes()
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()


def test_poll_imports_once(city, upstream):
    base, hits = upstream
    principal = Principal.system(city.city)
    with city.db.writing(principal.as_actor()) as session:
        feed = feeds.create_feed(
            session, principal, FeedIn(name="上游", url=f"{base}/index.atom", jurisdiction_code=city.city)
        )
        first = feeds.poll(session, feed)
        feed_id = feed.id
    assert first == {"entries": 2, "imported": 1, "duplicates": 0, "refused": 1}
    with city.db.writing(principal.as_actor()) as session:
        feed = session.get(WarningFeed, feed_id)
        assert feed.last_error.startswith("urn:test:2: line 9 <info>")
        second = feeds.poll(session, feed)
    assert second["imported"] == 0 and second["duplicates"] == 1
    assert hits.count("/cap/taiwan.cap") == 1
    with city.db.reading() as session:
        got = session.scalars(
            select(Warning).where(Warning.identifier == "WRA_ReservoirWarn_201405142010")
        ).all()
        assert len(got) == 1 and got[0].origin == "feed" and got[0].feed_id == feed_id

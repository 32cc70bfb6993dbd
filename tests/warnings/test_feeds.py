"""Upstream feeds: a real HTTP server on 127.0.0.1 serves an Atom index linking CAP files; polling
imports them once (dedupe by entry and by sender + identifier). Feeds come only from hosts the
administrator allows (no blind SSRF), and a feed's Cancel acts only on its own sender's warnings."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from tests.warnings.conftest import DATA, create
from yingji.auth.scope import Principal
from yingji.warnings import feedhosts, feeds
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
def upstream(city):
    hits: list[str] = []
    extra: dict[str, bytes | tuple[int, str]] = {}  # path → body, or (status, Location)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            if self.path in extra:
                body = extra[self.path]
                if isinstance(body, tuple):
                    self.send_response(body[0])
                    self.send_header("Location", body[1])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
            elif self.path == "/index.atom":
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
    admin = Principal.system()
    with city.db.writing(admin.as_actor()) as session:  # the administrator allows this test upstream
        host_id = feedhosts.add_host(session, admin, "127.0.0.1", allow_private=True).id
    yield f"http://127.0.0.1:{server.server_address[1]}", hits, extra
    server.shutdown()
    with city.db.writing(admin.as_actor()) as session:
        feedhosts.remove_host(session, admin, host_id)


def test_poll_imports_once(city, upstream):
    base, hits, _ = upstream
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


def _feed(city, url: str, kind: str = "cap", code: str | None = None) -> int:
    principal = Principal.system(code or city.city)
    with city.db.writing(principal.as_actor()) as session:
        feed = feeds.create_feed(
            session, principal, FeedIn(name="上游", url=url, kind=kind, jurisdiction_code=code or city.city)
        )
        return feed.id


def _poll(city, feed_id: int) -> tuple[dict, str | None]:
    with city.db.writing(Principal.system().as_actor()) as session:
        feed = session.get(WarningFeed, feed_id)
        counts = feeds.poll(session, feed)
        return counts, feed.last_error


def test_feed_addresses_only_from_allowed_public_hosts(api, city, upstream):
    town = api("town")
    for url, code in [
        ("file:///etc/passwd", None),
        ("gopher://127.0.0.1:70/", None),
        ("http://user:pw@127.0.0.1/feed", "feed_url_refused"),
        ("http://localhost:5432/", "feed_url_refused"),  # not on the list (only 127.0.0.1 is)
        ("http://169.254.169.254/latest/meta-data/", "feed_url_refused"),
        ("http://10.0.0.1/feed", "feed_url_refused"),
    ]:
        r = town.post("/api/v1/warnings/feeds", json={"name": "x", "url": url, "kind": "cap"})
        assert r.status_code == 422, (url, r.text)
        if code:
            assert r.json()["error"]["code"] == code, (url, r.text)
    # an allowed name that resolves to loopback, without allow_private: refused
    admin = api("admin")
    entry = admin.post("/api/v1/warnings/feed-hosts", json={"pattern": "LOCALHOST."})
    assert entry.status_code == 201 and entry.json()["pattern"] == "localhost"
    r = town.post("/api/v1/warnings/feeds", json={"name": "x", "url": "http://localhost:1/", "kind": "cap"})
    assert r.status_code == 422 and "127.0.0.1" in r.json()["error"]["message_en"]
    assert admin.delete(f"/api/v1/warnings/feed-hosts/{entry.json()['id']}").status_code == 204
    # only the administrator sets the list
    assert town.post("/api/v1/warnings/feed-hosts", json={"pattern": "evil.example"}).status_code == 403
    assert api("county").post("/api/v1/warnings/feed-hosts", json={"pattern": "x.example"}).status_code == 403
    assert admin.post("/api/v1/warnings/feed-hosts", json={"pattern": "bad host!"}).status_code == 422
    listed = town.get("/api/v1/warnings/feed-hosts").json()["items"]
    assert [h["pattern"] for h in listed] == ["127.0.0.1"]


def test_a_redirect_to_a_host_that_is_not_allowed_is_not_followed(city, upstream):
    base, _hits, extra = upstream
    extra["/hop"] = (302, "http://localhost:9/internal")
    extra["/ok"] = (302, "/cap/taiwan.cap")
    feed_id = _feed(city, f"{base}/hop")
    counts, error = _poll(city, feed_id)
    assert counts["imported"] == 0 and "localhost" in error
    good = _feed(city, f"{base}/ok")
    counts, error = _poll(city, good)
    assert error is None and counts["imported"] + counts["duplicates"] == 1


def test_a_feed_cancels_only_its_own_senders_warnings_from_outside(api, city, upstream):
    from tests.warnings.capbuild import message, stored_alert

    base, _hits, extra = upstream
    sender = "upstream@example.test"
    own_id, own_ref = stored_alert(city.db, city.city, sender, origin="feed")
    other_id, other_ref = stored_alert(city.db, city.city, "someone-else@example.test", origin="feed")
    # a warning issued here, whose sender the feed claims
    duty = api("duty")
    local = create(duty, city.village_a)
    published = duty.post(f"/api/v1/warnings/{local['id']}/publish").json()
    cap = duty.get(f"/api/v1/warnings/{local['id']}/cap").text
    sent = cap.split("<sent>", 1)[1].split("</sent>", 1)[0]
    local_ref = f"{published['sender']},{published['identifier']},{sent}"
    extra["/c1"] = message(sender, "urn:test:feed-cancel-own", "Cancel", [own_ref])
    extra["/c2"] = message(sender, "urn:test:feed-cancel-other", "Cancel", [other_ref])
    extra["/c3"] = message(published["sender"], "urn:test:feed-cancel-local", "Cancel", [local_ref])
    results = {path: _poll(city, _feed(city, f"{base}{path}")) for path in ("/c1", "/c2", "/c3")}
    assert results["/c1"][0]["imported"] == 1
    assert results["/c2"][0]["refused"] == 1 and "sender" in results["/c2"][1]
    assert results["/c3"][0]["refused"] == 1 and "issued here" in results["/c3"][1]
    with city.db.reading() as session:
        assert session.get(Warning, own_id).status == "lifted"
        assert session.get(Warning, other_id).status == "published"
        assert session.get(Warning, local["id"]).status == "published"
        # the refused messages left nothing behind
        assert (
            session.scalar(select(Warning.id).where(Warning.identifier == "urn:test:feed-cancel-local"))
            is None
        )


def test_the_sources_page(browser_client, city):
    admin = browser_client("admin")
    page = admin.get("/warnings/sources")
    assert page.status_code == 200 and "预警来源与授权" in page.text and "允许的预警源主机" in page.text
    r = admin.form("/warnings/sources/host-add", {"pattern": "*.weather.example.cn"}, follow_redirects=True)
    assert r.status_code == 200 and "*.weather.example.cn" in r.text
    town = browser_client("town")
    shown = town.get("/warnings/sources").text
    assert "*.weather.example.cn" in shown and "允许该主机" not in shown  # the list, not its form
    refused = town.form("/warnings/sources/feed-add", {"name": "内网", "url": "http://10.1.1.1/feed"})
    assert refused.status_code == 422 and "不在系统管理员允许的预警源主机名单中" in refused.text
    assert town.form("/warnings/sources/host-add", {"pattern": "evil.example"}).status_code == 403
    assert browser_client("viewer").get("/warnings/sources").status_code == 403
    with city.db.writing(Principal.system().as_actor()) as session:
        for host in feedhosts.list_hosts(session, Principal.system()):
            if host.pattern == "*.weather.example.cn":
                feedhosts.remove_host(session, Principal.system(), host.id)

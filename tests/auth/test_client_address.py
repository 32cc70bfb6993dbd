"""One client-address rule for throttling, tip-offs, audit rows and security events: X-Forwarded-For
only from YINGJI_TRUSTED_PROXIES, read from the right."""

from __future__ import annotations

from sqlalchemy import select

from tests.auth.helpers import client_at, fresh_user, post_login, proxied_app
from tests.conftest import PASSWORD
from yingji.auth.clientaddr import resolve
from yingji.auth.models import AuditEntry, User, UserSession
from yingji.config import load_settings


def _last_session_ip(city, username: str) -> str:
    with city.db.reading() as session:
        uid = session.scalar(select(User.id).where(User.username == username))
        return session.scalar(
            select(UserSession.ip).where(UserSession.user_id == uid).order_by(UserSession.created_at.desc())
        )


def test_spoofed_forwarded_for_from_an_untrusted_peer_is_ignored(city, clock):
    clock.freeze(clock.now())
    app = proxied_app(city, ("10.0.0.1",))
    user = fresh_user(city)
    c = client_at(app, "203.0.113.7")
    # Rotating the header does not give the guesser a fresh address each time.
    answers = [
        post_login(c, user, f"wrong-{i}-Xy", headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code
        for i in range(7)
    ]
    assert answers == [401] * 5 + [429] * 2
    ok = client_at(app, "203.0.113.8")
    assert post_login(ok, user, PASSWORD, headers={"X-Forwarded-For": "198.51.100.99"}).status_code == 303
    assert _last_session_ip(city, user) == "203.0.113.8"


def test_behind_a_trusted_proxy_the_right_most_untrusted_address_is_the_client(city):
    app = proxied_app(city, ("10.0.0.0/8",))
    user = fresh_user(city)
    lb = client_at(app, "10.0.0.5")
    spoofed = {"X-Forwarded-For": "6.6.6.6, 198.51.100.7, 10.0.0.2"}  # client wrote 6.6.6.6 itself
    assert post_login(lb, user, PASSWORD, headers=spoofed).status_code == 303
    assert _last_session_ip(city, user) == "198.51.100.7"
    with city.db.reading() as session:  # audit rows carry the same address
        row = session.scalar(select(AuditEntry).where(AuditEntry.action == "login", AuditEntry.actor == user))
        assert row.ip == "198.51.100.7"


def test_resolve_rule():
    proxies = ("10.0.0.0/8", "2001:db8::/32", "unix-socket")
    assert resolve("203.0.113.1", ["1.2.3.4"], proxies) == "203.0.113.1"  # not from a proxy
    assert resolve("10.1.1.1", ["1.2.3.4, 198.51.100.2:5555"], proxies) == "198.51.100.2"
    assert resolve("10.1.1.1", ["1.2.3.4", "198.51.100.3, 10.9.9.9"], proxies) == "198.51.100.3"
    assert resolve("2001:db8::1", ["[2001:db9::5]:443"], proxies) == "2001:db9::5"
    assert resolve("10.1.1.1", ["10.2.2.2, 10.3.3.3"], proxies) == "10.2.2.2"  # all ours: the first
    assert resolve("10.1.1.1", [], proxies) == "10.1.1.1"
    assert resolve("unix-socket", ["198.51.100.4"], proxies) == "198.51.100.4"
    assert resolve("10.1.1.1", ["1.2.3.4"], ()) == "10.1.1.1"  # nothing trusted by default


def test_trusted_proxies_come_from_the_environment(tmp_path):
    settings = load_settings(
        {"YINGJI_VAR_DIR": str(tmp_path), "YINGJI_TRUSTED_PROXIES": " 10.0.0.1, 10.8.0.0/16 "}
    )
    assert settings.trusted_proxies == ("10.0.0.1", "10.8.0.0/16")
    assert load_settings({"YINGJI_VAR_DIR": str(tmp_path)}).trusted_proxies == ()


def _tipoff(client, town: str):
    page = client.get("/risk/tipoff")
    token = page.text.split('name="tipoff_token" value="', 1)[1].split('"', 1)[0]
    data = {"tipoff_token": token, "town": town, "what": "河边护栏缺失,孩子常去玩水"}
    return client.post("/risk/tipoff", data=data, follow_redirects=False)


def test_tip_offs_behind_a_load_balancer_are_limited_per_resident_not_per_balancer(city, clock):
    """Defect: behind a balancer the whole city shared one address, so 5 tip-offs an hour in all."""
    from datetime import UTC, datetime

    clock.freeze(datetime(2032, 4, 1, 3, 0, tzinfo=UTC))  # an hour of its own for the limit
    app = proxied_app(city, ("10.0.0.1",))
    lb = client_at(app, "10.0.0.1")
    for n in range(8):  # eight residents, one report each
        lb.headers["X-Forwarded-For"] = f"198.51.100.{n + 1}"
        assert _tipoff(lb, city.town_a).status_code == 303
    lb.headers["X-Forwarded-For"] = "198.51.100.1"  # one resident, many reports: still limited
    answers = [_tipoff(lb, city.town_a).status_code for _ in range(5)]
    assert answers[-1] == 429

"""Login, sessions, CSRF, throttling and API tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import PASSWORD, log_in
from yingji.auth import service
from yingji.auth.models import SecurityEvent
from yingji.auth.scope import Principal
from yingji.core.db import Actor


@pytest.fixture
def fresh_user(city):
    """A user of its own, so locking it out disturbs no other test."""
    import uuid

    name = f"u{uuid.uuid4().hex[:8]}"
    with city.db.writing(Actor.system("tests")) as session:
        service.create_user(
            session,
            Principal.system(),
            username=name,
            password=PASSWORD,
            display_name=name,
            role="duty_officer",
            jurisdiction_code=city.city,
        )
    return name


def _post_login(client: TestClient, username: str, password: str, next_url: str = "/"):
    client.get("/login")
    return client.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "next": next_url,
            "login_csrf": client.cookies.get("yingji_login_csrf"),
        },
        follow_redirects=False,
    )


def test_login_page_is_chinese_by_default(app):
    with TestClient(app) as c:
        r = c.get("/login")
    assert r.status_code == 200
    assert "登录" in r.text and 'lang="zh-CN"' in r.text


def test_pages_redirect_to_login(app):
    with TestClient(app) as c:
        r = c.get("/people?q=x", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/login?next=/people")


def test_login_sets_a_safe_session_cookie(app, fresh_user):
    with TestClient(app) as c:
        r = _post_login(c, fresh_user, PASSWORD, "/places")
    assert r.status_code == 303 and r.headers["location"] == "/places"
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("yingji_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie


def test_login_refuses_open_redirects(app, fresh_user):
    with TestClient(app) as c:
        r = _post_login(c, fresh_user, PASSWORD, "//evil.example/")
    assert r.headers["location"] == "/"


def test_wrong_password_is_refused_and_recorded(app, city, fresh_user):
    with TestClient(app) as c:
        r = _post_login(c, fresh_user, "not-the-password1")
    assert r.status_code == 401
    assert "用户名或密码错误" in r.text
    with city.db.reading() as session:
        entry = session.scalar(
            select(SecurityEvent).where(
                SecurityEvent.kind == "login_failed", SecurityEvent.username == fresh_user
            )
        )
    assert entry is not None and entry.ip == "testclient" and entry.jurisdiction_code == city.city


def test_login_without_the_form_token_is_refused(app, fresh_user):
    with TestClient(app) as c:
        r = c.post("/login", data={"username": fresh_user, "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 403


def test_five_failures_make_this_client_wait(app, fresh_user, clock):
    """After five wrong passwords the client that sent them waits (2 s, then doubling), even with
    the right password; the wait is said in the page and in Retry-After."""
    clock.freeze(clock.now())
    with TestClient(app) as c:
        for _ in range(5):
            assert _post_login(c, fresh_user, "wrong-password-1").status_code == 401
        locked = _post_login(c, fresh_user, PASSWORD)
        assert locked.status_code == 429
        assert "秒后再试" in locked.text and locked.headers["Retry-After"] == "2"
        clock.advance(timedelta(seconds=3))
        assert _post_login(c, fresh_user, PASSWORD).status_code == 303


def test_form_posts_need_the_csrf_token(app):
    c = log_in(app, "duty")
    r = c.post("/logout", data={}, follow_redirects=False)
    assert r.status_code == 403
    assert "表单已过期" in r.text
    r = c.form("/logout", follow_redirects=False)
    assert r.status_code == 303
    assert c.get("/", follow_redirects=False).status_code == 303  # logged out


def test_api_without_credentials_answers_401_in_both_languages(app):
    with TestClient(app) as c:
        r = c.get("/api/v1/me")
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == "Bearer"
    body = r.json()["error"]
    assert body["code"] == "unauthenticated"
    assert body["message"] == "请先登录。" and body["message_en"] == "Please log in."


def test_bad_token_is_refused(app):
    with TestClient(app) as c:
        r = c.get("/api/v1/me", headers={"Authorization": "Bearer yj_nonsense"})
    assert r.status_code == 401


def test_token_lifecycle(api, city):
    me = api("duty").get("/api/v1/me").json()
    assert me["username"] == "duty" and "contact.phone" in me["permissions"]
    created = api("duty").post("/api/v1/me/tokens", json={"name": "script"})
    assert created.status_code == 201
    secret = created.json()["token"]
    with TestClient(api("duty").app) as c:
        c.headers["Authorization"] = f"Bearer {secret}"
        assert c.get("/api/v1/me").status_code == 200
        assert c.delete(f"/api/v1/tokens/{created.json()['id']}").status_code == 204
        assert c.get("/api/v1/me").status_code == 401


def test_users_are_managed_by_admins_only(api, city):
    new = {
        "username": "new_county_user",
        "password": "Tongren#Flood2026",
        "display_name": "新用户",
        "role": "county_officer",
        "jurisdiction_code": "520602000000",
    }
    assert api("duty").post("/api/v1/users", json=new).status_code == 403
    r = api("admin").post("/api/v1/users", json=new)
    assert r.status_code == 201, r.text
    assert r.json()["jurisdiction_code"] == "520602"
    again = api("admin").post("/api/v1/users", json=new)
    assert again.status_code == 409
    weak = api("admin").post("/api/v1/users", json=new | {"username": "weak_pw", "password": "short"})
    assert weak.status_code == 422
    assert any(d["field"] == "password" for d in weak.json()["error"]["details"])

"""Accounts: token expiry and revocation, disabling, roles, resets and the password policy; each
action checked against the administrator's hold on that user, and audited."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.auth.helpers import STRONG, client_at, fresh_user, post_login, proxied_app, token_for, user_id
from tests.conftest import PASSWORD, log_in
from yingji.auth import passwords, service
from yingji.auth.models import ApiToken, AuditEntry
from yingji.core.db import Actor


def bearer(app, secret: str) -> TestClient:
    c = TestClient(app, raise_server_exceptions=False)
    c.headers["Authorization"] = f"Bearer {secret}"
    return c


def test_a_password_reset_ends_tokens_and_sessions(app, api, city):
    """Defect: a reset left the user's API tokens working."""
    name = fresh_user(city)
    secret = token_for(city, name)
    browser = log_in(app, name)
    assert bearer(app, secret).get("/api/v1/me").status_code == 200
    r = api("admin").post(f"/api/v1/users/{user_id(city, name)}/password", json={"password": STRONG})
    assert r.status_code == 200, r.text
    assert r.json() == {"sessions": 1, "tokens": 1}
    assert bearer(app, secret).get("/api/v1/me").status_code == 401
    assert browser.get("/", follow_redirects=False).status_code == 303  # to the login page
    assert post_login(client_at(app, "198.51.100.40"), name, STRONG).status_code == 303


def test_the_command_line_reset_ends_tokens_too(app, city):
    name = fresh_user(city)
    secret = token_for(city, name)
    from yingji.auth.models import User

    with city.db.writing(Actor.system("tests")) as session:
        user = session.scalar(select(User).where(User.username == name))
        assert service.set_password(session, user, STRONG)["tokens"] == 1
    assert bearer(app, secret).get("/api/v1/me").status_code == 401


def test_tokens_expire_after_ninety_days(app, city, clock):
    """Defect: tokens never expired."""
    name = fresh_user(city)
    owner = bearer(app, token_for(city, name))
    made = owner.post("/api/v1/me/tokens", json={"name": "gateway"})
    assert made.status_code == 201
    secret = made.json()["token"]
    clock.freeze(clock.now() + timedelta(days=89))
    assert bearer(app, secret).get("/api/v1/me").status_code == 200
    clock.advance(timedelta(days=2))
    r = bearer(app, secret).get("/api/v1/me")
    assert r.status_code == 401 and r.json()["error"]["message"] == "API 令牌已过期。"


def test_token_lifetime_is_configured_and_cannot_be_stretched(city):
    app = proxied_app(city, (), token_days=7)
    name = fresh_user(city)
    owner = bearer(app, token_for(city, name))
    made = owner.post("/api/v1/me/tokens", json={"name": "short"}).json()
    listed = {t["id"]: t for t in owner.get("/api/v1/me/tokens").json()}
    assert listed[made["id"]]["state"] == "valid"
    long = owner.post("/api/v1/me/tokens", json={"name": "long", "expires_at": "2099-01-01T00:00:00Z"})
    assert long.status_code == 422 and long.json()["error"]["details"][0]["field"] == "expires_at"


def test_an_admin_lists_and_revokes_a_users_tokens(app, api, city):
    name = fresh_user(city)
    uid = user_id(city, name)
    first, second = token_for(city, name), token_for(city, name)
    admin = api("admin")
    listed = admin.get(f"/api/v1/users/{uid}/tokens").json()
    assert len(listed) == 2 and {t["state"] for t in listed} == {"valid"}
    assert all(first not in str(t) for t in listed)  # never the secret
    assert admin.delete(f"/api/v1/tokens/{listed[0]['id']}").status_code == 204
    assert {t["state"] for t in admin.get(f"/api/v1/users/{uid}/tokens").json()} == {"valid", "revoked"}
    assert admin.delete(f"/api/v1/users/{uid}/tokens").json() == {"revoked": 1}
    assert bearer(app, first).get("/api/v1/me").status_code == 401
    assert bearer(app, second).get("/api/v1/me").status_code == 401
    with city.db.reading() as session:
        ids = [t["id"] for t in listed]
        audited = session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "api_tokens", AuditEntry.action == "update")
        ).all()
        assert {int(a.entity_id) for a in audited if "revoked_at" in (a.after or {})} >= set(ids)
    # Someone else's tokens are not a viewer's business, nor a town officer's.
    assert api("town").get(f"/api/v1/users/{uid}/tokens").status_code == 403


def test_a_disabled_user_is_out_at_once(app, api, city):
    name = fresh_user(city)
    uid = user_id(city, name)
    secret = token_for(city, name)
    browser = log_in(app, name)
    admin = api("admin")
    r = admin.patch(f"/api/v1/users/{uid}", json={"active": False})
    assert r.status_code == 200 and r.json()["active"] is False
    assert bearer(app, secret).get("/api/v1/me").status_code == 401
    assert browser.get("/", follow_redirects=False).status_code == 303
    refused = post_login(client_at(app, "198.51.100.41"), name, PASSWORD)
    assert refused.status_code == 403 and "已被停用" in refused.text
    assert admin.patch(f"/api/v1/users/{uid}", json={"active": True}).json()["active"] is True
    assert bearer(app, secret).get("/api/v1/me").status_code == 200  # tokens were dormant, not revoked
    assert browser.get("/", follow_redirects=False).status_code == 303  # sessions stay closed
    with city.db.reading() as session:
        changes = session.scalars(
            select(AuditEntry.after).where(
                AuditEntry.entity == "users", AuditEntry.entity_id == str(uid), AuditEntry.action == "update"
            )
        ).all()
        assert {"active": False} in changes and {"active": True} in changes


def test_a_role_change_is_audited_and_applies_on_the_next_request(app, api, city):
    name = fresh_user(city)
    uid = user_id(city, name)
    secret = token_for(city, name)
    assert "warning.publish" in bearer(app, secret).get("/api/v1/me").json()["permissions"]
    r = api("admin").patch(f"/api/v1/users/{uid}", json={"role": "viewer"})
    assert r.status_code == 200 and r.json()["role"] == "viewer"
    assert "warning.publish" not in bearer(app, secret).get("/api/v1/me").json()["permissions"]
    with city.db.reading() as session:
        row = session.scalar(
            select(AuditEntry).where(
                AuditEntry.entity == "users", AuditEntry.entity_id == str(uid), AuditEntry.action == "update"
            )
        )
        assert row.before == {"role": "duty_officer"} and row.after == {"role": "viewer"}
    assert api("admin").patch(f"/api/v1/users/{uid}", json={"role": "emperor"}).status_code == 422


def test_no_one_changes_their_own_role_or_disables_themselves(api, city):
    admin = api("admin")
    me = admin.get("/api/v1/me").json()
    assert admin.patch(f"/api/v1/users/{me['id']}", json={"role": "viewer"}).status_code == 403
    assert admin.patch(f"/api/v1/users/{me['id']}", json={"active": False}).status_code == 403
    assert admin.get("/api/v1/me").json()["role"] == "admin"


def test_a_county_admin_manages_only_below_itself(app, api, city):
    county_admin = fresh_user(city, role="admin", code=city.county_a)
    other_admin = fresh_user(city, role="admin", code=city.county_a)  # a peer
    mine = fresh_user(city, code=city.town_a)
    theirs = fresh_user(city, code=city.town_other_county)
    c = bearer(app, token_for(city, county_admin))
    # Outside the county: not even visible.
    assert c.patch(f"/api/v1/users/{user_id(city, theirs)}", json={"active": False}).status_code == 404
    assert c.patch(f"/api/v1/users/{user_id(city, 'admin')}", json={"active": False}).status_code == 404
    # No city-level account, no peer administrator.
    new = {"username": "cityadm_x", "password": STRONG, "display_name": "x", "role": "admin"}
    assert c.post("/api/v1/users", json=new | {"jurisdiction_code": city.city}).status_code == 403
    assert c.post("/api/v1/users", json=new | {"jurisdiction_code": city.county_a}).status_code == 403
    assert c.patch(f"/api/v1/users/{user_id(city, other_admin)}", json={"active": False}).status_code == 403
    assert (
        c.post(f"/api/v1/users/{user_id(city, other_admin)}/password", json={"password": STRONG}).status_code
        == 403
    )
    # Inside and below: allowed, including making a town's administrator.
    assert c.patch(f"/api/v1/users/{user_id(city, mine)}", json={"role": "admin"}).status_code == 200
    # Only administrators manage users at all.
    duty = api("duty")
    assert duty.patch(f"/api/v1/users/{user_id(city, mine)}", json={"active": False}).status_code == 403


def test_password_policy(api, city, monkeypatch):
    """Defect: 'password1' and the published demo password were accepted."""
    admin = api("admin")
    base = {"display_name": "x", "role": "viewer", "jurisdiction_code": city.county_a}

    def problems(username: str, password: str) -> list[str]:
        r = admin.post("/api/v1/users", json=base | {"username": username, "password": password})
        if r.status_code == 201:
            return []
        assert r.status_code == 422, r.text
        return [d["message_en"] for d in r.json()["error"]["details"] if d["field"] == "password"]

    monkeypatch.setattr(passwords, "_demo_allowed", False)  # as in production
    assert "The password must have at least 10 characters." in problems("pol_a", "password1")
    assert problems("pol_b", "password1234")[0].startswith("This password is on a list")
    assert problems("pol_c", "Password2026!")[0].startswith("This password is on a list")
    assert problems("pol_d", "qwertyuiop123")[0].startswith("This password is on a list")
    assert problems("pol_e", PASSWORD) == ["The published demo password cannot be used."]
    assert problems("pol_wang9", "pol_wang9-2026x") == ["The password must not contain the user name."]
    zh = admin.post("/api/v1/users", json=base | {"username": "pol_f", "password": "password1234"})
    assert "常见" in zh.json()["error"]["details"][0]["message"]
    assert problems("pol_g", STRONG) == []


def test_own_password_change_ends_everything_and_counts_wrong_guesses(app, city, clock):
    clock.freeze(clock.now())
    name = fresh_user(city)
    secret = token_for(city, name)
    me = bearer(app, secret)
    wrong = [
        me.post(
            "/api/v1/me/password", json={"current_password": f"nope-{i}-x", "password": STRONG}
        ).status_code
        for i in range(7)
    ]
    assert wrong[:5] == [422] * 5 and wrong[5:] == [429, 429]  # a stolen token cannot guess it fast
    clock.advance(timedelta(minutes=20))
    r = me.post("/api/v1/me/password", json={"current_password": PASSWORD, "password": STRONG})
    assert r.status_code == 200 and r.json()["tokens"] == 1
    assert me.get("/api/v1/me").status_code == 401


def test_own_password_page_keeps_this_browser_signed_in(app, city):
    name = fresh_user(city)
    browser = log_in(app, name)
    other = log_in(app, name)
    page = browser.get("/account/password")
    assert page.status_code == 200 and "修改密码" in page.text
    r = browser.form(
        "/account/password",
        {"current_password": PASSWORD, "password": STRONG, "password_again": STRONG},
        follow_redirects=False,
    )
    assert r.status_code == 303
    done = browser.get(r.headers["location"])
    assert done.status_code == 200 and "已修改" in done.text
    assert other.get("/", follow_redirects=False).status_code == 303  # the other session ended


def test_admin_user_page_actions(app, city, browser_client):
    name = fresh_user(city)
    uid = user_id(city, name)
    token_for(city, name)
    admin = browser_client("admin")
    page = admin.get(f"/admin/users/{uid}")
    assert page.status_code == 200 and "API 令牌" in page.text and "停用账号" in page.text
    made = admin.form(f"/admin/users/{uid}/tokens", {"name": "网关"})
    assert made.status_code == 200 and "yj_" in made.text
    r = admin.form(f"/admin/users/{uid}/role", {"role": "viewer"}, follow_redirects=False)
    assert r.status_code == 303
    assert (
        admin.form(f"/admin/users/{uid}/active", {"active": "0"}, follow_redirects=False).status_code == 303
    )
    assert "已停用" in admin.get(f"/admin/users/{uid}").text
    weak = admin.form(f"/admin/users/{uid}/password", {"password": "password1"})
    assert weak.status_code == 422 and "至少 10 个字符" in weak.text
    assert admin.form(f"/admin/users/{uid}/tokens/revoke", {}, follow_redirects=False).status_code == 303
    with city.db.reading() as session:
        assert all(t.revoked_at for t in session.scalars(select(ApiToken).where(ApiToken.user_id == uid)))
    own = admin.get(f"/admin/users/{user_id(city, 'admin')}")
    assert "停用账号" not in own.text  # no self-disable button
    refused = admin.form(f"/admin/users/{user_id(city, 'admin')}/active", {"active": "0"})
    assert refused.status_code == 403

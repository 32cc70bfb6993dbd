"""Refusals are recorded as security events: in their own transaction, counted per principal, kind
and minute so a flood cannot fill the disk, and shown to the administrator of the jurisdiction."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.auth.helpers import client_at, fresh_user, post_login, token_for
from tests.conftest import log_in
from yingji.auth import security
from yingji.auth.models import SecurityEvent
from yingji.auth.scope import Principal
from yingji.core.db import Actor
from yingji.core.i18n import N_
from yingji.org.models import Person


def events(city, **where) -> list[SecurityEvent]:
    with city.db.reading() as session:
        stmt = select(SecurityEvent).order_by(SecurityEvent.id)
        for key, value in where.items():
            stmt = stmt.where(getattr(SecurityEvent, key) == value)
        return list(session.scalars(stmt))


def person_in(city, prefix: str) -> Person:
    with city.db.reading() as session:
        return session.scalar(select(Person).where(Person.jurisdiction_code.startswith(prefix)).limit(1))


def as_user(app, city, username: str) -> TestClient:
    c = TestClient(app, raise_server_exceptions=False)
    c.headers["Authorization"] = f"Bearer {token_for(city, username)}"
    return c


def test_a_denied_write_is_recorded_and_the_write_rolled_back(app, city):
    """Defect: denied attempts left no audit row."""
    officer = fresh_user(city, role="town_officer", code=city.town_a)
    theirs = person_in(city, city.town_b)
    r = as_user(app, city, officer).patch(f"/api/v1/people/{theirs.id}", json={"title": "篡改"})
    assert r.status_code == 403
    [ev] = events(city, username=officer)
    assert (ev.kind, ev.method, ev.status, ev.jurisdiction_code) == (
        "out_of_jurisdiction",
        "PATCH",
        403,
        theirs.jurisdiction_code,
    )
    assert ev.user_jurisdiction_code == city.town_a and ev.path == f"/api/v1/people/{theirs.id}"
    with city.db.reading() as session:
        assert session.get(Person, theirs.id).title != "篡改"


def test_a_missing_permission_is_recorded(app, city):
    viewer = fresh_user(city, role="viewer")
    r = as_user(app, city, viewer).post(
        "/api/v1/people", json={"name": "越权", "jurisdiction_code": city.town_a}
    )
    assert r.status_code == 403
    [ev] = events(city, username=viewer)
    assert ev.kind == "forbidden" and ev.note == "perm:people.write"


def test_probes_outside_the_jurisdiction_are_recorded_but_a_missing_record_is_not(app, city):
    officer = fresh_user(city, role="town_officer", code=city.town_a)
    c = as_user(app, city, officer)
    theirs = person_in(city, city.town_b)
    assert c.get("/api/v1/people/987654321").status_code == 404  # no such record: not a probe
    assert c.get(f"/api/v1/people/{person_in(city, city.town_a).id}").status_code == 200
    assert events(city, username=officer) == []
    assert c.get(f"/api/v1/people/{theirs.id}").status_code == 404
    assert c.get(f"/api/v1/people/{theirs.id}").status_code == 404
    [ev] = events(city, username=officer)  # the same minute: one row, counted
    assert (ev.kind, ev.entity, ev.entity_id, ev.jurisdiction_code, ev.count) == (
        "scope_probe",
        "people",
        str(theirs.id),
        theirs.jurisdiction_code,
        2,
    )


def test_narrowing_a_list_to_a_place_outside_is_a_probe(app, city):
    officer = fresh_user(city, role="town_officer", code=city.town_a)
    assert as_user(app, city, officer).get(f"/api/v1/people?within={city.town_b}").status_code == 404
    [ev] = events(city, username=officer)
    assert (ev.kind, ev.entity, ev.entity_id) == ("scope_probe", "jurisdictions", city.town_b)


def test_a_page_probe_is_recorded_too(app, city):
    officer = fresh_user(city, role="town_officer", code=city.town_a)
    browser = log_in(app, officer)
    assert browser.get(f"/places/{city.town_b}").status_code == 404
    assert [e.kind for e in events(city, username=officer)] == ["scope_probe"]


def test_a_flood_is_one_row_per_principal_kind_and_minute(app, city, clock):
    clock.freeze(datetime(2031, 6, 1, 8, 0, 5, tzinfo=UTC))
    officer = fresh_user(city, role="town_officer", code=city.town_a)
    c = as_user(app, city, officer)
    theirs = person_in(city, city.town_b)
    for _ in range(150):
        assert c.get(f"/api/v1/people/{theirs.id}").status_code == 404
    [row] = events(city, username=officer)
    assert row.count == 150
    clock.advance(security_minute())
    assert c.get(f"/api/v1/people/{theirs.id}").status_code == 404
    assert [e.count for e in events(city, username=officer)] == [150, 1]


def security_minute():
    from datetime import timedelta

    return timedelta(minutes=1)


def test_a_flood_from_many_addresses_is_folded(app, city, clock, monkeypatch):
    monkeypatch.setattr(security, "NEW_ROWS_PER_MINUTE", 3)
    clock.freeze(datetime(2031, 6, 2, 9, 30, 5, tzinfo=UTC))
    with city.db.reading() as session:
        before = session.scalar(select(func.count()).select_from(SecurityEvent))
    for n in range(10):
        bot = client_at(app, f"192.0.2.{n + 10}")
        assert bot.get("/api/v1/me", headers={"Authorization": f"Bearer yj_forged{n}"}).status_code == 401
    with city.db.reading() as session:
        rows = session.scalars(
            select(SecurityEvent).where(SecurityEvent.id > 0).order_by(SecurityEvent.id)
        ).all()
        assert session.scalar(select(func.count()).select_from(SecurityEvent)) - before == 4
    tail = [r for r in rows if r.kind == "invalid_token"][-4:]
    assert [r.count for r in tail] == [1, 1, 1, 7]
    assert tail[-1].ip is None and "|*|" in tail[-1].bucket


def test_failed_logins_csrf_failures_and_bad_tokens_are_recorded(app, city):
    name = fresh_user(city)
    assert post_login(client_at(app, "198.51.100.77"), name, "wrong-pass-1x").status_code == 401
    browser = log_in(app, name)
    assert browser.post("/logout", data={}, follow_redirects=False).status_code == 403
    bad = client_at(app, "198.51.100.78")
    assert bad.get("/api/v1/me", headers={"Authorization": "Bearer yj_forged_token"}).status_code == 401
    kinds = {(e.kind, e.ip) for e in events(city, username=name)}
    assert ("login_failed", "198.51.100.77") in kinds and ("csrf_failed", "testclient") in kinds
    assert [(e.note, e.entity_id) for e in events(city, ip="198.51.100.78")] == [
        ("token:unknown", "yj_forged_")
    ]


def test_other_domains_record_their_own_refusals(city):
    """The function the warnings domain calls for a refused CAP Update/Cancel (and its label)."""
    security.register_kind("cap_refused_test", N_("Refused: no permission"))
    principal = Principal.system(what="feed")
    with city.db.writing(Actor.system("tests")) as session:  # in the caller's transaction
        security.record(
            session,
            principal,
            "cap_refused_test",
            entity="warnings",
            entity_id=1,
            jurisdiction_code=city.city,
        )
    security.record(city.db, principal, "cap_refused_test", entity="warnings", entity_id=2, note="own")
    rows = events(city, kind="cap_refused_test")
    assert [r.count for r in rows] == [2] and rows[0].entity_id == "1"  # same principal, same minute


def test_the_page_filters_and_stays_in_the_jurisdiction(app, city, browser_client):
    mine = fresh_user(city, role="town_officer", code=city.town_a)
    theirs = fresh_user(city, role="town_officer", code=city.town_other_county)
    as_user(app, city, mine).get(f"/api/v1/people/{person_in(city, city.town_b).id}")
    as_user(app, city, theirs).get(f"/api/v1/people/{person_in(city, city.county_a).id}")
    admin = browser_client("admin")
    page = admin.get("/admin/security", params={"kind": "scope_probe"})
    assert page.status_code == 200 and "越权查探" in page.text and "安全事件" in page.text
    assert mine in page.text and theirs in page.text
    assert mine not in admin.get("/admin/security", params={"user": theirs}).text
    county_admin = fresh_user(city, role="admin", code=city.county_b)
    c = log_in(app, county_admin)
    own = c.get("/admin/security")
    # The 520603 officer's probe into 520602 concerns them (their user); the other does not.
    assert theirs in own.text and mine not in own.text
    api = as_user(app, city, county_admin).get("/api/v1/security-events", params={"user": mine})
    assert api.status_code == 200 and api.json()["total"] == 0
    assert as_user(app, city, mine).get("/api/v1/security-events").status_code == 403


def test_a_refusal_raised_outside_the_scope_helpers_is_recorded_too(app, city):
    """Every 403 answer counts, e.g. an administrator trying to disable themselves."""
    admin = fresh_user(city, role="admin", code=city.town_a)
    c = as_user(app, city, admin)
    me = c.get("/api/v1/me").json()
    assert c.patch(f"/api/v1/users/{me['id']}", json={"active": False}).status_code == 403
    [ev] = events(city, username=admin)
    assert (ev.kind, ev.method, ev.path, ev.status) == (
        "forbidden",
        "PATCH",
        f"/api/v1/users/{me['id']}",
        403,
    )


def test_notes_are_shown_in_words():
    from yingji.core import i18n

    token = i18n.set_locale("zh_CN")
    try:
        assert security.describe("token:expired") == "令牌已过期"
        assert security.describe("perm:people.write") == "需要权限 管理人员"  # the permission in words
        assert security.describe("perm:no.such") == "需要权限 no.such"
        assert security.describe("written by a domain") == "written by a domain"
    finally:
        i18n.reset_locale(token)

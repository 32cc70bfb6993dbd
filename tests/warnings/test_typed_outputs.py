"""Every warnings route declares what it answers, and typing the lifecycle routes left their JSON as
clients knew it: each answer equals the untyped form (``api.detail`` through ``jsonable_encoder``,
what the routes sent before) key for key, times with "+00:00"."""

from __future__ import annotations

from fastapi.encoders import jsonable_encoder
from fastapi.routing import APIRoute

from tests.warnings.conftest import create, publish_blue
from yingji.warnings import api as warnings_api
from yingji.warnings import queries
from yingji.warnings.schemas import WarningDetailOut


def _untyped(city, warning_id: int, principal_of) -> dict:
    with city.db.reading() as session:
        warning = queries.get_warning(session, principal_of, warning_id)
        return jsonable_encoder(warnings_api.detail(session, warning))


def _principal(city, username: str):
    from sqlalchemy import select

    from yingji.auth.models import User
    from yingji.auth.scope import Principal

    with city.db.reading() as session:
        return Principal.of(session.scalar(select(User).where(User.username == username)))


def test_every_warnings_route_declares_its_answer():
    routes = [r for r in warnings_api.router.routes if isinstance(r, APIRoute)]
    untyped = [
        f"{sorted(r.methods)} {r.path}"
        for r in routes
        if r.response_model is None and r.status_code != 204 and not r.path.endswith("/cap")
    ]
    assert untyped == []
    lifecycle = {"submit", "approve", "reject", "publish", "return", "update", "lift"}
    for r in routes:
        if r.path.rsplit("/", 1)[-1] in lifecycle or r.path == "/api/v1/warnings/{warning_id}":
            assert r.response_model is WarningDetailOut, r.path
    download = next(r for r in routes if r.path.endswith("/{warning_id}/cap"))
    assert download.response_class.__name__ == "Response"


def test_lifecycle_answers_keep_their_json(api, city):
    county, commander = api("county"), api("commander")
    county_p = _principal(city, "county")

    def same(r, status: int = 200) -> dict:
        assert r.status_code == status, r.text
        body = r.json()
        assert body == _untyped(city, body["id"], county_p)
        return body

    # red: submit → reject → (edit) submit → approve → return → submit → approve → publish
    w = create(county, city.village_a, "red")
    assert same(county.get(f"/api/v1/warnings/{w['id']}"))["status"] == "draft"
    same(county.post(f"/api/v1/warnings/{w['id']}/submit"))
    same(commander.post(f"/api/v1/warnings/{w['id']}/reject", json={"note": "范围不准"}))
    same(county.post(f"/api/v1/warnings/{w['id']}/submit"))
    same(commander.post(f"/api/v1/warnings/{w['id']}/approve", json={"note": "同意"}))
    back = same(commander.post(f"/api/v1/warnings/{w['id']}/return", json={"reason": "补充防御指南"}))
    assert back["status"] == "draft" and back["review_note"] == "补充防御指南"
    same(county.post(f"/api/v1/warnings/{w['id']}/submit"))
    same(commander.post(f"/api/v1/warnings/{w['id']}/approve", json={"note": "同意"}))
    published = same(county.post(f"/api/v1/warnings/{w['id']}/publish"))
    assert published["status"] == "published" and published["sent"].endswith("+00:00")
    assert published["infos"] and published["infos"][0]["areas"] and published["chain"]
    # blue: update and lift
    first = publish_blue(county, city.village_a)
    assert first == _untyped(city, first["id"], county_p)
    upd = same(county.post(f"/api/v1/warnings/{first['id']}/update"), 201)
    assert upd["msg_type"] == "Update"
    lifted = same(county.post(f"/api/v1/warnings/{first['id']}/lift", json={"reason": "降雨已结束"}))
    assert lifted["msg_type"] == "Cancel"


def test_list_and_versions_keep_their_json(api, city):
    county = api("county")
    w = publish_blue(county, city.village_a)
    listed = county.get("/api/v1/warnings", params={"q": w["headline"], "size": 200}).json()
    row = next(i for i in listed["items"] if i["id"] == w["id"])
    assert row == {k: w[k] for k in row} and set(row) < set(w)
    versions = county.get(f"/api/v1/warnings/{w['id']}/versions").json()["items"]
    assert [v["action"] for v in versions][-1] == "published" and versions[-1]["at"].endswith("+00:00")
    assert county.get(f"/api/v1/warnings/{w['id']}/check").json() == {"missing": []}
    assert "source" in county.get(f"/api/v1/warnings/{w['id']}/preview").json()


def test_validate_answers_only_what_applies(api, cap_bytes):
    duty = api("duty")
    ok = duty.post(
        "/api/v1/warnings/validate",
        content=cap_bytes["taiwan.cap"],
        headers={"Content-Type": "application/xml"},
    ).json()
    assert ok == {"valid": True, "cap_version": "1.2", "identifier": "WRA_ReservoirWarn_201405142010"}
    bad = duty.post(
        "/api/v1/warnings/validate",
        content=cap_bytes["invalid.cap"],
        headers={"Content-Type": "application/xml"},
    ).json()
    assert set(bad) == {"valid", "problems"} and bad["valid"] is False
    assert all({"element", "line", "text"} <= set(p) for p in bad["problems"])

"""Sessions and sign-in: idempotent by client key and by person, the first sign-in marks the session
held, scope (another town neither sees nor signs in), refusals with a reason."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import unique_mobile
from tests.training.helpers import course, held_session, people_of
from yingji.core import clock


def test_double_sign_in_is_one_person_time(city, api):
    town = api("town")
    s = held_session(town, city.town_a)
    assert s["state"] == "planned" and s["hours"] == 4
    person = people_of(city, city.town_a, 1)[0]
    url = f"/api/v1/training/sessions/{s['id']}/participants"
    first = town.post(url, json={"kind": "person", "person_id": person.id, "client_key": "key-aaaaaaaa1"})
    assert first.status_code == 201, first.text
    assert first.json()["created"] and first.json()["hours"] == 4
    # the phone retries with the same key; another organiser signs the same person in without one
    again = town.post(url, json={"kind": "person", "person_id": person.id, "client_key": "key-aaaaaaaa1"})
    other = town.post(url, json={"kind": "person", "person_id": person.id})
    assert again.status_code == 200 and other.status_code == 200
    assert again.json()["id"] == other.json()["id"] == first.json()["id"]
    # by phone number: the registry person is found, still one row
    by_phone = town.post(f"/api/v1/training/sessions/{s['id']}/sign-in", json={"mobile": person.mobile})
    assert by_phone.status_code == 200 and by_phone.json()["id"] == first.json()["id"]
    listed = town.get(url).json()
    assert listed["total"] == 1
    assert town.get(f"/api/v1/training/sessions/{s['id']}").json()["state"] == "held"
    # the key of this sign-in cannot be reused for another session
    s2 = held_session(town, city.town_a)
    reused = town.post(
        f"/api/v1/training/sessions/{s2['id']}/participants",
        json={"kind": "outsider", "name": "王五", "client_key": "key-aaaaaaaa1"},
    )
    assert reused.status_code == 409


def test_outsiders_enterprises_and_refusals(city, api):
    town = api("town")
    s = held_session(town, city.town_a)
    url = f"/api/v1/training/sessions/{s['id']}/participants"
    mobile = unique_mobile()
    r = town.post(f"/api/v1/training/sessions/{s['id']}/sign-in", json={"mobile": mobile, "name": "外来学员"})
    assert r.status_code == 201 and r.json()["kind"] == "outsider" and r.json()["role"] == "other"
    assert town.post(url, json={"kind": "outsider"}).status_code == 422  # no name
    assert town.post(url, json={"kind": "person"}).status_code == 422  # no person chosen
    assert (
        town.post(url, json={"kind": "outsider", "name": "甲", "role": "enterprise_head"}).status_code == 422
    )
    assert town.post(url, json={"kind": "outsider", "name": "甲", "hours": 9}).status_code == 422  # > session
    assert town.post(url, json={"kind": "enterprise", "enterprise_id": 1}).status_code == 422  # which role?
    # the result is recorded afterwards; a bad one is refused
    pid = r.json()["id"]
    ok = town.patch(f"{url}/{pid}", json={"result": "passed", "score": 88})
    assert ok.status_code == 200 and ok.json()["result"] == "passed"
    assert town.patch(f"{url}/{pid}", json={"result": "excellent"}).status_code == 422
    # a session in the future: nobody signs in yet; a cancelled one neither
    future = held_session(town, city.town_a, on=clock.now().date() + timedelta(days=10))
    assert (
        town.post(
            f"/api/v1/training/sessions/{future['id']}/participants", json={"kind": "outsider", "name": "乙"}
        ).status_code
        == 409
    )
    moved = town.post(f"/api/v1/training/sessions/{future['id']}/move", json={"to": "cancelled"})
    assert moved.status_code == 200 and moved.json()["state"] == "cancelled"
    assert town.post(f"/api/v1/training/sessions/{future['id']}/move", json={"to": "held"}).status_code == 409
    # dates the wrong way round
    c = course(town)
    today = clock.now().date()
    bad = town.post(
        "/api/v1/training/sessions",
        json={
            "course_id": c["id"],
            "starts_on": today.isoformat(),
            "ends_on": (today - timedelta(days=1)).isoformat(),
        },
    )
    assert bad.status_code == 422


def test_scope(city, api):
    town, town_b, county = api("town"), api("town_b"), api("county")
    s = held_session(town, city.town_a)
    assert town_b.get(f"/api/v1/training/sessions/{s['id']}").status_code == 404
    assert (
        town_b.post(
            f"/api/v1/training/sessions/{s['id']}/participants", json={"kind": "outsider", "name": "丙"}
        ).status_code
        == 404
    )
    assert county.get(f"/api/v1/training/sessions/{s['id']}").status_code == 200
    assert all(x["id"] != s["id"] for x in town_b.get("/api/v1/training/sessions?size=200").json()["items"])
    # a town cannot hold a session in another town, nor sign in a person of another county
    c = course(town)
    r = town.post(
        "/api/v1/training/sessions",
        json={
            "course_id": c["id"],
            "starts_on": clock.now().date().isoformat(),
            "jurisdiction_code": city.town_b,
        },
    )
    assert r.status_code == 403
    stranger = people_of(city, city.county_b, 1)[0]
    r = town.post(
        f"/api/v1/training/sessions/{s['id']}/participants", json={"kind": "person", "person_id": stranger.id}
    )
    assert r.status_code == 422
    # a viewer without the permission cannot create a course
    assert api("gridworker").post("/api/v1/training/courses", json={"title": "x"}).status_code == 403

"""Leader leave: report, approval by a superior only, idempotent filing, cancel, scope."""

from __future__ import annotations

import uuid

from tests.duty.conftest import link_user, make_people, post


def _leave(crew, person, **kw):
    return {
        "person_id": person,
        "unit_id": crew.unit_id,
        "starts_at": "2031-05-01T09:00:00",
        "ends_at": "2031-05-03T18:00:00+08:00",
        "destination": "北京市",
        "reason": "培训",
    } | kw


def test_a_town_leave_is_approved_by_the_county_not_by_the_town_itself(api, city, crew_factory):
    crew = crew_factory(city.town_a)
    l0, l1 = crew.ids("leaders")
    town = api("town")
    key = uuid.uuid4().hex
    r = town.post("/api/v1/duty/leaves", json=_leave(crew, l0, deputy_person_id=l1, client_key=key))
    assert r.status_code == 201, r.text
    lv = r.json()
    assert lv["status"] == "pending" and lv["starts_at"].startswith("2031-05-01T01:00")  # 09:00 local
    again = town.post("/api/v1/duty/leaves", json=_leave(crew, l0, deputy_person_id=l1, client_key=key))
    assert again.status_code == 200 and again.json()["id"] == lv["id"]  # a retried submission
    assert town.get(f"/api/v1/duty/leaves/{lv['id']}").json()["can_decide"] is False
    refused = town.post(f"/api/v1/duty/leaves/{lv['id']}/decision", json={"approve": True})
    assert refused.status_code == 403
    county = api("county")
    assert county.get(f"/api/v1/duty/leaves/{lv['id']}").json()["can_decide"] is True
    ok = county.post(f"/api/v1/duty/leaves/{lv['id']}/decision", json={"approve": True, "note": "同意"})
    assert ok.status_code == 200 and ok.json()["status"] == "approved"
    twice = county.post(f"/api/v1/duty/leaves/{lv['id']}/decision", json={"approve": False})
    assert twice.status_code == 409
    shifts = town.get(
        f"/api/v1/duty/rosters/{crew.roster_id}/shifts", params={"start": "2031-05-01", "days": 4}
    ).json()["items"]
    acting = [d["leader"]["acting_for_id"] for d in shifts]
    assert l0 in acting  # the deputy stands in on l0's shifts
    assert town.post(f"/api/v1/duty/leaves/{lv['id']}/cancel").json()["status"] == "cancelled"
    assert town.post(f"/api/v1/duty/leaves/{lv['id']}/cancel").status_code == 409


def test_the_units_chief_may_approve_but_never_their_own_leave(api, city, crew_factory):
    crew = crew_factory(city.town_a)
    chief = make_people(city.db, city.town_a, 1, "主任")[0][0]
    post(city.db, chief, crew.unit_id, city.town_a, "chief")
    before = link_user(city.db, "town", chief)
    try:
        town = api("town")
        other = town.post("/api/v1/duty/leaves", json=_leave(crew, crew.leaders[0][0])).json()
        assert (
            town.post(f"/api/v1/duty/leaves/{other['id']}/decision", json={"approve": False}).json()["status"]
            == "rejected"
        )
        own = town.post("/api/v1/duty/leaves", json=_leave(crew, chief)).json()
        assert (
            town.post(f"/api/v1/duty/leaves/{own['id']}/decision", json={"approve": True}).status_code == 403
        )
    finally:
        link_user(city.db, "town", before)


def test_leave_scope_and_bad_input(api, city, crew_factory):
    crew = crew_factory(city.town_a)
    lv = api("town").post("/api/v1/duty/leaves", json=_leave(crew, crew.leaders[0][0])).json()
    other = api("town_b")
    assert other.get(f"/api/v1/duty/leaves/{lv['id']}").status_code == 404
    assert lv["id"] not in [x["id"] for x in other.get("/api/v1/duty/leaves").json()["items"]]
    assert other.post(f"/api/v1/duty/leaves/{lv['id']}/decision", json={"approve": True}).status_code == 403
    assert other.post(f"/api/v1/duty/leaves/{lv['id']}/cancel").status_code == 403
    assert other.post("/api/v1/duty/leaves", json=_leave(crew, crew.leaders[0][0])).status_code == 403
    backwards = _leave(crew, crew.leaders[0][0], ends_at="2031-04-30T09:00:00")
    r = api("town").post("/api/v1/duty/leaves", json=backwards)
    assert r.status_code == 422 and r.json()["error"]["message"]
    self_deputy = _leave(crew, crew.leaders[0][0], deputy_person_id=crew.leaders[0][0])
    assert api("town").post("/api/v1/duty/leaves", json=self_deputy).status_code == 422
    assert api("viewer").post("/api/v1/duty/leaves", json=_leave(crew, crew.leaders[0][0])).status_code == 403

"""Rosters through the API: rotations resolved per shift, overrides and swaps (audited), scope."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from tests.duty.conftest import local, make_people, make_unit
from yingji.auth.models import AuditEntry

D0 = date(2030, 1, 1)


def _shifts(client, roster_id, start, days=3):
    r = client.get(
        f"/api/v1/duty/rosters/{roster_id}/shifts", params={"start": start.isoformat(), "days": days}
    )
    assert r.status_code == 200, r.text
    return r.json()["items"]


def _ids(people):
    return [p["person_id"] for p in people]


def test_a_town_officer_builds_their_towns_roster(api, city):
    town = api("town")
    unit = make_unit(city.db, city.town_a)
    r = town.post("/api/v1/duty/rosters", json={"unit_id": unit, "shift_start": "09:00"})
    assert r.status_code == 201, r.text
    roster = r.json()
    assert roster["shift_start"] == "09:00" and roster["jurisdiction_code"] == city.town_a
    assert town.post("/api/v1/duty/rosters", json={"unit_id": unit}).status_code == 409
    people = [p for p, _ in make_people(city.db, city.town_a, 3)]
    r = town.put(
        f"/api/v1/duty/rosters/{roster['id']}/rotations",
        json={"role": "officer", "starts_on": "2030-01-01", "members": people},
    )
    assert r.status_code == 200, r.text
    days = _shifts(town, roster["id"], D0, 4)
    assert [_ids(d["officers"]) for d in days] == [[people[0]], [people[1]], [people[2]], [people[0]]]
    assert days[0]["starts_at"].startswith("2030-01-01T01:00") and days[0]["gaps"] == ["leader"]
    # A later rotation takes over from its start date; the past stays.
    r = town.put(
        f"/api/v1/duty/rosters/{roster['id']}/rotations",
        json={"role": "officer", "starts_on": "2030-01-03", "members": people[::-1], "per_shift": 2},
    )
    assert r.status_code == 200
    days = _shifts(town, roster["id"], D0, 3)
    assert [_ids(d["officers"]) for d in days] == [[people[0]], [people[1]], [people[2], people[1]]]


def test_bad_rotations_are_refused_clearly(api, city, crew_factory):
    crew = crew_factory()
    town = api("town")
    url = f"/api/v1/duty/rosters/{crew.roster_id}/rotations"
    twice = town.put(url, json={"role": "officer", "starts_on": "2030-01-01", "members": [1, 1]})
    assert twice.status_code == 422 and twice.json()["error"]["code"] == "validation_failed"
    unknown = town.put(url, json={"role": "officer", "starts_on": "2030-01-01", "members": [10**9]})
    assert unknown.status_code == 422
    assert unknown.json()["error"]["details"][0]["message"] == "未知人员 1000000000。"
    outsider = make_people(city.db, city.town_b, 1)[0][0]  # not visible to town_a's officer
    assert (
        town.put(url, json={"role": "officer", "starts_on": "2030-01-01", "members": [outsider]}).status_code
        == 422
    )
    assert town.put(url, json={"role": "chief", "starts_on": "2030-01-01", "members": [1]}).status_code == 422
    assert town.post("/api/v1/duty/rosters", json={"unit_id": 1, "shift_start": "25:00"}).status_code == 422


def test_overrides_and_swaps_change_single_shifts_and_are_audited(api, city, crew_factory):
    crew = crew_factory()
    town = api("town")
    o0, o1, o2 = crew.ids("officers")
    extra = make_people(city.db, city.town_a, 1)[0][0]
    base = f"/api/v1/duty/rosters/{crew.roster_id}"
    r = town.post(
        f"{base}/overrides",
        json={"shift_date": "2030-01-01", "role": "officer", "person_id": extra, "replaces_person_id": o0},
    )
    assert r.status_code == 201, r.text
    override_id = r.json()["id"]
    not_on = town.post(
        f"{base}/overrides",
        json={"shift_date": "2030-01-01", "role": "officer", "person_id": extra, "replaces_person_id": o2},
    )
    assert not_on.status_code == 422
    swap = town.post(
        f"{base}/swaps",
        json={
            "role": "officer",
            "first_date": "2030-01-02",
            "first_person_id": o1,
            "second_date": "2030-01-03",
            "second_person_id": o2,
            "reason": "家中有事",
        },
    )
    assert swap.status_code == 201, swap.text
    days = _shifts(town, crew.roster_id, D0, 3)
    assert [_ids(d["officers"]) for d in days] == [[extra], [o2], [o1]]
    with city.db.reading() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "duty_overrides", AuditEntry.actor_id.is_not(None))
        ).all()
        mine = [e for e in entries if e.after and e.after.get("roster_id") == crew.roster_id]
    assert len(mine) == 3 and {e.after["kind"] for e in mine} == {"override", "swap"}
    # Undoing half of a swap undoes both halves.
    swap_ids = [o["id"] for o in swap.json()["items"]]
    assert town.delete(f"/api/v1/duty/overrides/{swap_ids[0]}").json() == {"deleted": 2}
    assert town.delete(f"/api/v1/duty/overrides/{override_id}").json() == {"deleted": 1}
    days = _shifts(town, crew.roster_id, D0, 3)
    assert [_ids(d["officers"]) for d in days] == [[o0], [o1], [o2]]


def test_scope_reads_outside_are_404_and_writes_403(api, city, crew_factory):
    crew = crew_factory(city.town_a)
    other = api("town_b")
    assert other.get(f"/api/v1/duty/rosters/{crew.roster_id}").status_code == 404
    assert other.get(f"/api/v1/duty/rosters/{crew.roster_id}/shifts").status_code == 404
    rotation = {"role": "officer", "starts_on": "2030-01-01", "members": [crew.officers[0][0]]}
    r = other.put(f"/api/v1/duty/rosters/{crew.roster_id}/rotations", json=rotation)
    assert r.status_code == 403 and r.json()["error"]["code"] == "out_of_jurisdiction"
    assert other.post("/api/v1/duty/rosters", json={"unit_id": crew.unit_id}).status_code == 403
    assert crew.roster_id not in [x["id"] for x in other.get("/api/v1/duty/rosters").json()["items"]]
    # The county and the city see it; a viewer sees it but may not change it.
    assert api("county").get(f"/api/v1/duty/rosters/{crew.roster_id}").status_code == 200
    assert api("viewer").get(f"/api/v1/duty/rosters/{crew.roster_id}").status_code == 200
    assert (
        api("viewer").put(f"/api/v1/duty/rosters/{crew.roster_id}/rotations", json=rotation).status_code
        == 403
    )
    # A town officer may not touch the county's roster.
    county_crew = crew_factory(city.county_a)
    assert api("town").get(f"/api/v1/duty/rosters/{county_crew.roster_id}").status_code == 404
    r = api("town").patch(f"/api/v1/duty/rosters/{county_crew.roster_id}", json={"gap_days": 3})
    assert r.status_code == 403
    assert (
        api("county")
        .patch(f"/api/v1/duty/rosters/{county_crew.roster_id}", json={"gap_days": 3})
        .json()["gap_days"]
        == 3
    )


def test_shifts_follow_a_moved_clock_across_midnight(api, city, crew_factory, clock):
    crew = crew_factory(starts_on=date(2030, 1, 30))
    town = api("town")
    on = []
    for at in (
        local(2030, 1, 31, 8, 29),
        local(2030, 1, 31, 8, 30),
        local(2030, 2, 1, 0, 5),
        local(2030, 2, 1, 8, 30),
    ):
        clock.freeze(at)
        items = town.get("/api/v1/duty/now", params={"unit": crew.unit_id}).json()["items"]
        on.append((items[0]["shift"]["day"], _ids(items[0]["shift"]["officers"])))
    o0, o1, o2 = crew.ids("officers")
    assert on == [("2030-01-30", [o0]), ("2030-01-31", [o1]), ("2030-01-31", [o1]), ("2030-02-01", [o2])]
    clock.freeze(local(2030, 2, 1, 8, 30) + timedelta(days=1))
    r = town.get(f"/api/v1/duty/rosters/{crew.roster_id}/shifts")
    assert r.json()["items"][0]["day"] == "2030-02-02"

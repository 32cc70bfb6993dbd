"""首接负责制 at every way in: desk, phone and API intake, a field report taken by the town's desk, a
report sent up and accepted above, a tip-off claimed, a call answered. A retried intake changes nothing."""

from __future__ import annotations

import uuid

from tests.conftest import log_in
from tests.incidents.conftest import first_report, key, point_in
from tests.ownership.conftest import owned_rows, user_id
from tests.risk.test_tipoff_rewards import tip


def test_api_intake_by_a_town_officer_makes_them_first_receiver_and_a_retry_changes_nothing(
    city, api, people
):
    client = api("town")
    lon, lat = point_in(city.db, city.village_a)
    body = {"category": "accident.fire", "lon": lon, "lat": lat}
    k = key()
    r = client.post("/api/v1/incidents", json=body, headers={"Idempotency-Key": k})
    assert r.status_code == 201, r.text
    incident = r.json()
    town_id = user_id(city.db, "town")
    assert incident["owner"]["owner_user_id"] == town_id
    assert incident["owner"]["first_how"] == "api" and incident["owner"]["holder_code"] == city.town_a
    assert [o["holder_code"] for o in incident["owners"]] == [city.town_a]
    again = client.post("/api/v1/incidents", json=body, headers={"Idempotency-Key": k})
    assert again.status_code == 200 and again.json()["created"] is False
    rows = owned_rows(city.db, "incident", incident["id"])
    assert len(rows) == 1 and rows[0].first_at.isoformat()[:19] == incident["owner"]["first_at"][:19]
    # a follow-up by a colleague of the same desk does not take it from the first receiver
    follow = api(people["colleague"]).post(
        f"/api/v1/incidents/{incident['id']}/reports", json={"text": "续报", "figures": {"injuries": 1}}
    )
    assert follow.status_code == 201, follow.text
    rows = owned_rows(city.db, "incident", incident["id"])
    assert [(r.holder_code, r.owner_user_id) for r in rows] == [(city.town_a, town_id)]


def test_desk_and_phone_intake_record_their_way_in(city, app):
    browser = log_in(app, "town")
    lon, lat = point_in(city.db, city.village_a)
    form = {"category": "accident.fire", "lon": str(lon), "lat": str(lat), "idempotency_key": key()}
    r = browser.form("/incidents/new", form, follow_redirects=False)
    assert r.status_code == 303, r.text[:400]
    desk_id = int(r.headers["location"].rsplit("/", 1)[1])
    assert [o.first_how for o in owned_rows(city.db, "incident", desk_id)] == ["desk"]
    form["idempotency_key"] = key()
    r = browser.post(
        "/incidents/phone",
        data={"csrf_token": browser.csrf, **form},
        headers={"Accept": "application/json", "X-CSRF-Token": browser.csrf},
    )
    assert r.status_code == 201, r.text[:400]
    rows = owned_rows(city.db, "incident", r.json()["id"])
    assert [(o.first_how, o.first_name) for o in rows] == [("phone", rows[0].owner_name)]
    assert rows[0].owner_user_id == user_id(city.db, "town")


def test_a_grid_workers_report_is_owned_by_whoever_at_the_town_takes_it_then_the_county_on_acceptance(
    city, api, people
):
    r = first_report(api("gridworker"), city.db, city.group_a)
    assert r.status_code == 201, r.text
    incident_id = r.json()["id"]
    assert r.json()["owner"] is None and owned_rows(city.db, "incident", incident_id) == []

    colleague = api(people["colleague"])
    assert colleague.post(f"/api/v1/incidents/{incident_id}/acknowledge").status_code == 200
    assert (
        api("town").post(f"/api/v1/incidents/{incident_id}/acknowledge").status_code == 200
    )  # second: no change
    rows = owned_rows(city.db, "incident", incident_id)
    assert [(o.holder_code, o.owner_user_id, o.first_how) for o in rows] == [
        (city.town_a, user_id(city.db, people["colleague"]), "accepted")
    ]

    assert (
        colleague.post(f"/api/v1/incidents/{incident_id}/forward", json={"to": "county"}).status_code == 200
    )
    assert len(owned_rows(city.db, "incident", incident_id)) == 1  # sent up is not taken in
    county = api("county")
    assert county.post(f"/api/v1/incidents/{incident_id}/acknowledge").status_code == 200
    rows = owned_rows(city.db, "incident", incident_id)
    assert [(o.holder_code, o.first_how) for o in rows] == [
        (city.town_a, "accepted"),
        (city.county_a, "accepted"),
    ]
    detail = county.get(f"/api/v1/incidents/{incident_id}").json()
    assert detail["owner"]["holder_code"] == city.county_a  # the county's own desk first
    assert {o["holder_code"] for o in detail["owners"]} == {city.town_a, city.county_a}


def test_a_tipoff_is_owned_by_the_first_officer_who_claims_it(city, app, api, clock):
    t = tip(app, city, "illegal_operation")
    assert owned_rows(city.db, "tipoff", t["id"]) == []
    town = api("town")
    r = town.post(f"/api/v1/risk/tipoffs/{t['id']}/claim")
    assert r.status_code == 200, r.text
    assert r.json()["owner"]["owner_user_id"] == user_id(city.db, "town")
    assert r.json()["owner"]["first_how"] == "claimed"
    assert api("county").post(f"/api/v1/risk/tipoffs/{t['id']}/start").status_code == 200  # not a new owner
    rows = owned_rows(city.db, "tipoff", t["id"])
    assert [o.owner_user_id for o in rows] == [user_id(city.db, "town")]
    listed = town.get("/api/v1/risk/tipoffs", params={"size": 100}).json()["items"]
    assert next(x for x in listed if x["id"] == t["id"])["owner"]["owner_name"] == rows[0].owner_name
    # starting the check claims an unclaimed tip-off too
    t2 = tip(app, city, "illegal_operation")
    assert api("county").post(f"/api/v1/risk/tipoffs/{t2['id']}/start").status_code == 200
    assert [o.owner_user_id for o in owned_rows(city.db, "tipoff", t2["id"])] == [user_id(city.db, "county")]


def test_a_call_is_owned_by_the_officer_who_answered_it_once_per_client_key(city, api):
    duty = api("duty")
    ck = f"call-{uuid.uuid4().hex}"
    body = {"caller_name": "张三", "caller_phone": "13800001111", "summary": "某村道路塌方", "client_key": ck}
    r = duty.post("/api/v1/duty/calls", json=body)
    assert r.status_code == 201, r.text
    call = r.json()
    assert call["owner"]["owner_user_id"] == user_id(city.db, "duty") and call["owner"]["first_how"] == "call"
    assert call["taken_by"] == call["owner"]["first_name"]
    again = duty.post("/api/v1/duty/calls", json=body)
    assert again.status_code == 200 and again.json()["id"] == call["id"]
    assert len(owned_rows(city.db, "call", call["id"])) == 1

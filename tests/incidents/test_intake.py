"""Intake: locating the point, the first report's grade and deadlines, idempotency under retries."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from tests.incidents.conftest import first_report, key, point_in, principal_of
from yingji.core.db import Actor
from yingji.incidents import intake
from yingji.incidents.locate import deepest_at
from yingji.incidents.models import Incident, IncidentReport
from yingji.incidents.schemas import IncidentIn
from yingji.org.models import Jurisdiction


def test_a_point_inside_a_village_group_locates_that_group(city):
    lon, lat = point_in(city.db, city.group_a)
    with city.db.reading() as session:
        assert deepest_at(session, lon, lat).code == city.group_a
        assert deepest_at(session, 100.0, 20.0) is None  # far outside Tongren


def test_a_grid_worker_reports_from_the_field(city, api):
    r = first_report(api("gridworker"), city.db, city.group_a, figures={"deaths": 1, "injuries": 2})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["jurisdiction_code"] == city.group_a
    assert body["number"].startswith(f"{city.county_a}-")
    assert body["grade"] == "IV" and body["grading_kind"] == "production_safety"
    assert any("一般" in line for line in body["grade_basis"])
    assert [(d["to"], d["state"]) for d in body["deadlines"]] == [("county", "open"), ("city", "open")]
    assert [r["kind"] for r in body["reports"]] == ["first"]
    assert body["figures"]["injuries"] == 2


def test_outside_the_reporters_jurisdiction_is_refused(city, api):
    r = first_report(api("town_b"), city.db, city.group_a)  # group_a lies in town_a
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "out_of_jurisdiction"
    far = api("town").post("/api/v1/incidents", json={"category": "accident.fire", "lon": 100.0, "lat": 20.0})
    assert far.status_code == 422


def test_a_place_picked_from_the_list_and_bad_input(city, api):
    client = api("town")
    r = client.post(
        "/api/v1/incidents", json={"category": "accident.fire", "jurisdiction_code": city.village_a}
    )
    assert r.status_code == 201 and r.json()["located_by"] == "place"
    assert r.json()["lon"] is not None  # the place's label point
    assert (
        client.post(
            "/api/v1/incidents", json={"category": "no.such", "jurisdiction_code": city.village_a}
        ).status_code
        == 422
    )
    assert client.post("/api/v1/incidents", json={"category": "accident.fire"}).status_code == 422
    future = client.post(
        "/api/v1/incidents",
        json={
            "category": "accident.fire",
            "jurisdiction_code": city.village_a,
            "occurred_at": "2999-01-01T00:00:00+08:00",
        },
    )
    assert future.status_code == 422
    negative = client.post(
        "/api/v1/incidents",
        json={"category": "accident.fire", "jurisdiction_code": city.village_a, "figures": {"deaths": -1}},
    )
    assert negative.status_code == 422
    lon, lat = point_in(city.db, city.group_a)
    mismatch = client.post(
        "/api/v1/incidents",
        json={"category": "accident.fire", "lon": lon, "lat": lat, "jurisdiction_code": city.town_b},
    )
    assert mismatch.status_code == 422
    assert (
        client.post(
            "/api/v1/incidents", json={"category": "accident.fire", "jurisdiction_code": "520603"}
        ).status_code
        == 404
    )


def test_twenty_parallel_retries_create_one_incident(city, api):
    lon, lat = point_in(city.db, city.group_a)
    body = {"category": "accident.road_traffic", "lon": lon, "lat": lat, "figures": {"deaths": 2}}
    same = key()
    clients = [api("gridworker") for _ in range(20)]
    start = threading.Barrier(20)

    def send(client):
        start.wait()
        return client.post("/api/v1/incidents", json=body, headers={"Idempotency-Key": same})

    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(send, clients))
    assert sorted(a.status_code for a in answers) == [200] * 19 + [201], [
        a.text for a in answers if a.status_code >= 300
    ]
    assert len({a.json()["id"] for a in answers}) == 1
    with city.db.reading() as session:
        assert session.scalar(select(func.count()).where(Incident.idempotency_key == same)) == 1
        incident_id = answers[0].json()["id"]
        assert session.scalar(select(func.count()).where(IncidentReport.incident_id == incident_id)) == 1


def test_parallel_service_calls_with_one_key_and_distinct_numbers(city):
    """The service itself, 20 threads with their own transactions: one key → one incident; distinct
    keys at the same time → distinct numbers from the counter."""
    principal = principal_of(city.db, "gridworker")
    lon, lat = point_in(city.db, city.group_a)
    same = key()

    def file(k):
        with city.db.writing(Actor(principal.user_id, principal.username)) as session:
            incident, created = intake.create(
                session, principal, IncidentIn(category="accident.fire", lon=lon, lat=lat, idempotency_key=k)
            )
            return incident.id, incident.number, created

    with ThreadPoolExecutor(20) as pool:
        same_key = list(pool.map(file, [same] * 20))
        distinct = list(pool.map(file, [key() for _ in range(10)]))
    assert len({r[0] for r in same_key}) == 1 and sum(r[2] for r in same_key) == 1
    assert len({r[1] for r in distinct}) == 10 and all(r[2] for r in distinct)


def test_a_key_is_bound_to_its_user(city, api):
    k = key()
    lon, lat = point_in(city.db, city.group_a)
    body = {"category": "accident.fire", "lon": lon, "lat": lat}
    assert (
        api("gridworker").post("/api/v1/incidents", json=body, headers={"Idempotency-Key": k}).status_code
        == 201
    )
    assert api("town").post("/api/v1/incidents", json=body, headers={"Idempotency-Key": k}).status_code == 409
    assert (
        api("town").post("/api/v1/incidents", json=body, headers={"Idempotency-Key": "bad key!"}).status_code
        == 422
    )


def test_locate_endpoint_and_categories(city, api):
    lon, lat = point_in(city.db, city.group_a)
    r = api("gridworker").get(f"/api/v1/locate?lon={lon}&lat={lat}")
    assert r.status_code == 200 and r.json()["code"] == city.group_a
    assert api("town_b").get(f"/api/v1/locate?lon={lon}&lat={lat}").status_code == 403
    assert api("viewer").get(f"/api/v1/locate?lon={lon}&lat={lat}").status_code == 403
    cats = api("viewer").get("/api/v1/incident-categories").json()
    assert {c["code"] for c in cats["categories"]} == {"natural", "accident", "health", "social"}
    with city.db.reading() as session:
        assert session.get(Jurisdiction, city.group_a).level == "group"

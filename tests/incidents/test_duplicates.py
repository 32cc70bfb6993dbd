"""Duplicate detection (same category, near in place and time) and merging."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from tests.incidents.conftest import point_in
from yingji.auth.models import AuditEntry
from yingji.incidents.models import Incident, IncidentReceipt, IncidentReport


def test_duplicates_are_offered_at_intake_and_merged(city, api, clock):
    clock.freeze(datetime(2026, 8, 3, 6, 0, tzinfo=UTC))
    lon, lat = point_in(city.db, city.group_a)
    kept = (
        api("town")
        .post(
            "/api/v1/incidents",
            json={
                "category": "natural.geological",
                "lon": lon,
                "lat": lat,
                "figures": {"threatened_people": 40},
            },
        )
        .json()
    )
    clock.advance(timedelta(minutes=20))
    dup = (
        api("gridworker")
        .post(
            "/api/v1/incidents",
            json={
                "category": "natural.geological",
                "lon": lon + 0.001,
                "lat": lat,
                "figures": {"deaths": 1, "threatened_people": 30},
            },
        )
        .json()
    )
    assert [d["id"] for d in dup["duplicates"]] == [kept["id"]]
    assert dup["duplicates"][0]["distance_m"] < 200
    # Another category, or far away in time, is no duplicate.
    other = (
        api("gridworker")
        .post("/api/v1/incidents", json={"category": "accident.fire", "lon": lon, "lat": lat})
        .json()
    )
    assert other["duplicates"] == []
    hint = (
        api("town")
        .get(
            "/api/v1/incidents/duplicates",
            params={
                "category": "natural.geological",
                "lon": lon,
                "lat": lat,
                "occurred_at": "2026-08-05T14:00:00+08:00",
            },
        )
        .json()
    )
    assert hint["items"] == []

    assert (
        api("gridworker")
        .post(f"/api/v1/incidents/{kept['id']}/merge", json={"duplicate_id": dup["id"]})
        .status_code
        == 403
    )
    assert (
        api("town_b")
        .post(f"/api/v1/incidents/{kept['id']}/merge", json={"duplicate_id": dup["id"]})
        .status_code
        == 404
    )
    r = api("town").post(f"/api/v1/incidents/{kept['id']}/merge", json={"duplicate_id": dup["id"]})
    assert r.status_code == 200, r.text
    merged = r.json()
    assert (
        merged["figures"]["deaths"] == 1 and merged["figures"]["threatened_people"] == 40
    )  # the larger of each
    assert merged["grading_kind"] == "geological_damage"
    sources = [(x["kind"], x["source"]) for x in merged["reports"]]
    assert sources[0] == ("first", "chain") and ("follow_up", "merged") in sources
    assert any(x["merged_from_report_id"] for x in merged["reports"])
    assert {x["level"] for x in merged["receipts"]} >= {
        "town",
        "group",
    }  # the duplicate's reporter counts too

    gone = api("town").get(f"/api/v1/incidents/{dup['id']}").json()
    assert gone["merged_into_id"] == kept["id"] and gone["status"] == "closed"
    assert all(d["state"] != "open" for d in gone["deadlines"])
    assert (
        api("town")
        .post(f"/api/v1/incidents/{kept['id']}/merge", json={"duplicate_id": dup["id"]})
        .status_code
        == 409
    )
    assert (
        api("town")
        .post(f"/api/v1/incidents/{kept['id']}/merge", json={"duplicate_id": kept["id"]})
        .status_code
        == 422
    )
    timeline = api("town").get(f"/api/v1/incidents/{dup['id']}/timeline").json()["items"]
    assert timeline[-1]["kind"] == "merge"
    listed = api("town").get("/api/v1/incidents", params={"q": dup["number"]}).json()
    assert listed["items"] == []  # merged duplicates leave the list

    with city.db.reading() as session:
        audited = session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "incidents", AuditEntry.entity_id == str(dup["id"]))
        ).all()
        assert any(a.action == "update" and a.after.get("merged_into_id") == kept["id"] for a in audited)
        copies = session.scalars(
            select(IncidentReport).where(
                IncidentReport.incident_id == kept["id"], IncidentReport.source == "merged"
            )
        ).all()
        assert len(copies) >= 1
        assert (
            session.scalar(
                select(IncidentReceipt.how).where(
                    IncidentReceipt.incident_id == kept["id"], IncidentReceipt.level == "group"
                )
            )
            == "merged"
        )
        assert session.get(Incident, dup["id"]).closed_at is not None

"""Reporting deadlines as rows: due times across midnight, overdue marking by the worker, late (迟报)
and missed (漏报) reports with a moved clock, one-click receipts, and notifications that land once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from tests.incidents.conftest import first_report
from yingji.core.clock import LOCAL_TZ
from yingji.core.db import Actor
from yingji.incidents import notices
from yingji.incidents.deadlines import DUE_JOB
from yingji.incidents.models import Incident, ReportingDeadline
from yingji.jobs.worker import Worker
from yingji.notify.models import InboxMessage


def _deadlines(client, incident_id: int) -> dict[str, dict]:
    return {d["to"]: d for d in client.get(f"/api/v1/incidents/{incident_id}").json()["deadlines"]}


def _run_deadline_jobs(db) -> int:
    return Worker(db, kinds=[DUE_JOB]).run_until_idle()


def _inbox(db, link: str, category: str) -> list[InboxMessage]:
    with db.reading() as session:
        return list(
            session.scalars(
                select(InboxMessage).where(InboxMessage.link == link, InboxMessage.category == category)
            )
        )


def test_deadlines_across_midnight_in_shanghai_time(city, api, clock):
    clock.freeze(datetime(2026, 11, 24, 23, 30, tzinfo=LOCAL_TZ))
    incident = first_report(api("gridworker"), city.db, city.group_a, figures={"deaths": 1}).json()
    due = {
        to: datetime.fromisoformat(d["due_at"]).astimezone(LOCAL_TZ)
        for to, d in _deadlines(api("duty"), incident["id"]).items()
    }
    assert due["county"] == datetime(2026, 11, 25, 0, 30, tzinfo=LOCAL_TZ)
    assert due["city"] == datetime(2026, 11, 25, 2, 30, tzinfo=LOCAL_TZ)
    assert incident["number"].split("-")[1] == "20261124"  # numbered by the local day it was received


def test_overdue_then_late_report_with_a_moved_clock(city, api, clock):
    clock.freeze(datetime(2026, 6, 1, 1, 0, tzinfo=UTC))
    incident = first_report(api("gridworker"), city.db, city.group_a, figures={"deaths": 1}).json()
    link = f"/incidents/{incident['id']}"
    notified = _inbox(city.db, link, "incident.report")
    assert {m.jurisdiction_code for m in notified} == {
        city.county_a,
        city.city,
    }  # the levels that must receive it

    clock.advance(timedelta(minutes=30))
    _run_deadline_jobs(city.db)
    assert _deadlines(api("duty"), incident["id"])["county"]["clock"] == "due"

    clock.advance(timedelta(minutes=45))  # 75 min: the 1-hour county deadline has passed
    _run_deadline_jobs(city.db)
    county = _deadlines(api("duty"), incident["id"])["county"]
    assert county["state"] == "open" and county["clock"] == "overdue" and county["overdue_at"]
    overdue = _inbox(city.db, link, "deadline.overdue")
    assert {m.jurisdiction_code for m in overdue} == {city.county_a}  # the county's officers
    assert len(overdue) == len({m.user_id for m in overdue})  # each once
    _run_deadline_jobs(city.db)  # nothing more to do: no second message
    assert len(_inbox(city.db, link, "deadline.overdue")) == len(overdue)

    ack = api("county").post(f"/api/v1/incidents/{incident['id']}/acknowledge")
    assert ack.status_code == 200 and ack.json()["received"] is True
    assert api("county").post(f"/api/v1/incidents/{incident['id']}/acknowledge").json()["received"] is False
    county = _deadlines(api("duty"), incident["id"])["county"]
    assert county["state"] == "late" and county["clock"] == "late"
    events = api("duty").get(f"/api/v1/incidents/{incident['id']}/timeline").json()["items"]
    assert any(e["kind"] == "deadline" and "迟报" in e["summary"] for e in events)

    clock.advance(timedelta(minutes=30))  # 1 h 45: the county reports up, in time for the city (3 h)
    up = api("county").post(f"/api/v1/incidents/{incident['id']}/forward", json={})
    assert up.status_code == 200 and up.json()["level"] == "city"
    assert _deadlines(api("duty"), incident["id"])["city"]["state"] == "met"
    assert len(_inbox(city.db, link, "incident.forward")) >= 1
    clock.advance(timedelta(hours=3))
    _run_deadline_jobs(city.db)
    assert {m.jurisdiction_code for m in _inbox(city.db, link, "deadline.overdue")} == {city.county_a}


def test_a_higher_level_that_learns_by_itself_marks_the_levels_below_missed(city, api, clock):
    clock.freeze(datetime(2026, 7, 1, 3, 0, tzinfo=UTC))
    incident = first_report(api("county"), city.db, city.group_a, figures={"deaths": 2}, source="own").json()
    d = _deadlines(api("duty"), incident["id"])
    assert d["county"]["state"] == "missed" and "漏报" in d["county"]["note"]
    assert d["city"]["state"] == "open"

    # A field report that never climbed, and the city hears of it by itself: 漏报 to the county and the city.
    other = first_report(api("gridworker"), city.db, city.group_a, figures={"deaths": 1}).json()
    r = api("duty").post(
        f"/api/v1/incidents/{other['id']}/reports", json={"text": "媒体报道", "source": "own"}
    )
    assert r.status_code == 201
    d = _deadlines(api("duty"), other["id"])
    assert d["city"]["state"] == "missed" and d["county"]["state"] == "missed"
    assert api("county").post(f"/api/v1/incidents/{other['id']}/acknowledge").json()["received"] is True
    assert (
        _deadlines(api("duty"), other["id"])["county"]["state"] == "missed"
    )  # a late receipt does not undo it


def test_a_first_report_that_reaches_a_higher_level_directly_waives_the_lower_ones(city, api):
    incident = first_report(api("duty"), city.db, city.group_a, figures={"deaths": 1}).json()
    d = _deadlines(api("duty"), incident["id"])
    assert d["county"]["state"] == "waived" and d["city"]["state"] == "met"


def test_forwarding_rules(city, api):
    incident = first_report(api("gridworker"), city.db, city.group_a).json()
    url = f"/api/v1/incidents/{incident['id']}/forward"
    assert (
        api("gridworker").post(url, json={}).status_code == 409
    )  # a village group neither receives nor forwards
    assert api("town").post(url, json={"to": "town"}).status_code == 422  # not above one's own level
    assert api("town").post(url, json={"to": "county"}).status_code == 200
    assert api("town").post(url, json={"to": "county"}).status_code == 409  # the county has it already
    assert api("town_b").post(url, json={}).status_code == 404
    assert api("viewer").post(url, json={}).status_code == 403


def test_notifications_land_once(city, api):
    incident = first_report(api("gridworker"), city.db, city.group_a).json()
    with city.db.writing(Actor.system("tests")) as session:
        row = session.scalars(
            select(ReportingDeadline).where(ReportingDeadline.incident_id == incident["id"])
        ).first()
        inc = session.get(Incident, incident["id"])
        notices.overdue(session, inc, row)
        notices.overdue(session, inc, row)
    with city.db.writing(Actor.system("tests")) as session:
        notices.overdue(
            session, session.get(Incident, incident["id"]), session.get(ReportingDeadline, row.id)
        )
    messages = _inbox(city.db, f"/incidents/{incident['id']}", "deadline.overdue")
    assert len(messages) == len({m.user_id for m in messages}) >= 1


def test_a_received_time_given_in_utc_starts_the_clocks(city, api, clock):
    clock.freeze(datetime(2026, 11, 26, 16, 0, tzinfo=UTC))  # 00:00 on the 27th in Shanghai
    incident = first_report(
        api("town"),
        city.db,
        city.group_a,
        occurred_at="2026-11-26T15:20:00Z",
        received_at="2026-11-26T23:30:00+08:00",  # = 15:30 UTC, written with another offset
    ).json()
    due = _deadlines(api("duty"), incident["id"])
    assert datetime.fromisoformat(due["county"]["due_at"]) == datetime(2026, 11, 27, 0, 30, tzinfo=LOCAL_TZ)
    assert (
        api("town")
        .post(
            "/api/v1/incidents",
            json={
                "category": "accident.fire",
                "jurisdiction_code": city.village_a,
                "occurred_at": "2026-11-26T15:20:00",
            },
        )
        .status_code
        == 422
    )  # a time without its offset is ambiguous

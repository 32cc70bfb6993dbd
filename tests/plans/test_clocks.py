"""The working-day calendar and the legal clocks: 20 working days after issue (holidays and make-up
workdays counted, the issue day not), a year nobody knows is an error and never a guess, a loaded
notice makes its clocks run, reminder and escalation jobs that re-read their clock."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from tests.plans.conftest import issued, ok, plan_body, to_approval
from yingji.core.db import Actor
from yingji.jobs.models import Job
from yingji.notify.models import InboxMessage
from yingji.plans import clocks
from yingji.plans.calendar import Calendar, CalendarUnknown
from yingji.plans.models import PlanClock, WorkCalendarYear


def test_working_days_follow_the_official_holidays():
    cal = Calendar()
    # 中秋 (25 Sep) and 国庆 (1–7 Oct) 2026, with the make-up workday on Saturday 10 October
    assert cal.add_working_days(date(2026, 9, 20), 20) == date(2026, 10, 23)
    assert cal.is_workday(date(2026, 10, 10)) and not cal.is_workday(date(2026, 10, 5))
    # Spring Festival 2026 (15–23 Feb, Saturday 14 and 28 Feb worked)
    assert cal.add_working_days(date(2026, 2, 10), 3) == date(2026, 2, 13)
    assert cal.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    got = clocks.due_dates(cal, date(2026, 3, 2))
    assert got == {
        "filing_due": date(2026, 3, 30),
        "publish_due": date(2026, 3, 30),
        "evaluation_due": date(2029, 3, 2),
    }
    assert clocks.due_dates(cal, date(2024, 2, 29))["evaluation_due"] == date(2027, 2, 28)
    with pytest.raises(CalendarUnknown) as exc:
        cal.add_working_days(date(2026, 12, 20), 20)
    assert exc.value.params == {"year": 2027}


def test_due_answers_and_an_unknown_year_is_a_clear_error(city, api):
    r = api("town").get("/api/v1/plans/due", params={"issued_on": "2026-09-20"})
    assert ok(r) == {
        "issued_on": "2026-09-20",
        "filing_due": "2026-10-23",
        "publish_due": "2026-10-23",
        "evaluation_due": "2029-09-20",
    }
    r = api("town").get("/api/v1/plans/due", params={"issued_on": "2031-06-01"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "calendar_unknown"
    assert "2031" in r.json()["error"]["message"] and "节假日" in r.json()["error"]["message"]


def test_a_loaded_notice_lets_waiting_clocks_run(city, api, clock):
    clock.freeze(datetime(2026, 12, 6, 4, 0, tzinfo=UTC))
    town, admin = api("town"), api("admin")
    plan = issued(town, city.town_a, issued_on="2026-12-04")
    due = {c["kind"]: c for c in plan["clocks"]}
    assert due["filing"]["state"] == "waiting" and due["filing"]["due_on"] is None  # runs into 2027
    assert due["evaluation"]["state"] == "open"  # three years need no working days

    notice = {
        "year": 2027,
        "holidays": ["2027-01-01", "2027-02-08", "2027-02-09"],
        "workdays": ["2027-02-06"],
        "source": "测试用:2027年部分节假日安排(非正式)",
    }
    assert town.put("/api/v1/plans/calendar/2027", json=notice).status_code == 403
    bad = notice | {"workdays": ["2027-02-08"]}
    assert admin.put("/api/v1/plans/calendar/2027", json=bad).status_code == 422
    assert (
        admin.put("/api/v1/plans/calendar/2027", json=notice | {"workdays": ["2027-02-10"]}).status_code
        == 422
    )
    assert admin.put("/api/v1/plans/calendar/2028", json=notice).status_code == 422  # year differs
    try:
        ok(admin.put("/api/v1/plans/calendar/2027", json=notice))
        shown = ok(town.get(f"/api/v1/plans/{plan['id']}"))
        filing = next(c for c in shown["clocks"] if c["kind"] == "filing")
        assert filing["state"] == "open" and filing["due_on"] == "2027-01-04"
        assert (
            ok(town.get("/api/v1/plans/due", params={"issued_on": "2027-02-01"}))["filing_due"]
            == "2027-03-02"
        )
        with city.db.reading() as session:
            cal = Calendar.of(session)
            jobs = session.scalars(
                select(Job.due_at).where(Job.dedupe_key.like("plans.clock:%:2027-01-04:escalate"))
            ).all()
        assert clocks._at(date(2027, 1, 5)) in jobs  # the escalation job of the computed date
        assert cal.is_workday(date(2027, 2, 6)) and not cal.is_workday(date(2027, 2, 8))
        assert not cal.is_workday(date(2027, 2, 7))  # a Sunday stays a day off
        listed = ok(town.get("/api/v1/plans/calendar"))
        assert 2027 in [y["year"] for y in listed["years"]] and 2026 in listed["package_years"]
    finally:
        with city.db.writing(Actor.system("tests")) as session:
            row = session.get(WorkCalendarYear, 2027)
            if row is not None:
                session.delete(row)


def test_reminder_and_escalation_jobs(city, api):
    town = api("town")
    plan = issued(town, city.town_a, issued_on="2026-03-02")
    pid = plan["id"]
    with city.db.reading() as session:
        filing = session.scalar(select(PlanClock).where(PlanClock.plan_id == pid, PlanClock.kind == "filing"))
        jobs = session.scalars(
            select(Job.kind).where(Job.dedupe_key.startswith(f"plans.clock:{filing.id}:"))
        ).all()
    assert sorted(jobs) == ["plans.clock_escalate", "plans.clock_remind"]
    assert filing.remind_on == date(2026, 3, 23)
    with city.db.writing(Actor.system("tests")) as session:
        assert clocks.remind(session, filing.id, "2026-03-30")
        assert not clocks.remind(session, filing.id, "2026-03-30")  # once
        assert not clocks.escalate(session, filing.id, "2026-03-29")  # a moved date: nothing
        assert not clocks.escalate(session, filing.id, "2026-03-30", on=date(2026, 3, 30))  # not yet late
        assert clocks.escalate(session, filing.id, "2026-03-30", on=date(2026, 3, 31))
    with city.db.reading() as session:
        c = session.get(PlanClock, filing.id)
        told = session.scalars(
            select(InboxMessage.jurisdiction_code).where(InboxMessage.link == f"/plans/{pid}")
        ).all()
    assert c.state == "missed" and c.escalated_at is not None
    assert city.town_a in told and city.county_a in told  # the plan's level and the level above
    shown = ok(town.get(f"/api/v1/plans/{pid}"))
    assert "filing" in shown["overdue"]
    assert pid in [
        p["id"] for p in ok(town.get("/api/v1/plans", params={"overdue": "true", "size": 200}))["items"]
    ]
    # filing late still meets the clock, marked late
    ok(
        town.post(
            f"/api/v1/plans/{pid}/filings",
            json={"to_jurisdiction_code": city.county_a, "to_body": "government"},
        )
    )
    fid = ok(town.get(f"/api/v1/plans/{pid}"))["filings"][0]["id"]
    ok(api("county").post(f"/api/v1/plans/filings/{fid}/decision", json={"accept": True}))
    shown = ok(town.get(f"/api/v1/plans/{pid}"))
    c = next(c for c in shown["clocks"] if c["kind"] == "filing")
    assert c["state"] == "met" and c["late"] and "filing" not in shown["overdue"]


def test_an_unanswered_enterprise_filing_is_deemed_filed(city, api):
    from yingji.plans import filings
    from yingji.plans.models import Plan
    from yingji.risk.models import Enterprise

    with city.db.reading() as session:
        ent = session.scalar(
            select(Enterprise).where(Enterprise.jurisdiction_code.startswith(city.town_a)).limit(1)
        )
    county = api("county")
    body = {
        "kind": "enterprise_comprehensive",
        "enterprise_id": ent.id,
        "jurisdiction_code": ent.jurisdiction_code,
    }
    bad = county.post("/api/v1/plans", json=plan_body(ent.jurisdiction_code, kind="enterprise_comprehensive"))
    assert bad.status_code == 422  # an enterprise plan names its enterprise
    plan = ok(county.post("/api/v1/plans", json=plan_body(ent.jurisdiction_code, **body)), 201)
    to_approval(county, plan["id"])
    issue = {"doc_number": "企发〔2026〕1号", "issued_on": "2026-03-02", "signatory": "赵总"}
    assert (
        county.post(
            f"/api/v1/plans/{plan['id']}/issue", json=issue | {"signatory_role": "government"}
        ).status_code
        == 422
    )
    plan = ok(county.post(f"/api/v1/plans/{plan['id']}/issue", json=issue | {"signatory_role": "principal"}))
    # enterprises file with the county's supervising department, whatever town they are in
    assert plan["filing_route"]["to_jurisdiction_code"] == city.county_a
    sent = {"to_jurisdiction_code": city.county_a, "to_body": "supervisor", "submitted_on": "2026-03-10"}
    ok(county.post(f"/api/v1/plans/{plan['id']}/filings", json=sent))
    with city.db.writing(Actor.system("tests")) as session:
        filings.deem_enterprise_filings(session, on=date(2026, 3, 17))  # day 5: still in time
    assert ok(county.get(f"/api/v1/plans/{plan['id']}"))["filings"][0]["state"] == "submitted"
    with city.db.writing(Actor.system("tests")) as session:
        assert filings.deem_enterprise_filings(session, on=date(2026, 3, 18)) >= 1
    with city.db.reading() as session:
        p = session.get(Plan, plan["id"])
        assert p.state == "filed" and p.filed_on == date(2026, 3, 17)
    shown = ok(county.get(f"/api/v1/plans/{plan['id']}"))
    assert shown["filings"][0]["state"] == "accepted" and "视为备案" in shown["filings"][0]["decided_by"]
    assert next(c for c in shown["clocks"] if c["kind"] == "filing")["state"] == "met"

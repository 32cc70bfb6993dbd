"""Routine reports (日报告 / 零报告): deadlines from settings and special periods, late and missing
with a moved clock, reminders and overdue notices run by the worker (once each), scope."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from tests.duty.conftest import local
from yingji.auth.models import User
from yingji.core.db import Actor
from yingji.jobs import queue
from yingji.jobs.worker import Worker
from yingji.notify.models import InboxMessage

DUTY_JOBS = ["duty.plan_reports", "duty.report_remind", "duty.report_overdue"]


def _summary(client, day, within):
    r = client.get("/api/v1/duty/reports/summary", params={"day": day, "within": within})
    assert r.status_code == 200, r.text
    return {p["code"]: p for p in r.json()["places"]}


def test_settings_and_special_periods_set_the_deadlines(api, city):
    county = api("admin")
    towns = [c for c in _summary(county, "2033-07-10", city.county_b) if len(c) == 9]
    first, second = towns[0], towns[1]
    setting = county.put(
        "/api/v1/duty/report-settings",
        json={"jurisdiction_code": city.county_b, "level": "town", "deadline": "15:30", "remind_minutes": 30},
    )
    assert setting.status_code == 200, setting.text
    period = county.post(
        "/api/v1/duty/special-periods",
        json={
            "jurisdiction_code": first,
            "name": "主汛期",
            "kind": "flood_season",
            "starts_on": "2033-07-01",
            "ends_on": "2033-07-31",
            "deadlines": {"town": ["16:00", "09:00"]},
        },
    )
    assert period.status_code == 201, period.text
    try:
        places = _summary(county, "2033-07-10", city.county_b)
        times = {code: [s["deadline_at"][11:16] for s in places[code]["slots"]] for code in (first, second)}
        assert times == {first: ["01:00", "08:00"], second: ["07:30"]}  # UTC of 09:00/16:00 and 15:30
        assert places[first]["slots"][0]["period"] == "主汛期"
        assert [s["deadline_at"][11:16] for s in _summary(county, "2033-08-01", first)[first]["slots"]] == [
            "07:30"
        ]
        assert [s["deadline_at"][11:16] for s in places[city.county_b]["slots"]] == [
            "09:00"
        ]  # counties: 17:00
        listed = county.get("/api/v1/duty/report-settings").json()
        assert listed["defaults"]["town"]["deadline"] == "16:00"
        assert any(s["jurisdiction_code"] == city.county_b for s in listed["items"])
        bad = county.post(
            "/api/v1/duty/special-periods",
            json={**period.json(), "deadlines": {"village": ["10:00"]}, "id": None},
        )
        assert bad.status_code == 422
        assert (
            api("town")
            .put(
                "/api/v1/duty/report-settings",
                json={"jurisdiction_code": city.county_b, "level": "town", "deadline": "15:00"},
            )
            .status_code
            == 403
        )
    finally:
        assert county.delete(f"/api/v1/duty/report-settings/{setting.json()['id']}").status_code == 204
        assert county.delete(f"/api/v1/duty/special-periods/{period.json()['id']}").status_code == 204


def test_late_and_missing_with_a_moved_clock(api, city, clock):
    town, town_b = api("town"), api("town_b")
    clock.freeze(local(2033, 3, 10, 10, 0))
    key = uuid.uuid4().hex
    r = town.post("/api/v1/duty/reports", json={"kind": "zero", "client_key": key})
    assert r.status_code == 201, r.text
    first = r.json()
    assert (first["report_date"], first["slot"], first["late"]) == ("2033-03-10", 0, False)
    assert first["deadline_at"].startswith("2033-03-10T08:00")  # 16:00 local
    retry = town.post("/api/v1/duty/reports", json={"kind": "zero", "client_key": key})
    assert retry.status_code == 200 and retry.json()["id"] == first["id"]
    ahead = town.post("/api/v1/duty/reports", json={"kind": "daily", "summary": "无"}).json()
    assert ahead["report_date"] == "2033-03-11" and not ahead["late"]  # today's is done: tomorrow's
    dup = town.post("/api/v1/duty/reports", json={"kind": "zero", "report_date": "2033-03-10", "slot": 0})
    assert dup.status_code == 409
    clock.freeze(local(2033, 3, 10, 17, 0))
    late = town_b.post("/api/v1/duty/reports", json={"kind": "daily", "summary": "一处塌方,已处置。"}).json()
    assert (late["report_date"], late["late"]) == ("2033-03-10", True)
    clock.freeze(local(2033, 3, 10, 17, 30))
    places = _summary(api("county"), "2033-03-10", city.county_a)
    assert places[city.town_a]["status"] == "received" and places[city.town_b]["status"] == "late"
    others = [p for code, p in places.items() if code not in (city.town_a, city.town_b) and len(code) == 9]
    assert others and all(p["status"] == "missing" for p in others)
    assert places[city.county_a]["status"] == "missing"  # the county itself: 17:00 has passed
    clock.freeze(local(2033, 3, 10, 12, 0))
    assert _summary(api("county"), "2033-03-10", city.county_a)[city.county_a]["status"] == "pending"
    xlsx = api("county").get(
        "/api/v1/duty/reports/summary.xlsx", params={"day": "2033-03-10", "within": city.county_a}
    )
    assert xlsx.status_code == 200
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("区划代码", "名称", "层级") and len(rows) == len(places) + 1
    assert any(r[5] == "迟报" and "塌方" in (r[9] or "") for r in rows)


def _inbox(city, username: str, prefix: str) -> list[InboxMessage]:
    with city.db.reading() as session:
        uid = session.scalar(select(User.id).where(User.username == username))
        return list(
            session.scalars(
                select(InboxMessage).where(
                    InboxMessage.user_id == uid, InboxMessage.dedupe_key.like(f"{prefix}%")
                )
            )
        )


def _run(city, plan: str | None = None) -> None:
    if plan:
        with city.db.writing(Actor.system("tests")) as session:
            queue.enqueue(session, "duty.plan_reports", {}, dedupe_key=f"test-plan-{plan}")
    Worker(city.db, kinds=DUTY_JOBS).run_until_idle()


def test_reminders_before_and_overdue_notices_after_the_deadline(api, city, clock):
    day = "2033-04-08"
    clock.freeze(local(2033, 4, 8, 6, 0))
    _run(city, plan=uuid.uuid4().hex)
    clock.freeze(local(2033, 4, 8, 14, 0))
    assert api("town_b").post("/api/v1/duty/reports", json={"kind": "zero"}).status_code == 201
    clock.freeze(local(2033, 4, 8, 15, 1))
    _run(city)
    assert len(_inbox(city, "town", f"duty.remind:{city.town_a}:{day}:0")) == 1
    assert _inbox(city, "town_b", f"duty.remind:{city.town_b}:{day}") == []  # already reported
    assert _inbox(city, "town", f"duty.overdue:{city.town_a}:{day}") == []  # not yet
    clock.freeze(local(2033, 4, 8, 16, 2))
    _run(city)
    [overdue] = _inbox(city, "town", f"duty.overdue:{city.town_a}:{day}:0")
    assert overdue.severity == "warning" and "未按时报送" in overdue.subject
    assert _inbox(city, "town_b", f"duty.overdue:{city.town_b}:{day}") == []
    [up] = _inbox(city, "county", f"duty.overdue.up:{city.county_a}:{day}:0")
    with city.db.reading() as session:
        from yingji.org.models import Jurisdiction

        names = {c: session.get(Jurisdiction, c).name for c in (city.town_a, city.town_b)}
    assert names[city.town_a] in up.body and names[city.town_b] not in up.body
    # Planning and running again tells nobody twice.
    _run(city, plan=uuid.uuid4().hex)
    assert len(_inbox(city, "town", f"duty.remind:{city.town_a}:{day}")) == 1
    assert len(_inbox(city, "town", f"duty.overdue:{city.town_a}:{day}")) == 1
    assert len(_inbox(city, "county", f"duty.overdue.up:{city.county_a}:{day}")) == 1
    clock.advance(timedelta(hours=1))  # 17:02: counties are overdue too, the city hears of it
    _run(city)
    assert _inbox(city, "commander", f"duty.overdue.up:{city.city}:{day}:0")


def test_report_scope_and_validation(api, city):
    town_b = api("town_b")
    assert (
        town_b.post(
            "/api/v1/duty/reports", json={"kind": "zero", "jurisdiction_code": city.town_a}
        ).status_code
        == 403
    )
    village = api("town").post(
        "/api/v1/duty/reports", json={"kind": "zero", "jurisdiction_code": city.village_a}
    )
    assert village.status_code == 422
    assert api("town").post("/api/v1/duty/reports", json={"kind": "daily"}).status_code == 422
    assert api("town").post("/api/v1/duty/reports", json={"kind": "weekly"}).status_code == 422
    assert (
        api("viewer")
        .post("/api/v1/duty/reports", json={"kind": "zero", "jurisdiction_code": city.town_a})
        .status_code
        == 403
    )
    assert api("town").get("/api/v1/duty/reports/summary", params={"within": city.town_b}).status_code == 404
    mine = api("town").get("/api/v1/duty/reports/summary").json()["places"]
    assert [p["code"] for p in mine] == [city.town_a]

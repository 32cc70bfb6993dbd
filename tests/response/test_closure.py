"""Closure with aftermath, the investigation and evaluation, and the 60-day investigation-report
deadline of production-safety accidents (493号令 第二十九条) with a moved clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from tests.response.conftest import new_incident
from yingji.core import clock as platform_clock
from yingji.core.db import Actor
from yingji.incidents.models import Incident, TimelineEvent
from yingji.notify.models import InboxMessage
from yingji.response import investigation
from yingji.response.models import IncidentInvestigation

CLOSE = {
    "summary": "现场处置完毕，善后工作移交属地。",
    "relocation": "临时安置 12 户 40 人",
    "recovery": "道路已抢通",
}
EVALUATION = {
    "causes": "违规拆除承重墙。",
    "responsibility": "施工单位负主要责任。",
    "lessons": "拆改工程审批把关不严。",
    "measures": "开展建筑施工安全专项整治。",
}


def test_closing_needs_a_stabilised_incident_and_no_open_task(city, api):
    iid = new_incident(city.db, city.town_a, status="responding")
    town = api("town")
    assert town.post(f"/api/v1/incidents/{iid}/close", json=CLOSE).status_code == 409
    with city.db.writing(Actor.system("tests")) as s:
        s.get(Incident, iid).status = "stabilised"
    due = (platform_clock.now() + timedelta(hours=2)).isoformat()
    task = town.post(
        f"/api/v1/incidents/{iid}/tasks",
        json={"title": "清理现场", "assignee_kind": "team", "assignee_team": "环卫队", "due_at": due},
    ).json()
    blocked = town.post(f"/api/v1/incidents/{iid}/close", json=CLOSE)
    assert blocked.status_code == 409 and "1" in blocked.json()["error"]["message"]
    town.post(f"/api/v1/tasks/{task['id']}/complete")
    r = town.post(f"/api/v1/incidents/{iid}/close", json=CLOSE)
    assert r.status_code == 200, r.text
    assert r.json()["relocation"] == "临时安置 12 户 40 人"
    with city.db.reading() as s:
        incident = s.get(Incident, iid)
        assert incident.status == "closed" and incident.closed_at is not None
        kinds = s.scalars(select(TimelineEvent.kind).where(TimelineEvent.incident_id == iid)).all()
        assert "closure" in kinds
    assert town.post(f"/api/v1/incidents/{iid}/close", json=CLOSE).status_code == 409


def test_the_statutory_deadline_is_the_end_of_the_sixtieth_day():
    occurred = datetime(2026, 3, 1, 17, 30, tzinfo=UTC)  # 2 March, 01:30 Beijing time
    due, basis = investigation.statutory("III", occurred)
    assert due == datetime(2026, 5, 1, 16, 0, tzinfo=UTC)  # 2 May 00:00 Beijing = end of 1 May
    assert "第二十九条" in basis


def test_investigation_deadline_is_tracked_extended_and_flagged(city, api, clock, run_jobs):
    clock.freeze(platform_clock.now())
    iid = new_incident(city.db, city.town_a, grade="III", status="verified")
    town = api("town")
    town.post(
        f"/api/v1/incidents/{iid}/response/activate",
        json={"level": 3, "decided_by": "区长", "plan_name": "生产安全事故应急预案"},
    )
    body = town.get(f"/api/v1/incidents/{iid}/response").json()["investigation"]
    assert body["state"] == "open" and body["investigating_level"] == "city"
    due = datetime.fromisoformat(body["due_at"])
    assert timedelta(days=59) < due - platform_clock.now() <= timedelta(days=61)
    too_long = town.post(
        f"/api/v1/incidents/{iid}/investigation/extend",
        json={"days": 61, "reason": "x", "approved_by": "市政府"},
    )
    assert too_long.status_code == 422
    ext = town.post(
        f"/api/v1/incidents/{iid}/investigation/extend",
        json={"days": 30, "reason": "需补充技术鉴定", "approved_by": "铜仁市人民政府"},
    )
    assert ext.status_code == 200, ext.text
    assert ext.json()["extension_days"] == 30
    assert datetime.fromisoformat(ext.json()["due_at"]) == due + timedelta(days=30)
    more = town.post(
        f"/api/v1/incidents/{iid}/investigation/extend",
        json={"days": 31, "reason": "x", "approved_by": "市政府"},
    )
    assert more.status_code == 422  # at most 60 days in all
    # The old due time passes: nothing happens (its jobs find the deadline moved).
    clock.advance(timedelta(days=61))
    run_jobs(city.db)
    with city.db.reading() as s:
        row = s.scalars(select(IncidentInvestigation).where(IncidentInvestigation.incident_id == iid)).one()
        assert row.overdue_notified_at is None
    clock.advance(timedelta(days=30))
    run_jobs(city.db)
    with city.db.reading() as s:
        row = s.scalars(select(IncidentInvestigation).where(IncidentInvestigation.incident_id == iid)).one()
        assert row.overdue_notified_at is not None
        overdue = s.scalars(
            select(InboxMessage).where(
                InboxMessage.category == "investigation.overdue", InboxMessage.link.endswith(f"/{iid}")
            )
        ).all()
        assert overdue and {m.jurisdiction_code for m in overdue} == {city.county_a}
    late = town.put(f"/api/v1/incidents/{iid}/investigation", json=EVALUATION | {"submit": True})
    assert late.status_code == 200 and late.json()["state"] == "submitted"
    with city.db.reading() as s:
        lines = s.scalars(select(TimelineEvent.summary).where(TimelineEvent.incident_id == iid)).all()
    assert "调查报告已提交（逾期提交）。" in lines


def test_submitting_needs_the_four_parts(city, api):
    iid = new_incident(city.db, city.town_a, grading_kind=None, category="natural.geological")
    town = api("town")
    r = town.put(f"/api/v1/incidents/{iid}/investigation", json={"causes": "强降雨", "submit": True})
    assert r.status_code == 422
    assert {d["field"] for d in r.json()["error"]["details"]} == {"responsibility", "lessons", "measures"}
    ok = town.put(f"/api/v1/incidents/{iid}/investigation", json=EVALUATION)
    assert ok.status_code == 200 and ok.json()["due_at"] is None  # no statutory deadline for this kind


def test_the_sweep_starts_deadlines_nobody_started(city, run_jobs):
    iid = new_incident(city.db, city.town_a, grade="IV")
    with city.db.writing(Actor.system("tests")) as s:
        assert investigation.sweep(s) >= 1
    with city.db.reading() as s:
        assert (
            s.scalars(select(IncidentInvestigation).where(IncidentInvestigation.incident_id == iid))
            .one()
            .due_at
        )

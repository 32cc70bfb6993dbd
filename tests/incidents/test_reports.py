"""The report chain: re-grading on every report, the chain re-opening upward on a grade rise, concurrent
follow-ups, the final report and the 补报 window."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from tests.incidents.conftest import first_report, key, principal_of
from yingji.core.db import Actor
from yingji.incidents import reports
from yingji.incidents.models import IncidentReport, TimelineEvent
from yingji.incidents.schemas import ReportIn
from yingji.notify.models import InboxMessage


def _messages(db, link: str, category: str) -> list[InboxMessage]:
    with db.reading() as session:
        return list(
            session.scalars(
                select(InboxMessage).where(InboxMessage.link == link, InboxMessage.category == category)
            )
        )


def test_each_report_regrades_and_a_rise_reopens_the_chain_upward(city, api, clock, province_duty):
    clock.freeze(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))  # 10:00 in Shanghai
    first = first_report(api("gridworker"), city.db, city.group_a, figures={"deaths": 1})
    incident = first.json()
    assert incident["grade"] == "IV"
    assert {d["to"] for d in incident["deadlines"]} == {"county", "city"}

    clock.advance(timedelta(minutes=40))
    r = api("town").post(
        f"/api/v1/incidents/{incident['id']}/reports",
        json={"figures": {"deaths": 3}, "text": "又发现两名遇难者"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["seq"] == 2 and r.json()["grade_after"] == "III"
    after = api("duty").get(f"/api/v1/incidents/{incident['id']}").json()
    assert after["grade"] == "III" and after["figures"]["deaths"] == 3
    assert any("较大" in line and "3 人 ≥ 3" in line for line in after["grade_basis"])
    province = [d for d in after["deadlines"] if d["to"] == "province"]
    assert len(province) == 1 and province[0]["grade"] == "III"
    # The new obligation runs from the report that raised the grade: T + 40 min + 5 h.
    assert province[0]["due_at"].startswith("2026-03-02T07:40")
    events = api("duty").get(f"/api/v1/incidents/{incident['id']}/timeline").json()["items"]
    assert any(
        e["kind"] == "grade" and e["data"]["from"] == "IV" and e["data"]["to"] == "III" for e in events
    )
    link = f"/incidents/{incident['id']}"
    rises = _messages(city.db, link, "incident.grade")
    assert rises and {m.jurisdiction_code for m in rises} >= {"5206", "52"}  # the city and the province
    # A lower figure later brings the grade down and waives the obligation no longer required.
    down = api("town").post(f"/api/v1/incidents/{incident['id']}/reports", json={"figures": {"deaths": 2}})
    assert down.json()["grade_after"] == "IV"
    states = {
        d["to"]: d["state"]
        for d in api("duty").get(f"/api/v1/incidents/{incident['id']}").json()["deadlines"]
    }
    assert states["province"] == "waived"
    events = api("duty").get(f"/api/v1/incidents/{incident['id']}/timeline").json()["items"]
    assert [(e["data"]["from"], e["data"]["to"]) for e in events if e["kind"] == "grade"] == [
        ("IV", "III"),
        ("III", "IV"),
    ]


def test_absent_figures_in_a_follow_up_are_kept(city, api):
    incident = first_report(
        api("gridworker"), city.db, city.group_a, figures={"deaths": 1, "injuries": 4}
    ).json()
    r = api("gridworker").post(
        f"/api/v1/incidents/{incident['id']}/reports", json={"figures": {"trapped": 2}}
    )
    figures = r.json()["figures"]
    assert (figures["deaths"], figures["injuries"], figures["trapped"]) == (1, 4, 2)


def test_concurrent_follow_ups_lose_nothing(city, api):
    incident = first_report(api("gridworker"), city.db, city.group_a).json()
    principal = principal_of(city.db, "town")
    start = threading.Barrier(12)

    def follow_up(n: int):
        start.wait()
        with city.db.writing(Actor(principal.user_id, principal.username)) as session:
            report, _ = reports.add_report(
                session,
                principal,
                incident["id"],
                ReportIn(text=f"续报 {n}", figures={"injuries": n}, idempotency_key=key()),
            )
            return report.seq

    with ThreadPoolExecutor(12) as pool:
        seqs = sorted(pool.map(follow_up, range(12)))
    assert seqs == list(range(2, 14))
    with city.db.reading() as session:
        rows = session.scalars(
            select(IncidentReport).where(IncidentReport.incident_id == incident["id"])
        ).all()
        assert sorted(r.seq for r in rows) == list(range(1, 14))
        assert sorted(r.text for r in rows if r.text) == sorted(f"续报 {n}" for n in range(12))
        events = session.scalars(
            select(TimelineEvent).where(
                TimelineEvent.incident_id == incident["id"], TimelineEvent.kind == "report"
            )
        ).all()
        assert len(events) == 13


def test_a_retried_follow_up_is_filed_once(city, api):
    incident = first_report(api("gridworker"), city.db, city.group_a).json()
    k = key()
    url = f"/api/v1/incidents/{incident['id']}/reports"
    one = api("gridworker").post(url, json={"text": "a"}, headers={"Idempotency-Key": k})
    two = api("gridworker").post(url, json={"text": "a"}, headers={"Idempotency-Key": k})
    assert (one.status_code, two.status_code) == (201, 200) and one.json()["id"] == two.json()["id"]


def test_final_report_then_supplementary_window(city, api, clock):
    clock.freeze(datetime(2026, 5, 10, 4, 0, tzinfo=UTC))
    incident = first_report(
        api("gridworker"), city.db, city.group_a, category="accident.road_traffic", figures={"deaths": 1}
    ).json()
    url = f"/api/v1/incidents/{incident['id']}/reports"
    clock.advance(timedelta(days=2))
    final = api("town").post(url, json={"kind": "final", "text": "终报"})
    assert final.status_code == 201 and final.json()["kind"] == "final"
    detail = api("town").get(f"/api/v1/incidents/{incident['id']}").json()
    # Road traffic: 7 days from the day of the accident (not of the final report, 493号令 第十三条),
    # counted from the next day and ending at 24:00 Shanghai time.
    assert detail["supplementary_until"].startswith("2026-05-17T16:00")
    clock.advance(timedelta(days=1))
    late_death = api("town").post(url, json={"figures": {"deaths": 2}, "text": "伤者抢救无效死亡"})
    assert late_death.status_code == 201 and late_death.json()["kind"] == "supplementary"
    clock.advance(timedelta(days=10))
    refused = api("town").post(url, json={"figures": {"deaths": 3}})
    assert refused.status_code == 409
    assert "补报" in refused.json()["error"]["message"]


def test_a_merged_or_closed_incident_takes_no_reports(city, api):
    a = first_report(api("town"), city.db, city.group_a, category="accident.fire").json()
    b = first_report(api("town"), city.db, city.group_a, category="accident.fire").json()
    assert (
        api("town").post(f"/api/v1/incidents/{a['id']}/merge", json={"duplicate_id": b["id"]}).status_code
        == 200
    )
    r = api("town").post(f"/api/v1/incidents/{b['id']}/reports", json={"text": "x"})
    assert r.status_code == 409

"""The response pages: the panel and its forms (htmx and plain), my tasks, the overdue partial, the
statistics page; scope on every one of them."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.response.conftest import make_crew, new_incident
from yingji.core import clock
from yingji.incidents.models import Incident
from yingji.response.models import ResponseTask

HX = {"HX-Request": "true"}


def _due(hours: float = 2) -> str:
    from yingji.core.clock import to_local

    return to_local(clock.now() + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")


def test_the_panel_walks_a_response_through_its_forms(city, browser_client):
    crew = make_crew(city.db, city.town_a)
    iid = new_incident(city.db, city.town_a, title="环北街道仓库火灾")
    town = browser_client("town")
    panel = town.get(f"/incidents/{iid}/response")
    assert panel.status_code == 200 and 'id="response-panel"' in panel.text and "<html" not in panel.text
    base = f"/response/incidents/{iid}"
    r = town.form(
        f"{base}/activate", {"level": "3", "decided_by": "镇长 李某", "plan_name": "火灾应急预案"}, headers=HX
    )
    assert r.status_code == 200 and "level-3" in r.text
    r = town.form(
        f"{base}/command-post",
        {"name": "火灾现场指挥部", "commander_person_id": str(crew.chief_person_id)},
        headers=HX,
    )
    assert r.status_code == 200 and "火灾现场指挥部" in r.text and "组长甲" in r.text
    r = town.form(
        f"{base}/tasks",
        {
            "title": "疏散周边群众",
            "assignee_kind": "person",
            "assignee_person_id": str(crew.member_person_id),
            "due_at": _due(),
        },
        headers=HX,
    )
    assert r.status_code == 200 and "疏散周边群众" in r.text and "alert-red" not in r.text
    r = town.form(f"{base}/tasks", {"title": "", "assignee_kind": "team", "due_at": _due()}, headers=HX)
    assert r.status_code == 200 and "alert-red" in r.text  # shown in the panel, nothing created
    r = town.form(
        f"{base}/consultations",
        {
            "held_at": _due(0),
            "topic": "火情研判",
            "experts": "消防专家 张某",
            "decisions": "设置警戒区\n调集两台水罐车",
        },
        headers=HX,
    )
    assert "调集两台水罐车" in r.text
    r = town.form(
        f"{base}/sitreps", {"conditions": "明火已扑灭。", "actions": "疏散 45 人。"}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"] == base
    page = town.get(base)
    assert page.status_code == 200 and "明火已扑灭" not in page.text and ".docx" in page.text
    with city.db.reading() as s:
        task = s.scalars(select(ResponseTask).where(ResponseTask.incident_id == iid)).one()
    town.form(f"/tasks/{task.id}/complete", {"next": base})
    town.form(f"{base}/end", {"decided_by": "镇长 李某", "reason": "火已扑灭"}, headers=HX)
    r = town.form(f"{base}/close", {"summary": "处置完毕", "relocation": "无"}, headers=HX)
    assert r.status_code == 200 and "处置完毕" in r.text
    with city.db.reading() as s:
        assert s.get(Incident, iid).status == "closed"


def test_assignees_acknowledge_on_their_phone(city, app, api):
    from tests.conftest import log_in

    crew = make_crew(city.db, city.town_a)
    iid = new_incident(city.db, city.town_a)
    task = (
        api("town")
        .post(
            f"/api/v1/incidents/{iid}/tasks",
            json={
                "title": "巡查隐患点",
                "assignee_kind": "person",
                "assignee_person_id": crew.member_person_id,
                "due_at": (clock.now() + timedelta(hours=1)).isoformat(),
            },
        )
        .json()
    )
    member = log_in(app, crew.member_user, password="unused")
    try:
        page = member.get("/tasks")
        assert page.status_code == 200 and "巡查隐患点" in page.text and "data-ack" in page.text
        card = member.form(f"/tasks/{task['id']}/acknowledge", headers=HX)
        assert card.status_code == 200 and 'class="card task-card state-acknowledged' in card.text
        again = member.form(f"/tasks/{task['id']}/acknowledge", headers=HX)  # a retried tap
        assert again.status_code == 200
        assert member.get(f"/tasks/{task['id']}").status_code == 200
    finally:
        member.close()


def test_other_towns_get_404_and_403(city, browser_client):
    iid = new_incident(city.db, city.town_a)
    other = browser_client("town_b")
    assert other.get(f"/incidents/{iid}/response").status_code == 404
    assert other.get(f"/response/incidents/{iid}").status_code == 404
    r = other.form(f"/response/incidents/{iid}/activate", {"level": "4", "decided_by": "x"}, headers=HX)
    assert r.status_code == 403
    assert browser_client("commander").get(f"/incidents/{iid}/response").status_code == 200


def test_viewers_see_the_panel_without_actions(city, browser_client):
    iid = new_incident(city.db, city.town_a)
    viewer = browser_client("viewer")
    page = viewer.get(f"/incidents/{iid}/response")
    assert page.status_code == 200 and "/activate" not in page.text
    r = viewer.form(f"/response/incidents/{iid}/activate", {"level": "4", "decided_by": "x"})
    assert r.status_code == 403


def test_overdue_partial_and_stats_page(city, browser_client, api, clock):
    clock.freeze(clock.now())
    iid = new_incident(city.db, city.town_a)
    api("town").post(
        f"/api/v1/incidents/{iid}/tasks",
        json={
            "title": "抢修供电线路",
            "assignee_kind": "team",
            "assignee_team": "电力抢修队",
            "due_at": (clock.now() + timedelta(minutes=30)).isoformat(),
        },
    )
    clock.advance(timedelta(hours=1))
    county = browser_client("county")
    part = county.get("/response/panel/overdue-tasks")
    assert part.status_code == 200 and "抢修供电线路" in part.text
    assert "抢修供电线路" not in browser_client("town_b").get("/response/panel/overdue-tasks").text
    stats = county.get("/stats/incidents")
    assert stats.status_code == 200 and 'id="stats-data"' in stats.text and "<script>" not in stats.text
    xlsx = county.get("/stats/incidents.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert county.get("/stats/incidents?start=not-a-date").status_code == 404

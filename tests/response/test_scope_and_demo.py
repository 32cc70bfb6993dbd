"""Scope on the response API (a town sees and acts only on its incidents, the city on all), and the
demo builder's response records."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from tests.response.conftest import new_incident
from yingji.core import clock
from yingji.demo.builder import DemoData, DemoOptions
from yingji.response import demo
from yingji.response.models import ResponseTask


def test_a_town_reads_and_acts_only_on_its_incidents(city, api):
    iid = new_incident(city.db, city.town_a)
    task = (
        api("town")
        .post(
            f"/api/v1/incidents/{iid}/tasks",
            json={
                "title": "清点物资",
                "assignee_kind": "team",
                "assignee_team": "物资组",
                "due_at": (clock.now() + timedelta(hours=1)).isoformat(),
            },
        )
        .json()
    )
    other = api("town_b")
    assert other.get(f"/api/v1/incidents/{iid}/response").status_code == 404
    assert other.get(f"/api/v1/tasks/{task['id']}").status_code == 404
    assert other.post(f"/api/v1/tasks/{task['id']}/cancel").status_code == 404
    r = other.post(f"/api/v1/incidents/{iid}/response/activate", json={"level": 4, "decided_by": "x"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "out_of_jurisdiction"
    assert other.put(f"/api/v1/incidents/{iid}/command-post", json={"name": "x"}).status_code == 403
    assert all(t["id"] != task["id"] for t in other.get("/api/v1/tasks/overdue").json()["items"])
    assert api("commander").get(f"/api/v1/incidents/{iid}/response").status_code == 200
    assert api("commander").get(f"/api/v1/tasks/{task['id']}").status_code == 200
    # Duty officers see everything in the city but command nothing.
    duty = api("duty")
    assert duty.get(f"/api/v1/incidents/{iid}/response").status_code == 200
    assert (
        duty.post(
            f"/api/v1/incidents/{iid}/response/activate", json={"level": 4, "decided_by": "x"}
        ).status_code
        == 403
    )
    assert api("town").get(f"/api/v1/incidents/{10**9}/response").status_code == 404


def test_escalation_policy_api_is_scoped(city, api):
    assert api("town").get(f"/api/v1/escalation-policies/{city.town_a}").json()["steps"]
    assert api("town").get(f"/api/v1/escalation-policies/{city.town_b}").status_code == 404
    body = {
        "name": "x",
        "steps": [{"offset_minutes": 5, "action": "notify_superior", "active_states": ["assigned"]}],
    }
    assert api("town").put(f"/api/v1/escalation-policies/{city.town_b}", json=body).status_code == 403
    bad = body | {"steps": [{"offset_minutes": 5, "action": "launch", "active_states": ["assigned"]}]}
    assert api("town").put(f"/api/v1/escalation-policies/{city.town_a}", json=bad).status_code == 422


def test_demo_copes_with_no_incidents(databases):
    db = databases.make("demo-empty")
    demo.build(db, DemoData(), DemoOptions(), lambda *a: None)
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(ResponseTask)) == 0


def test_demo_gave_the_test_city_tasks_in_every_state(city):
    with city.db.reading() as s:
        states = set(s.scalars(select(ResponseTask.state).where(ResponseTask.title == "转移受威胁群众")))
        states |= set(s.scalars(select(ResponseTask.state).where(ResponseTask.assignee_kind == "team")))
    assert {"done", "cancelled"} <= states

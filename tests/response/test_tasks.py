"""Tasks: assignment, acknowledgement by the assignee, state changes through one table, idempotent
retries, decisions turned into tasks, the numbering under concurrency."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

from sqlalchemy import select

from tests.response.conftest import make_crew, new_incident, principal_of
from yingji.core import clock
from yingji.core.db import Actor
from yingji.incidents.models import TimelineEvent
from yingji.notify.models import InboxMessage
from yingji.response import tasks
from yingji.response.models import ResponseTask
from yingji.response.schemas import TaskIn


def _due(minutes: int = 90) -> str:
    return (clock.now() + timedelta(minutes=minutes)).isoformat()


def _task(client, iid, **kw):
    body = {
        "title": "转移危险区群众",
        "assignee_kind": "team",
        "assignee_team": "镇应急分队",
        "due_at": _due(),
    }
    return client.post(f"/api/v1/incidents/{iid}/tasks", json=body | kw)


def test_assign_to_a_person_and_the_assignee_acknowledges(city, api, token_client):
    crew = make_crew(city.db, city.town_a)
    iid = new_incident(city.db, city.town_a)
    r = _task(
        api("town"), iid, assignee_kind="person", assignee_person_id=crew.member_person_id, priority="urgent"
    )
    assert r.status_code == 201, r.text
    task = r.json()
    assert task["state"] == "assigned" and task["seq"] == 1 and task["assignee_name"] == "组员乙"
    assert [s["action"] for s in task["steps"]] == [
        "remind_assignee",
        "remind_assignee",
        "notify_superior",
        "notify_commander",
    ]
    with city.db.reading() as s:
        member_user = principal_of(city.db, crew.member_user).user_id
        inbox = s.scalars(select(InboxMessage.subject).where(InboxMessage.user_id == member_user)).all()
        assert any("转移危险区群众" in x for x in inbox)
    member = token_client(crew.member_user)
    mine = member.get("/api/v1/tasks").json()
    assert [t["id"] for t in mine["items"]] == [task["id"]]
    ack = member.post(f"/api/v1/tasks/{task['id']}/acknowledge")
    assert ack.status_code == 200 and ack.json()["state"] == "acknowledged"
    assert ack.json()["acknowledged_by"] == "组员乙"
    retry = member.post(f"/api/v1/tasks/{task['id']}/acknowledge")  # a phone retrying
    assert retry.status_code == 200 and retry.json()["state"] == "acknowledged"
    assert member.post(f"/api/v1/tasks/{task['id']}/start").json()["state"] == "in_progress"
    done = member.post(f"/api/v1/tasks/{task['id']}/complete", json={"note": "已转移 32 人"})
    assert done.json()["state"] == "done" and done.json()["result"] == "已转移 32 人"
    assert member.post(f"/api/v1/tasks/{task['id']}/cancel").status_code == 403
    assert api("town").post(f"/api/v1/tasks/{task['id']}/cancel").status_code == 409
    with city.db.reading() as s:
        lines = s.scalars(
            select(TimelineEvent.summary).where(
                TimelineEvent.incident_id == iid, TimelineEvent.kind == "task"
            )
        ).all()
    assert len(lines) == 4 and "组员乙" in lines[0]


def test_a_unit_member_acknowledges_a_unit_task_and_strangers_cannot(city, api, token_client):
    crew = make_crew(city.db, city.town_a)
    other = make_crew(city.db, city.town_a)
    iid = new_incident(city.db, city.town_a)
    task = _task(api("town"), iid, assignee_kind="unit", assignee_unit_id=crew.unit_id).json()
    stranger = token_client(other.member_user)
    assert stranger.post(f"/api/v1/tasks/{task['id']}/acknowledge").status_code == 403
    assert token_client(crew.chief_user).post(f"/api/v1/tasks/{task['id']}/acknowledge").json()["state"] == (
        "acknowledged"
    )


def test_transitions_follow_the_table(city, api):
    iid = new_incident(city.db, city.town_a)
    town = api("town")
    task = _task(town, iid).json()
    assert (
        town.post(f"/api/v1/tasks/{task['id']}/cancel", json={"note": "重复任务"}).json()["state"]
        == "cancelled"
    )
    r = town.post(f"/api/v1/tasks/{task['id']}/acknowledge")
    assert r.status_code == 409
    assert town.post(f"/api/v1/tasks/{task['id']}/explode").status_code == 422


def test_bad_tasks_are_refused(city, api):
    iid = new_incident(city.db, city.town_a)
    town = api("town")
    assert _task(town, iid, due_at=(clock.now() - timedelta(minutes=1)).isoformat()).status_code == 422
    assert _task(town, iid, assignee_kind="unit").status_code == 422
    assert _task(town, iid, assignee_kind="person", assignee_person_id=10**9).status_code == 422
    assert _task(town, iid, priority="whenever").status_code == 422


def test_a_retried_submission_makes_one_task(city, api):
    iid = new_incident(city.db, city.town_a)
    key = uuid.uuid4().hex
    first = _task(api("town"), iid, client_key=key).json()
    second = _task(api("town"), iid, client_key=key).json()
    assert first["id"] == second["id"]


def test_a_decision_becomes_a_task_in_one_step(city, api):
    iid = new_incident(city.db, city.town_a)
    town = api("town")
    meeting = town.post(
        f"/api/v1/incidents/{iid}/consultations",
        json={
            "held_at": clock.now().isoformat(),
            "topic": "研判次生灾害风险",
            "experts": ["省地质专家 李某"],
            "decisions": ["立即对周边 3 处隐患点开展排查", "今晚 20 时前完成群众转移"],
            "video_link": "https://meet.example.org/abc",
        },
    )
    assert meeting.status_code == 201, meeting.text
    decision = meeting.json()["decisions"][0]
    r = town.post(
        f"/api/v1/consultation-decisions/{decision['id']}/task",
        json={"assignee_kind": "team", "assignee_team": "地质应急队", "due_at": _due()},
    )
    assert r.status_code == 201, r.text
    assert (
        r.json()["title"] == "立即对周边 3 处隐患点开展排查"
        and r.json()["source_decision_id"] == decision["id"]
    )


def test_parallel_assignments_number_tasks_without_gaps(city):
    iid = new_incident(city.db, city.town_a)
    town = principal_of(city.db, "town")
    errors = []

    def assign(i: int) -> None:
        try:
            with city.db.writing(Actor.system("tests")) as s:
                data = TaskIn(
                    title=f"任务{i}",
                    assignee_kind="team",
                    assignee_team="分队",
                    due_at=clock.now() + timedelta(hours=1),
                )
                tasks.create(s, town, iid, data)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=assign, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with city.db.reading() as s:
        seqs = sorted(s.scalars(select(ResponseTask.seq).where(ResponseTask.incident_id == iid)))
    assert seqs == list(range(1, 9))

"""Activating a response under a plan: the proposal from grade and figures, the one transaction that
creates tasks, notices and the checklist, a level change, and what is refused."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.plans.digital_helpers import make_plan, new_incident
from yingji.jobs.models import Job
from yingji.notify.models import InboxMessage
from yingji.plans.models import ResponsePlanItem
from yingji.response.models import ResponseActivation, ResponseTask, TaskEscalationStep

GEO = {"category": "natural.geological", "grading_kind": "geological_damage"}


def _count(db, model, *where):
    with db.reading() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def test_proposal_follows_the_grading_table(city, api):
    plan = make_plan(city.db, city.county_a)
    big = new_incident(city.db, city.town_a, grade="II", deaths=12, **GEO)
    small = new_incident(city.db, city.town_a, grade="IV", deaths=0, **GEO)
    c = api("county")
    r = c.get(f"/api/v1/incidents/{big}/response/plans")
    assert r.status_code == 200, r.text
    mine = next(p for p in r.json()["plans"] if p["plan_id"] == plan.id)
    assert mine["proposed_level"] == 2
    assert any("死亡 12 人" in line for line in mine["reasons"])
    assert any("地质灾害防治条例" in line for line in mine["reasons"])
    r = c.get(f"/api/v1/incidents/{small}/response/plans/{plan.id}/preview")
    assert r.json()["proposed_level"] == 4 and r.json()["level"] == 4
    assert (r.json()["tasks"], r.json()["notices"], r.json()["checks"]) == (2, 1, 1)


def test_activation_creates_everything_in_one_go(city, api):
    plan = make_plan(city.db, city.county_a)
    incident = new_incident(city.db, city.town_a, grade="III", deaths=4, **GEO)
    c = api("county")
    r = c.post(
        f"/api/v1/incidents/{incident}/response/activate",
        json={"level": 3, "plan_id": plan.id, "decided_by": "县长"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["plan_id"] == plan.id and r.json()["plan_name"].startswith("测试")
    members = len(plan.member_ids)
    tasks = _count(city.db, ResponseTask, ResponseTask.incident_id == incident)
    assert tasks == 2 + (members - 1)
    with city.db.reading() as s:
        rows = s.scalars(select(ResponseTask).where(ResponseTask.incident_id == incident)).all()
        assert all(t.plan_action_id and t.escalation_policy for t in rows)
        assert {t.assignee_unit_id for t in rows} == {plan.hq_unit_id, *plan.member_ids}
        assert sorted(t.seq for t in rows) == list(range(1, tasks + 1))
        task_ids = [t.id for t in rows]
    steps = _count(city.db, TaskEscalationStep, TaskEscalationStep.task_id.in_(task_ids))
    assert steps == 4 * tasks
    jobs = _count(city.db, Job, Job.kind == "response.escalation_step", Job.dedupe_key.like("task-step:%"))
    assert jobs >= steps
    checklist = c.get(f"/api/v1/incidents/{incident}/response/checklist").json()
    kinds = sorted(i["kind"] for i in checklist["items"])
    assert kinds.count("task") == tasks and kinds.count("notice") == 1 and kinds.count("check") == 1
    notice = next(i for i in checklist["items"] if i["kind"] == "notice")
    assert notice["state"] == "sent" and notice["recipients"] >= 1
    assert _count(city.db, InboxMessage, InboxMessage.category == "plan.notice") >= 1
    # tick the check, then reopen it
    check = next(i for i in checklist["items"] if i["kind"] == "check")
    r = c.post(f"/api/v1/response/checklist/{check['id']}", json={"done": True})
    assert r.status_code == 200 and r.json()["state"] == "done" and r.json()["done_by"]
    task_item = next(i for i in checklist["items"] if i["kind"] == "task")
    r = c.post(f"/api/v1/response/checklist/{task_item['id']}", json={"done": True})
    assert r.status_code == 409


def test_level_change_adds_and_cancels(city, api):
    plan = make_plan(city.db, city.county_a)
    incident = new_incident(city.db, city.town_a, grade="III", deaths=4, **GEO)
    c = api("county")
    assert (
        c.post(
            f"/api/v1/incidents/{incident}/response/activate",
            json={"level": 4, "plan_id": plan.id, "decided_by": "县长"},
        ).status_code
        == 201
    )
    before = _count(city.db, ResponseTask, ResponseTask.incident_id == incident)
    r = c.post(
        f"/api/v1/incidents/{incident}/response/adjust",
        json={"level": 3, "decided_by": "县长", "reason": "灾情扩大"},
    )
    assert r.status_code == 201, r.text
    after = _count(city.db, ResponseTask, ResponseTask.incident_id == incident)
    assert after == before + len(plan.member_ids) - 1  # the same HQ and lead tasks are not doubled
    r = c.post(
        f"/api/v1/incidents/{incident}/response/adjust",
        json={"level": 4, "decided_by": "县长", "reason": "险情得到控制"},
    )
    assert r.status_code == 201, r.text
    cancelled = _count(
        city.db, ResponseTask, ResponseTask.incident_id == incident, ResponseTask.state == "cancelled"
    )
    assert cancelled == len(plan.member_ids) - 1
    with city.db.reading() as s:
        reasons = s.scalars(
            select(ResponsePlanItem.cancel_reason).where(
                ResponsePlanItem.incident_id == incident, ResponsePlanItem.state == "cancelled"
            )
        ).all()
    assert reasons and all("险情得到控制" in r and "三级" in r for r in reasons)
    checklist = c.get(f"/api/v1/incidents/{incident}/response/checklist").json()
    assert checklist["cancelled"] == cancelled


def test_refusals_write_nothing(city, api):
    plan = make_plan(city.db, city.county_a)
    draft = make_plan(city.db, city.county_a, state="drafting")
    bare = make_plan(city.db, city.county_a, levels=False)
    other = make_plan(city.db, city.county_b)
    incident = new_incident(city.db, city.town_a, grade="III", **GEO)
    c = api("county")
    url = f"/api/v1/incidents/{incident}/response/activate"
    body = {"level": 3, "decided_by": "县长"}
    assert c.post(url, json=body | {"plan_id": draft.id}).status_code == 409
    assert c.post(url, json=body | {"plan_id": bare.id}).status_code == 422
    r = c.post(url, json=body | {"plan_id": other.id})
    assert r.status_code == 422 and r.json()["error"]["message"]
    assert c.post(url, json=body | {"plan_id": 10**12}).status_code == 422
    # a town cannot act under the county's plan: outside its scope the plan is unknown
    assert api("town").post(url, json=body | {"plan_id": plan.id}).status_code == 422
    assert _count(city.db, ResponseActivation, ResponseActivation.incident_id == incident) == 0
    assert _count(city.db, ResponseTask, ResponseTask.incident_id == incident) == 0


def test_a_failure_half_way_leaves_nothing(city, api):
    """The HQ actions need an HQ: found missing after the activation row and the status move were
    made, the whole activation is undone."""
    from yingji.core.db import Actor
    from yingji.incidents.models import Incident
    from yingji.plans.models import Plan

    plan = make_plan(city.db, city.county_a)
    with city.db.writing(Actor.system("tests")) as s:
        row = s.get(Plan, plan.id)
        row.hq_unit_id = row.lead_unit_id = None
    incident = new_incident(city.db, city.town_a, grade="III", **GEO)
    c = api("county")
    r = c.post(
        f"/api/v1/incidents/{incident}/response/activate",
        json={"level": 3, "plan_id": plan.id, "decided_by": "县长"},
    )
    assert r.status_code == 409 and r.json()["error"]["message_en"]
    assert _count(city.db, ResponseActivation, ResponseActivation.incident_id == incident) == 0
    assert _count(city.db, ResponseTask, ResponseTask.incident_id == incident) == 0
    assert _count(city.db, ResponsePlanItem, ResponsePlanItem.incident_id == incident) == 0
    with city.db.reading() as s:
        assert s.get(Incident, incident).status == "verified"


def test_repeats_and_missing_levels_change_nothing(city, api):
    from yingji.core.db import Actor
    from yingji.plans.models import PlanAction, PlanLevel

    plan = make_plan(city.db, city.county_a)
    with city.db.writing(Actor.system("tests")) as s:  # the plan has no Ⅰ级 response
        for model in (PlanAction, PlanLevel):
            for row in s.scalars(select(model).where(model.plan_id == plan.id, model.level == 1)):
                s.delete(row)
    incident = new_incident(city.db, city.town_a, grade="III", **GEO)
    c = api("county")
    url = f"/api/v1/incidents/{incident}/response"
    body = {"level": 3, "plan_id": plan.id, "decided_by": "县长"}
    assert c.post(f"{url}/activate", json=body).status_code == 201
    tasks = _count(city.db, ResponseTask, ResponseTask.incident_id == incident)
    assert c.post(f"{url}/activate", json=body).status_code == 409
    r = c.post(f"{url}/adjust", json={"level": 1, "decided_by": "县长", "reason": "升级"})
    assert r.status_code == 422
    assert _count(city.db, ResponseTask, ResponseTask.incident_id == incident) == tasks
    assert _count(city.db, ResponseActivation, ResponseActivation.incident_id == incident) == 1


def test_notices_and_tasks_reach_the_units_people(city, app, api):
    """A member unit whose people have logins: its task and notice land in their inboxes, and its
    member acknowledges the task created from the plan."""
    from tests.response.conftest import make_crew
    from yingji.auth.models import User
    from yingji.core.db import Actor
    from yingji.plans.models import PlanAction, PlanMember

    crew = make_crew(city.db, city.county_a)
    plan = make_plan(city.db, city.county_a)
    with city.db.writing(Actor.system("tests")) as s:
        s.add(
            PlanMember(
                plan_id=plan.id, unit_id=crew.unit_id, role="member", sort=99, jurisdiction_code=city.county_a
            )
        )
        for seq, kind in ((50, "task"), (51, "notice")):
            s.add(
                PlanAction(
                    plan_id=plan.id,
                    level=4,
                    seq=seq,
                    role="member",
                    unit_id=crew.unit_id,
                    kind=kind,
                    title=f"救援组{kind}",
                    due_minutes=45 if kind == "task" else None,
                    jurisdiction_code=city.county_a,
                )
            )
        member_user = s.scalar(select(User.id).where(User.username == crew.member_user))
    incident = new_incident(city.db, city.town_a, grade="IV", **GEO)
    r = api("county").post(
        f"/api/v1/incidents/{incident}/response/activate",
        json={"level": 4, "plan_id": plan.id, "decided_by": "县长"},
    )
    assert r.status_code == 201
    with city.db.reading() as s:
        got = s.scalars(select(InboxMessage.category).where(InboxMessage.user_id == member_user)).all()
        task_id = s.scalar(
            select(ResponseTask.id).where(
                ResponseTask.incident_id == incident, ResponseTask.assignee_unit_id == crew.unit_id
            )
        )
    assert sorted(got) == ["plan.notice", "task.assigned"]
    with city.db.reading() as s:
        steps = s.scalars(
            select(TaskEscalationStep.job_id).where(TaskEscalationStep.task_id == task_id)
        ).all()
    assert len(steps) == 4 and all(steps)  # frozen escalation, each step with its job
    from fastapi.testclient import TestClient

    from yingji.auth import service as auth_service
    from yingji.auth.scope import Principal

    with city.db.writing(Actor.system("tests")) as s:
        secret, _ = auth_service.create_token(s, Principal.system(), s.get(User, member_user), "tests")
    with TestClient(app, raise_server_exceptions=False) as phone:
        phone.headers["Authorization"] = f"Bearer {secret}"
        r = phone.post(f"/api/v1/tasks/{task_id}/acknowledge")
    assert r.status_code == 200 and r.json()["state"] == "acknowledged"

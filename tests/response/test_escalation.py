"""Task escalation with a moved clock: steps frozen when the task starts, each a job that re-checks the
task under lock; the auditor repairs a step whose job was lost."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select

from tests.response.conftest import make_crew, new_incident, principal_of
from yingji.auth.roles import PERMISSIONS, Role
from yingji.auth.scope import Principal
from yingji.core import clock as platform_clock
from yingji.core.db import Actor
from yingji.jobs.models import Job
from yingji.notify.models import InboxMessage
from yingji.response import escalation, tasks
from yingji.response.models import ResponseTask, TaskEscalationPolicy, TaskEscalationStep
from yingji.response.schemas import PolicyIn, TaskIn


def _inbox(db, username: str) -> list[str]:
    uid = principal_of(db, username).user_id
    with db.reading() as s:
        return list(s.scalars(select(InboxMessage.category).where(InboxMessage.user_id == uid)))


def _assign(db, principal, iid, person_id, due_in=timedelta(minutes=60)) -> int:
    with db.writing(Actor.system("tests")) as s:
        data = TaskIn(
            title="封控现场",
            assignee_kind="person",
            assignee_person_id=person_id,
            due_at=platform_clock.now() + due_in,
        )
        return tasks.create(s, principal, iid, data).id


def _steps(db, task_id) -> list[tuple[str, str]]:
    with db.reading() as s:
        rows = s.scalars(
            select(TaskEscalationStep)
            .where(TaskEscalationStep.task_id == task_id)
            .order_by(TaskEscalationStep.seq)
        )
        return [(r.action, r.state) for r in rows]


def test_without_acknowledgement_the_superior_is_told_at_its_step(city, clock, run_jobs):
    clock.freeze(platform_clock.now())
    crew = make_crew(city.db, city.town_a)
    iid = new_incident(city.db, city.town_a)
    task_id = _assign(city.db, principal_of(city.db, "town"), iid, crew.member_person_id)
    clock.advance(timedelta(minutes=89))
    run_jobs(city.db)
    assert _steps(city.db, task_id) == [
        ("remind_assignee", "done"),
        ("remind_assignee", "done"),
        ("notify_superior", "pending"),
        ("notify_commander", "pending"),
    ]
    assert _inbox(city.db, crew.member_user).count("task.remind_assignee") == 2
    assert "task.notify_superior" not in _inbox(city.db, crew.chief_user)
    clock.advance(timedelta(minutes=2))
    run_jobs(city.db)
    assert _steps(city.db, task_id)[2] == ("notify_superior", "done")
    assert _inbox(city.db, crew.chief_user).count("task.notify_superior") == 1
    assert "task.notify_superior" not in _inbox(city.db, crew.parent_chief_user)


def test_acknowledgement_before_the_step_silences_it(city, clock, run_jobs):
    clock.freeze(platform_clock.now())
    crew = make_crew(city.db, city.town_a)
    iid = new_incident(city.db, city.town_a)
    task_id = _assign(city.db, principal_of(city.db, "town"), iid, crew.member_person_id)
    clock.advance(timedelta(minutes=80))
    with city.db.writing(Actor.system("tests")) as s:
        tasks.move(s, principal_of(city.db, crew.member_user), task_id, "acknowledged")
    clock.advance(timedelta(minutes=15))
    run_jobs(city.db)
    assert _steps(city.db, task_id)[2] == ("notify_superior", "skipped")
    assert "task.notify_superior" not in _inbox(city.db, crew.chief_user)
    # Still not done two hours after the due time: the commander step watches every open state.
    with city.db.writing(Actor.system("tests")) as s:
        tasks.move(s, principal_of(city.db, crew.member_user), task_id, "done")
    clock.advance(timedelta(hours=3))
    run_jobs(city.db)
    assert _steps(city.db, task_id)[3] == ("notify_commander", "skipped")


def test_the_frozen_policy_is_used_even_after_the_policy_changes(city, clock, run_jobs):
    clock.freeze(platform_clock.now())
    crew = make_crew(city.db, city.village_a)
    iid = new_incident(city.db, city.village_a)
    village = Principal(
        None, "t-village", "村应急", Role.TOWN_OFFICER, city.village_a, PERMISSIONS[Role.TOWN_OFFICER]
    )
    v1 = PolicyIn(
        name="村级督办",
        steps=[{"offset_minutes": 10, "action": "notify_superior", "active_states": ["assigned"]}],
    )
    v2 = PolicyIn(
        name="村级督办（新）",
        steps=[{"offset_minutes": 5, "action": "notify_commander", "active_states": ["assigned"]}],
    )
    try:
        with city.db.writing(Actor.system("tests")) as s:
            escalation.set_policy(s, village, city.village_a, v1)
        task_id = _assign(city.db, village, iid, crew.member_person_id)
        with city.db.writing(Actor.system("tests")) as s:
            assert escalation.set_policy(s, village, city.village_a, v2).version == 2
        clock.advance(timedelta(minutes=71))
        run_jobs(city.db)
        assert _steps(city.db, task_id) == [("notify_superior", "done")]
        with city.db.reading() as s:
            frozen = s.get(ResponseTask, task_id).escalation_policy
        assert frozen["name"] == "村级督办" and frozen["version"] == 1
        assert _inbox(city.db, crew.chief_user).count("task.notify_superior") == 1
    finally:
        with city.db.writing(Actor.system("tests")) as s:
            s.execute(
                delete(TaskEscalationPolicy).where(TaskEscalationPolicy.jurisdiction_code == city.village_a)
            )


def test_the_auditor_repairs_a_step_whose_job_was_lost(city, clock, run_jobs):
    clock.freeze(platform_clock.now())
    crew = make_crew(city.db, city.town_a)
    iid = new_incident(city.db, city.town_a)
    task_id = _assign(city.db, principal_of(city.db, "town"), iid, crew.member_person_id)
    with city.db.writing(Actor.system("tests")) as s:
        step = s.scalars(
            select(TaskEscalationStep).where(
                TaskEscalationStep.task_id == task_id, TaskEscalationStep.seq == 3
            )
        ).one()
        s.execute(delete(Job).where(Job.id == step.job_id))  # the job vanished
    clock.advance(timedelta(minutes=91) + escalation.AUDIT_GRACE)
    run_jobs(city.db)
    assert _steps(city.db, task_id)[2] == ("notify_superior", "pending")
    assert "task.notify_superior" not in _inbox(city.db, crew.chief_user)
    with city.db.writing(Actor.system("tests")) as s:
        assert escalation.audit(s)["repaired"] >= 1
    run_jobs(city.db)
    assert _steps(city.db, task_id)[2] == ("notify_superior", "done")
    assert _inbox(city.db, crew.chief_user).count("task.notify_superior") == 1
    with city.db.reading() as s:
        repaired = s.scalars(
            select(TaskEscalationStep).where(
                TaskEscalationStep.task_id == task_id, TaskEscalationStep.seq == 3
            )
        ).one()
    assert repaired.repairs == 1
    with city.db.writing(Actor.system("tests")) as s:  # nothing left to repair for this task
        escalation.audit(s)
    with city.db.reading() as s:
        assert s.get(TaskEscalationStep, repaired.id).repairs == 1


def test_the_auditor_job_runs_from_the_queue(city, clock, run_jobs):
    from yingji.jobs import queue

    with city.db.writing(Actor.system("tests")) as s:
        queue.enqueue(s, "response.escalation_audit", {})
    assert run_jobs(city.db) >= 1

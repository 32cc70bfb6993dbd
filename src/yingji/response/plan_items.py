"""The rows a plan's actions become for an incident, in batches: tasks (due times, frozen escalation
with one policy lookup, steps flushed once, their jobs as one insert), the checklist items, and the
inbox rows of new tasks and notices (one insert; a unit without users → the issuing level's duty
room, as a single task's delivery does). Used by ``response.plan_run`` in the activation's
transaction."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from yingji.auth import audit
from yingji.auth.roles import Perm
from yingji.auth.scope import Principal
from yingji.core import clock
from yingji.core.errors import Conflict
from yingji.core.i18n import N_
from yingji.incidents.models import Incident
from yingji.jobs import registry as job_registry
from yingji.jobs.models import Job, JobState
from yingji.notify.inbox import users_with
from yingji.notify.models import InboxMessage
from yingji.org.models import Unit
from yingji.plans.codes import ActionKind, ActionRole, ItemState
from yingji.plans.digital import hq_unit
from yingji.plans.models import Plan, PlanAction, ResponsePlanItem
from yingji.response import escalation
from yingji.response.codes import TaskState
from yingji.response.common import zh
from yingji.response.models import ResponseActivation, ResponseTask, TaskEscalationStep


def _unit_users(session: Session, unit_ids: set[int]) -> dict[int, list[int]]:
    """Active users of the people holding a post in each unit (one query)."""
    from yingji.auth.models import User
    from yingji.org.models import Position

    out: dict[int, list[int]] = {u: [] for u in unit_ids}
    if not unit_ids:
        return out
    rows = session.execute(
        select(Position.unit_id, User.id)
        .join(User, User.person_id == Position.person_id)
        .where(Position.unit_id.in_(unit_ids), User.active)
        .order_by(Position.unit_id, User.id)
    ).all()
    for unit_id, user_id in rows:
        if user_id not in out[unit_id]:
            out[unit_id].append(user_id)
    return out


def materialise(
    session: Session,
    principal: Principal,
    incident: Incident,
    plan: Plan,
    activation: ResponseActivation,
    actions: list[PlanAction],
) -> list[dict]:
    """Create the tasks, notices and checklist items of ``actions`` for the incident, in batches;
    answers the item rows written (dicts with their ids)."""
    if not actions:
        return []
    now = clock.now()
    hq = hq_unit(session, plan)
    if hq is None and any(a.role == ActionRole.HQ for a in actions):
        raise Conflict("The plan names no HQ or lead unit for its HQ actions.")
    if any(a.kind == ActionKind.TASK and not a.due_minutes for a in actions):
        raise Conflict("A task of the plan has no time limit; complete the plan first.")
    unit_ids = {a.unit_id for a in actions if a.unit_id} | ({hq.id} if hq else set())
    names = dict(session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(unit_ids))).all())
    target = {a.id: (a.unit_id if a.role == ActionRole.MEMBER else hq.id) for a in actions}
    issued_by = principal.jurisdiction_code or incident.jurisdiction_code
    policy = escalation.policy_for(session, issued_by)
    frozen = {**policy, "frozen_at": now.isoformat()}
    seq = (
        session.scalar(select(func.max(ResponseTask.seq)).where(ResponseTask.incident_id == incident.id)) or 0
    )
    tasks: dict[int, ResponseTask] = {}
    for a in actions:
        if a.kind != ActionKind.TASK:
            continue
        seq += 1
        tasks[a.id] = ResponseTask(
            incident_id=incident.id,
            seq=seq,
            title=a.title,
            detail=a.detail,
            assignee_kind="unit",
            assignee_unit_id=target[a.id],
            assignee_name=names[target[a.id]],
            priority=a.priority,
            due_at=now + timedelta(minutes=a.due_minutes),
            state=TaskState.ASSIGNED,
            plan_action_id=a.id,
            escalation_policy=frozen,
            issued_by_code=issued_by,
            created_by_user_id=principal.user_id,
            jurisdiction_code=incident.jurisdiction_code,
        )
    session.add_all(tasks.values())
    session.flush()
    users = _unit_users(session, {target[a.id] for a in actions if a.kind != ActionKind.CHECK})
    fallback: list[int] = []
    if any(not users.get(target[a.id]) for a in actions if a.kind != ActionKind.CHECK):
        fallback = users_with(session, issued_by, Perm.INCIDENT_MANAGE)
    items = []
    for sort, a in enumerate(actions):
        task = tasks.get(a.id)
        to = (users.get(target[a.id]) or fallback) if a.kind != ActionKind.CHECK else []
        due = task.due_at if task else (now + timedelta(minutes=a.due_minutes) if a.due_minutes else None)
        items.append(
            {
                "incident_id": incident.id,
                "activation_id": activation.id,
                "plan_id": plan.id,
                "plan_action_id": a.id,
                "level": activation.level,
                "kind": a.kind,
                "role": a.role,
                "unit_id": target[a.id],
                "unit_name": names[target[a.id]],
                "title": a.title,
                "detail": a.detail,
                "resources": a.resources or [],
                "task_id": task.id if task else None,
                "due_at": due,
                "state": ItemState.SENT if a.kind == ActionKind.NOTICE else ItemState.OPEN,
                "recipients": len(to),
                "done_at": now if a.kind == ActionKind.NOTICE else None,
                "sort": sort,
                "jurisdiction_code": incident.jurisdiction_code,
                "created_at": now,
                "updated_at": now,
                "_to": to,
            }
        )
    # executemany, then the ids read back (RETURNING in parameter order is a row at a time on SQLite)
    session.execute(
        ResponsePlanItem.__table__.insert(), [{k: v for k, v in row.items() if k != "_to"} for row in items]
    )
    made = dict(
        session.execute(
            select(ResponsePlanItem.plan_action_id, ResponsePlanItem.id).where(
                ResponsePlanItem.activation_id == activation.id,
                ResponsePlanItem.plan_action_id.in_([a.id for a in actions]),
            )
        ).all()
    )
    for row in items:
        row["id"] = made[row["plan_action_id"]]
    ids = [row["id"] for row in items]
    audit.record(
        session,
        "create",
        "response_plan_items",
        activation.id,
        jurisdiction_code=incident.jurisdiction_code,
        after={"incident_id": incident.id, "plan_id": plan.id, "level": activation.level, "ids": list(ids)},
        note="items of a plan's level",
    )
    _freeze_escalation(session, list(tasks.values()), policy, now)
    _deliver(session, incident, plan, items, tasks)
    return items


def _freeze_escalation(session: Session, tasks: list[ResponseTask], policy: dict, now) -> None:
    """escalation.start for many tasks (their policy is already frozen): the step rows and their
    jobs as one insert each, then each step's job id."""
    if not tasks:
        return
    steps = []
    for task in tasks:
        for n, spec in enumerate(policy["steps"], start=1):
            due = task.due_at + timedelta(minutes=spec["offset_minutes"])
            steps.append(
                {
                    "task_id": task.id,
                    "seq": n,
                    "action": spec["action"],
                    "offset_minutes": spec["offset_minutes"],
                    "active_states": list(spec["active_states"]),
                    "due_at": due,
                    "state": "pending" if due >= now else "skipped",
                    "note": None if due >= now else "past when the task started",
                    "repairs": 0,
                    "jurisdiction_code": task.jurisdiction_code,
                }
            )
    session.execute(TaskEscalationStep.__table__.insert(), steps)
    made = {
        (task_id, seq): step_id
        for step_id, task_id, seq in session.execute(
            select(TaskEscalationStep.id, TaskEscalationStep.task_id, TaskEscalationStep.seq).where(
                TaskEscalationStep.task_id.in_([t.id for t in tasks])
            )
        )
    }
    pending = [(made[(s["task_id"], s["seq"])], s["due_at"]) for s in steps if s["state"] == "pending"]
    if not pending:
        return
    spec = job_registry.get(escalation.STEP_JOB)
    rows = [
        {
            "kind": escalation.STEP_JOB,
            "payload": {"step_id": step_id},
            "state": JobState.QUEUED,
            "priority": 0,
            "due_at": due,
            "attempts": 0,
            "max_attempts": spec.max_attempts if spec else 5,
            "dedupe_key": f"task-step:{step_id}",
            "created_at": now,
            "updated_at": now,
        }
        for step_id, due in pending
    ]
    session.execute(Job.__table__.insert(), rows)
    keys = [r["dedupe_key"] for r in rows]
    job_of = dict(session.execute(select(Job.dedupe_key, Job.id).where(Job.dedupe_key.in_(keys))).all())
    steps_table = TaskEscalationStep.__table__
    session.execute(
        steps_table.update().where(steps_table.c.id == bindparam("sid")).values(job_id=bindparam("jid")),
        [{"sid": step_id, "jid": job_of[f"task-step:{step_id}"]} for step_id, _ in pending],
    )


def _deliver(session, incident, plan, items: list[dict], tasks: dict[int, ResponseTask]) -> None:
    """One inbox row per user and item: a new task to its unit's users, a notice likewise (the
    users were found when the items were made; the issuing level's duty room stands in)."""
    now = clock.now()
    rows = []
    for item in items:
        if item["kind"] == "check":
            continue
        if item["kind"] == "task":
            task = tasks[item["plan_action_id"]]
            subject = zh(N_("New task {seq}: {title}"), seq=task.seq, title=task.title)
            body, link, category = task.detail or "", f"/tasks/{task.id}", "task.assigned"
            key, data = f"task-new:{task.id}", {"task_id": task.id}
            severity = "urgent" if task.priority == "urgent" else "warning"
        else:
            subject = zh(N_("Notice under plan {plan}: {title}"), plan=plan.title, title=item["title"])
            body = "\n".join(x for x in (incident.title, item["detail"]) if x)
            link, category, severity = f"/incidents/{incident.id}", "plan.notice", "warning"
            key, data = f"plan-notice:{item['id']}", {"incident_id": incident.id, "plan_item_id": item["id"]}
        for uid in item["_to"]:
            rows.append(
                {
                    "user_id": uid,
                    "category": category,
                    "severity": severity,
                    "subject": subject[:200],
                    "body": body,
                    "link": link,
                    "jurisdiction_code": incident.jurisdiction_code,
                    "data": data,
                    "dedupe_key": f"{key}:{uid}",
                    "created_at": now,
                }
            )
    if rows:
        session.execute(InboxMessage.__table__.insert(), rows)

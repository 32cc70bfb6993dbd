"""The rows a plan's actions become for an incident, in batches: tasks (due times, frozen escalation
with one policy lookup, steps flushed once, their jobs as one insert), the checklist items, and the
inbox rows of new tasks and notices (one insert; a unit without users → the issuing level's duty
room, as a single task's delivery does). Used by ``response.plan_run`` in the activation's
transaction."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal
from yingji.core import clock
from yingji.core.errors import Conflict
from yingji.core.i18n import N_
from yingji.incidents.models import Incident
from yingji.jobs import registry as job_registry
from yingji.jobs.models import Job
from yingji.notify.inbox import users_with
from yingji.notify.models import InboxMessage
from yingji.org.models import Unit
from yingji.plans.codes import ActionRole
from yingji.plans.digital import hq_unit
from yingji.plans.models import Plan, PlanAction, ResponsePlanItem
from yingji.response import escalation
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
) -> list[ResponsePlanItem]:
    """Create the tasks, notices and checklist items of ``actions`` for the incident, in batches."""
    if not actions:
        return []
    now = clock.now()
    hq = hq_unit(session, plan)
    if hq is None and any(a.role == ActionRole.HQ for a in actions):
        raise Conflict("The plan names no HQ or lead unit for its HQ actions.")
    if any(a.kind == "task" and not a.due_minutes for a in actions):
        raise Conflict("A task of the plan has no time limit; complete the plan first.")
    unit_ids = {a.unit_id for a in actions if a.unit_id} | ({hq.id} if hq else set())
    units = {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_(unit_ids)))}
    target = {a.id: (units[a.unit_id] if a.role == ActionRole.MEMBER else hq) for a in actions}
    issued_by = principal.jurisdiction_code or incident.jurisdiction_code
    seq = (
        session.scalar(select(func.max(ResponseTask.seq)).where(ResponseTask.incident_id == incident.id)) or 0
    )
    tasks: dict[int, ResponseTask] = {}
    for a in actions:
        if a.kind != "task":
            continue
        seq += 1
        unit = target[a.id]
        tasks[a.id] = ResponseTask(
            incident_id=incident.id,
            seq=seq,
            title=a.title,
            detail=a.detail,
            assignee_kind="unit",
            assignee_unit_id=unit.id,
            assignee_name=unit.name,
            priority=a.priority,
            due_at=now + timedelta(minutes=a.due_minutes),
            state="assigned",
            plan_action_id=a.id,
            issued_by_code=issued_by,
            created_by_user_id=principal.user_id,
            jurisdiction_code=incident.jurisdiction_code,
        )
    session.add_all(tasks.values())
    session.flush()
    items = []
    for sort, a in enumerate(actions):
        unit, task = target[a.id], tasks.get(a.id)
        items.append(
            ResponsePlanItem(
                incident_id=incident.id,
                activation_id=activation.id,
                plan_id=plan.id,
                plan_action_id=a.id,
                level=activation.level,
                kind=a.kind,
                role=a.role,
                unit_id=unit.id,
                unit_name=unit.name,
                title=a.title,
                detail=a.detail,
                resources=a.resources or [],
                task_id=task.id if task else None,
                due_at=task.due_at
                if task
                else (now + timedelta(minutes=a.due_minutes) if a.due_minutes else None),
                state="open",
                sort=sort,
                jurisdiction_code=incident.jurisdiction_code,
            )
        )
    session.add_all(items)
    session.flush()
    _freeze_escalation(session, list(tasks.values()), issued_by, now)
    _deliver(session, incident, plan, items, tasks, issued_by)
    return items


def _freeze_escalation(session: Session, tasks: list[ResponseTask], issued_by: str, now) -> None:
    """escalation.start for many tasks: one policy lookup, one flush of steps, one insert of jobs."""
    if not tasks:
        return
    policy = escalation.policy_for(session, issued_by)
    frozen = {**policy, "frozen_at": now.isoformat()}
    steps = []
    for task in tasks:
        task.escalation_policy = frozen
        for n, spec in enumerate(policy["steps"], start=1):
            due = task.due_at + timedelta(minutes=spec["offset_minutes"])
            steps.append(
                TaskEscalationStep(
                    task_id=task.id,
                    seq=n,
                    action=spec["action"],
                    offset_minutes=spec["offset_minutes"],
                    active_states=list(spec["active_states"]),
                    due_at=due,
                    state="pending" if due >= now else "skipped",
                    note=None if due >= now else "past when the task started",
                    jurisdiction_code=task.jurisdiction_code,
                )
            )
    session.add_all(steps)
    session.flush()
    pending = [s for s in steps if s.state == "pending"]
    if not pending:
        return
    spec = job_registry.get(escalation.STEP_JOB)
    rows = [
        {
            "kind": escalation.STEP_JOB,
            "payload": {"step_id": s.id},
            "state": "queued",
            "priority": 0,
            "due_at": s.due_at,
            "attempts": 0,
            "max_attempts": spec.max_attempts if spec else 5,
            "dedupe_key": f"task-step:{s.id}",
            "created_at": now,
            "updated_at": now,
        }
        for s in pending
    ]
    ids = session.scalars(insert(Job).returning(Job.id, sort_by_parameter_order=True), rows).all()
    for step, job_id in zip(pending, ids, strict=True):
        step.job_id = job_id


def _deliver(session, incident, plan, items, tasks, issued_by) -> None:
    """One inbox row per user: new tasks to the assigned unit's users, notices to the unit's users;
    a unit without users → the issuing level's duty room, as a single task's delivery does."""
    users = _unit_users(session, {i.unit_id for i in items if i.unit_id and i.kind != "check"})
    fallback: list[int] | None = None
    now = clock.now()
    rows = []
    for item in items:
        if item.kind == "check":
            continue
        to = users.get(item.unit_id) or []
        if not to:
            if fallback is None:
                fallback = users_with(session, issued_by, Perm.INCIDENT_MANAGE)
            to = fallback
        if item.kind == "task":
            task = tasks[item.plan_action_id]
            subject = zh(N_("New task {seq}: {title}"), seq=task.seq, title=task.title)
            body, link, category, key = (
                task.detail or "",
                f"/tasks/{task.id}",
                "task.assigned",
                f"task-new:{task.id}",
            )
            severity = "urgent" if task.priority == "urgent" else "warning"
            data = {"task_id": task.id}
        else:
            subject = zh(N_("Notice under plan {plan}: {title}"), plan=plan.title, title=item.title)[:200]
            body = "\n".join(x for x in (incident.title, item.detail) if x)
            link, category, key = f"/incidents/{incident.id}", "plan.notice", f"plan-notice:{item.id}"
            severity, data = "warning", {"incident_id": incident.id, "plan_item_id": item.id}
            item.state, item.recipients, item.done_at = "sent", len(to), now
        for uid in to:
            rows.append(
                {
                    "user_id": uid,
                    "category": category,
                    "severity": severity,
                    "subject": subject[:200],
                    "body": body,
                    "link": link,
                    "jurisdiction_code": item.jurisdiction_code,
                    "data": data,
                    "dedupe_key": f"{key}:{uid}",
                    "created_at": now,
                }
            )
    if rows:
        session.execute(insert(InboxMessage), rows)

"""Task escalation, after Grafana OnCall: the policy's ordered steps are FROZEN into the task when
it starts (a snapshot; later policy edits never reach it); each step is a row plus a job with its due
time; the job re-checks the task under a row lock and does nothing when the task has left the states
the step watches (cancellation by state); an auditor repairs steps whose job vanished."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, writable
from yingji.core import clock
from yingji.core.i18n import N_
from yingji.incidents.models import Incident
from yingji.jobs import queue, repair
from yingji.notify.channels import Message
from yingji.notify.inbox import InboxChannel, notify_level
from yingji.org.codes import ancestors
from yingji.response import recipients
from yingji.response.codes import OPEN_TASK_STATES, StepState, TaskState
from yingji.response.common import record, zh
from yingji.response.models import ResponseTask, TaskEscalationPolicy, TaskEscalationStep
from yingji.response.schemas import PolicyIn

STEP_JOB = "response.escalation_step"
AUDIT_GRACE = timedelta(minutes=10)  # a step this late with no live job has stalled
MAX_REPAIRS = 3
OPEN_STATES = [s.value for s in OPEN_TASK_STATES]

# The default when no jurisdiction sets its own (a setting, not a rule of law): remind before the due
# time; at it, remind the assignee; 30 min later tell the superior if nobody acknowledged; 2 h later
# tell the commander if the task is still not done.
DEFAULT_POLICY = {
    "name": "默认任务督办策略",
    "version": 1,
    "jurisdiction_code": None,
    "steps": [
        {"offset_minutes": -30, "action": "remind_assignee", "active_states": OPEN_STATES},
        {"offset_minutes": 0, "action": "remind_assignee", "active_states": OPEN_STATES},
        {"offset_minutes": 30, "action": "notify_superior", "active_states": [TaskState.ASSIGNED.value]},
        {"offset_minutes": 120, "action": "notify_commander", "active_states": OPEN_STATES},
    ],
}

ACTION_TEXT = {
    "remind_assignee": N_("Task {seq} ({title}): reminder sent to {who}."),
    "notify_superior": N_("Task {seq} ({title}) is overdue: the assignee's superior was told."),
    "notify_commander": N_("Task {seq} ({title}) is overdue: the commander was told."),
    "notify_issuer": N_("Task {seq} ({title}) is overdue: the issuing level was told."),
}


def policy_for(session: Session, code: str) -> dict:
    """The policy of the nearest jurisdiction (itself, then its ancestors) that sets one."""
    codes = [*ancestors(code), code] if code else []
    rows = {
        p.jurisdiction_code: p
        for p in session.scalars(
            select(TaskEscalationPolicy).where(TaskEscalationPolicy.jurisdiction_code.in_(codes))
        )
    }
    for c in reversed(codes):
        if c in rows:
            p = rows[c]
            return {"name": p.name, "version": p.version, "jurisdiction_code": c, "steps": p.steps}
    return DEFAULT_POLICY


def set_policy(session: Session, principal: Principal, code: str, data: PolicyIn) -> TaskEscalationPolicy:
    """Set a jurisdiction's policy (a new version); running tasks keep the copy they froze."""
    writable(principal, code, Perm.RESPONSE_COMMAND)
    steps = sorted((s.model_dump() for s in data.steps), key=lambda s: s["offset_minutes"])
    row = session.scalars(
        select(TaskEscalationPolicy).where(TaskEscalationPolicy.jurisdiction_code == code)
    ).first()
    if row is None:
        row = TaskEscalationPolicy(jurisdiction_code=code, name=data.name, version=1, steps=steps)
        session.add(row)
    else:
        row.name, row.steps, row.version = data.name, steps, row.version + 1
    session.flush()
    return row


def start(session: Session, task: ResponseTask) -> None:
    """Freeze the policy into the task and plan one step row + job per step."""
    policy = policy_for(session, task.issued_by_code)
    now = clock.now()
    task.escalation_policy = {**policy, "frozen_at": now.isoformat()}
    for seq, spec in enumerate(policy["steps"], start=1):
        due = task.due_at + timedelta(minutes=spec["offset_minutes"])
        step = TaskEscalationStep(
            task_id=task.id,
            seq=seq,
            action=spec["action"],
            offset_minutes=spec["offset_minutes"],
            active_states=list(spec["active_states"]),
            due_at=due,
            state=StepState.PENDING if due >= now else StepState.SKIPPED,
            note=None if due >= now else "past when the task started",
            jurisdiction_code=task.jurisdiction_code,
        )
        session.add(step)
    session.flush()
    for step in _pending(session, task.id):
        _enqueue(session, step, step.due_at, f"task-step:{step.id}")


def _pending(session: Session, task_id: int) -> list[TaskEscalationStep]:
    return list(
        session.scalars(
            select(TaskEscalationStep).where(
                TaskEscalationStep.task_id == task_id, TaskEscalationStep.state == StepState.PENDING
            )
        )
    )


def _enqueue(session: Session, step: TaskEscalationStep, due: datetime, key: str) -> None:
    job_id = queue.enqueue(session, STEP_JOB, {"step_id": step.id}, due_at=due, dedupe_key=key)
    if job_id is not None:  # None: the same key is already queued
        step.job_id = job_id


def lock_task(session: Session, task_id: int) -> ResponseTask | None:
    return session.scalars(
        select(ResponseTask)
        .where(ResponseTask.id == task_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()


def run_step(session: Session, step_id: int) -> str:
    """Job body: under the task's row lock, act if the task is still in a state the step watches."""
    task_id = session.scalar(select(TaskEscalationStep.task_id).where(TaskEscalationStep.id == step_id))
    if task_id is None:
        return "gone"
    task = lock_task(session, task_id)
    step = session.scalars(
        select(TaskEscalationStep)
        .where(TaskEscalationStep.id == step_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if step.state != StepState.PENDING:
        return "already"
    now = clock.now()
    step.ran_at = now
    if task.state not in step.active_states:
        step.state, step.note = StepState.SKIPPED, f"task {task.state}"
        return StepState.SKIPPED
    who = recipients.RESOLVERS[step.action](session, task)
    deliver(session, task, who, step.action, key=f"task-step:{step.id}")
    step.state, step.note = StepState.DONE, (who.who or step.action)[:300]
    incident = session.get(Incident, task.incident_id)
    record(
        session,
        incident,
        "task",
        zh(ACTION_TEXT[step.action], seq=task.seq, title=task.title, who=task.assignee_name),
        {"task_id": task.id, "step": step.seq, "action": step.action, "users": who.user_ids},
    )
    return StepState.DONE


def deliver(session: Session, task: ResponseTask, who: recipients.Recipients, action: str, key: str) -> None:
    """Send a task notification to the users found, or to the fallback level's duty room."""
    overdue = task.due_at <= clock.now()
    if action == "assigned":  # the notice of a new task (an event, not a state)
        subject = zh(N_("New task {seq}: {title}"), seq=task.seq, title=task.title)
    elif overdue:
        subject = zh(
            N_("Overdue task {seq}: {title} ({who})"), seq=task.seq, title=task.title, who=task.assignee_name
        )
    else:
        subject = zh(N_("Task {seq} due soon: {title}"), seq=task.seq, title=task.title)
    link = f"/tasks/{task.id}"
    severity = "urgent" if overdue or task.priority == "urgent" else "warning"
    if who.user_ids:
        batch = [
            Message(
                recipient_user_id=uid,
                subject=subject,
                body=task.detail or "",
                link=link,
                category=f"task.{action}",
                severity=severity,
                jurisdiction_code=task.jurisdiction_code,
                key=f"{key}:{uid}",
                data={"task_id": task.id},
            )
            for uid in who.user_ids
        ]
        InboxChannel().send(session, batch)
    elif who.fallback_code:
        notify_level(
            session,
            who.fallback_code,
            subject=subject,
            body=task.detail or "",
            link=link,
            category=f"task.{action}",
            severity=severity,
            key=key,
        )


def audit(session: Session, grace: timedelta = AUDIT_GRACE) -> dict[str, int]:
    """Find pending steps whose due time passed ``grace`` ago and whose job is gone or ended without
    running them; give them a new job (at most MAX_REPAIRS times, then mark them failed)."""

    def give_up(step: TaskEscalationStep) -> None:
        step.state, step.note = StepState.FAILED, f"job lost {step.repairs} times"

    def requeue(step: TaskEscalationStep, now: datetime) -> None:
        _enqueue(session, step, now, f"task-step:{step.id}:repair{step.repairs}")

    repaired, failed = repair.repair_steps(
        session, TaskEscalationStep, grace=grace, max_repairs=MAX_REPAIRS, requeue=requeue, give_up=give_up
    )
    return {"repaired": repaired, "failed": failed}

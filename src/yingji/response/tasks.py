"""Tasks to units, teams or people: assign, acknowledge, start, complete, cancel — through one
transition table; every change lands in the incident's timeline and the audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, require
from yingji.core import clock
from yingji.core.clock import LOCAL_TZ, to_utc
from yingji.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from yingji.core.i18n import N_
from yingji.core.pagination import Page, paginate
from yingji.incidents.models import Incident
from yingji.org.models import Person, Position, Unit
from yingji.response import escalation, recipients
from yingji.response.codes import OPEN_TASK_STATES, AssigneeKind
from yingji.response.codes import TaskState as T
from yingji.response.common import (
    actor_name,
    incident_for_write,
    person_id_of,
    record,
    require_open,
    zh,
)
from yingji.response.models import Consultation, ConsultationDecision, ResponseTask
from yingji.response.schemas import DecisionTaskIn, TaskIn

OPEN = OPEN_TASK_STATES
TRANSITIONS: dict[str, frozenset[str]] = {
    T.ASSIGNED: frozenset({T.ACKNOWLEDGED, T.IN_PROGRESS, T.DONE, T.CANCELLED}),
    T.ACKNOWLEDGED: frozenset({T.IN_PROGRESS, T.DONE, T.CANCELLED}),
    T.IN_PROGRESS: frozenset({T.DONE, T.CANCELLED}),
    T.DONE: frozenset(),
    T.CANCELLED: frozenset(),
}
# Moving again to where the task already is (or past it, for a retried phone tap) changes nothing.
ALREADY = {
    T.ACKNOWLEDGED: {T.ACKNOWLEDGED, T.IN_PROGRESS, T.DONE},
    T.IN_PROGRESS: {T.IN_PROGRESS, T.DONE},
    T.DONE: {T.DONE},
    T.CANCELLED: {T.CANCELLED},
}
STATE_TEXT = {
    "acknowledged": N_("Task {seq} ({title}) acknowledged by {who}."),
    "in_progress": N_("Task {seq} ({title}) in progress ({who})."),
    "done": N_("Task {seq} ({title}) done ({who})."),
    "cancelled": N_("Task {seq} ({title}) cancelled by {who}."),
}


def _local(value: datetime) -> str:
    return to_utc(value).astimezone(LOCAL_TZ).strftime("%m-%d %H:%M")


def _assignee_name(session: Session, principal: Principal, data: TaskIn | DecisionTaskIn) -> str:
    """Check the assignee exists in the principal's scope and give its shown name."""
    if data.assignee_kind == AssigneeKind.TEAM:
        return data.assignee_team or ""
    model, key = (
        (Unit, data.assignee_unit_id)
        if data.assignee_kind == AssigneeKind.UNIT
        else (Person, data.assignee_person_id)
    )
    obj = session.get(model, key) if key else None
    if obj is None or not principal.covers(obj.jurisdiction_code):
        field = "assignee_unit_id" if model is Unit else "assignee_person_id"
        raise ValidationFailed(details=[{"field": field, "message": "Unknown assignee."}])
    return obj.name


def create(
    session: Session,
    principal: Principal,
    incident_id: int,
    data: TaskIn | DecisionTaskIn,
    *,
    title: str | None = None,
    detail: str | None = None,
    decision_id: int | None = None,
) -> ResponseTask:
    """Assign a task; its escalation policy is frozen and its steps planned in the same transaction."""
    incident = incident_for_write(session, principal, incident_id)
    require_open(incident)
    client_key = getattr(data, "client_key", None)
    if client_key:
        earlier = session.scalars(select(ResponseTask).where(ResponseTask.client_key == client_key)).first()
        if earlier is not None:
            if earlier.incident_id != incident.id:
                raise Conflict("This client key was used for another task.")
            return earlier
    if data.due_at <= clock.now():
        raise ValidationFailed(
            details=[{"field": "due_at", "message": "The due time must be in the future."}]
        )
    name = _assignee_name(session, principal, data)
    seq = (
        session.scalar(select(func.max(ResponseTask.seq)).where(ResponseTask.incident_id == incident.id)) or 0
    ) + 1
    task = ResponseTask(
        incident_id=incident.id,
        seq=seq,
        title=title or data.title,
        detail=detail if detail is not None else getattr(data, "detail", None),
        assignee_kind=data.assignee_kind,
        assignee_unit_id=data.assignee_unit_id if data.assignee_kind == AssigneeKind.UNIT else None,
        assignee_person_id=data.assignee_person_id if data.assignee_kind == AssigneeKind.PERSON else None,
        assignee_team=data.assignee_team if data.assignee_kind == AssigneeKind.TEAM else None,
        assignee_name=name,
        priority=data.priority,
        due_at=data.due_at,
        state=T.ASSIGNED,
        source_decision_id=decision_id,
        issued_by_code=principal.jurisdiction_code or incident.jurisdiction_code,
        created_by_user_id=principal.user_id,
        client_key=client_key,
        jurisdiction_code=incident.jurisdiction_code,
    )
    session.add(task)
    session.flush()
    escalation.start(session, task)
    escalation.deliver(
        session, task, recipients.assignee(session, task), "assigned", key=f"task-new:{task.id}"
    )
    record(
        session,
        incident,
        "task",
        zh(
            N_("Task {seq} ({title}) assigned to {who}, due {due}."),
            seq=seq,
            title=task.title,
            who=name,
            due=_local(task.due_at),
        ),
        {"task_id": task.id, "assignee_kind": task.assignee_kind, "due_at": task.due_at.isoformat()},
    )
    return task


def create_from_decision(
    session: Session, principal: Principal, decision_id: int, data: DecisionTaskIn
) -> ResponseTask:
    """Turn a consultation decision into a task in one step (its text is the task's title and detail)."""
    decision = session.get(ConsultationDecision, decision_id)
    if decision is None:
        raise NotFound()
    consultation = session.get(Consultation, decision.consultation_id)
    title = data.title or decision.text[:200]
    return create(
        session,
        principal,
        consultation.incident_id,
        data,
        title=title,
        detail=decision.text,
        decision_id=decision.id,
    )


def _may_see(session: Session, principal: Principal, task: ResponseTask) -> bool:
    return principal.covers(task.jurisdiction_code) or recipients.may_handle(session, task, principal.user_id)


def get(session: Session, principal: Principal, task_id: int) -> ResponseTask:
    """A task in the principal's scope, or assigned to them (404 otherwise)."""
    task = session.get(ResponseTask, task_id)
    if task is None or not _may_see(session, principal, task):
        raise NotFound()
    return task


def move(
    session: Session, principal: Principal, task_id: int, target: str, note: str | None = None
) -> ResponseTask:
    """Change a task's state under its row lock. The assignee (TASK_HANDLE) acknowledges, starts and
    completes; commanders of the place may do it on their behalf and alone may cancel."""
    task = escalation.lock_task(session, task_id)
    if task is None or not _may_see(session, principal, task):
        raise NotFound()
    commands = principal.can(Perm.RESPONSE_COMMAND) and principal.covers(task.jurisdiction_code)
    if target == T.CANCELLED:
        if not commands:
            raise Forbidden()
    elif not commands:
        require(principal, Perm.TASK_HANDLE)
        if not recipients.may_handle(session, task, principal.user_id):
            raise Forbidden("Only the assignee can do this.")
    if task.state in ALREADY[target]:
        return task
    if target not in TRANSITIONS[task.state]:
        raise Conflict("A task cannot go from {current} to {target}.", current=task.state, target=target)
    now = clock.now()
    who = actor_name(principal)
    if target == T.ACKNOWLEDGED or (target in (T.IN_PROGRESS, T.DONE) and task.acknowledged_at is None):
        task.acknowledged_at, task.acknowledged_by = now, who
    if target == T.IN_PROGRESS or (target == T.DONE and task.started_at is None):
        task.started_at = task.started_at or now
    if target in (T.DONE, T.CANCELLED):
        task.finished_at = now
        task.result = note or task.result
    task.state = target
    incident = session.get(Incident, task.incident_id)
    record(
        session,
        incident,
        "task",
        zh(STATE_TEXT[target], seq=task.seq, title=task.title, who=who),
        {"task_id": task.id, "state": target, "note": note, "late": target == T.DONE and now > task.due_at},
    )
    session.flush()
    return task


def for_incident(session: Session, incident_id: int) -> list[ResponseTask]:
    return list(
        session.scalars(
            select(ResponseTask).where(ResponseTask.incident_id == incident_id).order_by(ResponseTask.seq)
        )
    )


def mine(
    session: Session, principal: Principal, *, open_only: bool = True, page: int = 1, size: int = 30
) -> Page:
    """Tasks assigned to the principal's person or to a unit they hold a post in."""
    person_id = person_id_of(session, principal)
    if person_id is None:
        return Page(items=[], total=0, page=1, size=size)
    units = select(Position.unit_id).where(Position.person_id == person_id)
    stmt = select(ResponseTask).where(
        or_(ResponseTask.assignee_person_id == person_id, ResponseTask.assignee_unit_id.in_(units))
    )
    if open_only:
        stmt = stmt.where(ResponseTask.state.in_(OPEN))
    return paginate(session, stmt.order_by(ResponseTask.due_at, ResponseTask.id), page, size)


def overdue(session: Session, principal: Principal, limit: int = 50) -> list[tuple[ResponseTask, str, str]]:
    """Open tasks past their due time in the principal's scope, most overdue first (duty board):
    (task, incident number, incident title)."""
    rows = session.execute(
        select(ResponseTask, Incident.number, Incident.title, Incident.drill_id)
        .join(Incident, Incident.id == ResponseTask.incident_id)
        .where(
            in_scope(ResponseTask.jurisdiction_code, principal),
            ResponseTask.state.in_(OPEN),
            ResponseTask.due_at < clock.now(),
        )
        .order_by(ResponseTask.due_at)
        .limit(limit)
    ).all()
    # a drill's task says so wherever the list is shown (duty board, API)
    return [(t, n, f"【演练】{title}" if drill else title) for t, n, title, drill in rows]


def is_overdue(task: ResponseTask) -> bool:
    return task.state in OPEN and task.due_at < clock.now()

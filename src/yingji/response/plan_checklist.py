"""The checklist a plan made for an incident: every item (a task's state is its task's), and ticking
the checklist items (scope, lock, timeline)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, writable
from yingji.core import clock
from yingji.core.errors import Conflict, NotFound
from yingji.core.i18n import N_
from yingji.incidents.models import Incident
from yingji.incidents.status import IncidentStatus
from yingji.plans.codes import ActionKind, ItemState
from yingji.plans.models import ResponsePlanItem
from yingji.response.codes import TaskState
from yingji.response.common import actor_name, incident_for_read, record, zh
from yingji.response.models import ResponseActivation, ResponseTask


def effective_state(item: ResponsePlanItem, task_state: str | None) -> str:
    """A task item's state is its task's: open while the task is, else done or cancelled."""
    if item.kind != ActionKind.TASK or item.state == ItemState.CANCELLED or task_state is None:
        return item.state
    if task_state in (TaskState.DONE, TaskState.CANCELLED):
        return task_state  # the same strings as the item's DONE and CANCELLED
    return ItemState.OPEN


def items_with_tasks(session: Session, incident_id: int) -> list[tuple[ResponsePlanItem, str | None]]:
    return list(
        session.execute(
            select(ResponsePlanItem, ResponseTask.state)
            .outerjoin(ResponseTask, ResponseTask.id == ResponsePlanItem.task_id)
            .where(ResponsePlanItem.incident_id == incident_id)
            .order_by(ResponsePlanItem.activation_id, ResponsePlanItem.sort, ResponsePlanItem.id)
        ).all()
    )


def item_out(item: ResponsePlanItem, task_state: str | None) -> dict:
    return {
        "id": item.id,
        "incident_id": item.incident_id,
        "activation_id": item.activation_id,
        "plan_id": item.plan_id,
        "plan_action_id": item.plan_action_id,
        "level": item.level,
        "kind": item.kind,
        "role": item.role,
        "unit_id": item.unit_id,
        "unit_name": item.unit_name,
        "title": item.title,
        "detail": item.detail,
        "task_id": item.task_id,
        "task_state": task_state,
        "due_at": item.due_at,
        "state": effective_state(item, task_state),
        "recipients": item.recipients,
        "done_at": item.done_at,
        "done_by": item.done_by,
        "cancelled_at": item.cancelled_at,
        "cancel_reason": item.cancel_reason,
    }


def checklist_rows(session: Session, incident_id: int) -> list[dict]:
    return [item_out(i, s) for i, s in items_with_tasks(session, incident_id)]


def checklist(session: Session, principal: Principal, incident_id: int) -> dict:
    """The incident's checklist under its plan(s): every item, open ones counted."""
    incident = incident_for_read(session, principal, incident_id)
    rows = checklist_rows(session, incident.id)
    plan_id = session.scalar(
        select(ResponseActivation.plan_id)
        .where(ResponseActivation.incident_id == incident.id, ResponseActivation.plan_id.is_not(None))
        .order_by(ResponseActivation.started_at.desc(), ResponseActivation.id.desc())
        .limit(1)
    )
    return {
        "incident_id": incident.id,
        "plan_id": plan_id,
        "items": rows,
        **{k: sum(1 for r in rows if r["state"] == k) for k in ("open", "done", "cancelled")},
    }


def tick(session: Session, principal: Principal, item_id: int, done: bool, note: str | None = None) -> dict:
    """Tick (or untick) a checklist item; tasks move through their own buttons, notices are sent."""
    item = session.scalars(
        select(ResponsePlanItem)
        .where(ResponsePlanItem.id == item_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if item is None or not principal.covers(item.jurisdiction_code):
        raise NotFound()
    incident = session.get(Incident, item.incident_id)
    writable(principal, item.jurisdiction_code, Perm.RESPONSE_COMMAND)
    if item.kind != ActionKind.CHECK:
        raise Conflict("Only checklist items are ticked; a task moves through its own actions.")
    if item.state == ItemState.CANCELLED:
        raise Conflict("The item was cancelled.")
    if incident.status == IncidentStatus.CLOSED:
        raise Conflict("The incident is closed.")
    target = "done" if done else "open"
    if item.state != target:
        item.state = target
        item.done_at, item.done_by = (clock.now(), actor_name(principal)) if done else (None, None)
        text = (
            N_("Checklist item done: {title} ({who}).")
            if done
            else N_("Checklist item reopened: {title} ({who}).")
        )
        record(
            session,
            incident,
            "response",
            zh(text, title=item.title, who=actor_name(principal)) + (f" {note}" if note else ""),
            {"plan_item_id": item.id, "state": target},
        )
        session.flush()
    return item_out(item, None)

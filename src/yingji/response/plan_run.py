"""A response under a registered plan: the plans that fit an incident with the level each proposes,
the preview of what a level will create, and — in the activation's one transaction — the tasks of
the HQ and every member unit (due times, frozen escalation, ``plan_action_id``), the notices (in-app
inbox, or the issuing level's duty room when a unit has no users) and the checklist. A level change
adds the new level's actions and cancels, with the reason, the open ones the new level lacks.

Rows are written in batches (one flush per table, the jobs and inbox rows as one insert each), so a
plan with thirty member units activates in one short transaction.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, writable
from yingji.core import clock
from yingji.core.errors import Conflict, NotFound, ValidationFailed
from yingji.core.i18n import N_
from yingji.incidents.models import Incident
from yingji.jobs import registry as job_registry
from yingji.jobs.models import Job
from yingji.notify.inbox import users_with
from yingji.notify.models import InboxMessage
from yingji.org.codes import ancestors
from yingji.org.models import Unit
from yingji.plans import conditions
from yingji.plans.codes import IN_FORCE, ActionRole
from yingji.plans.digital import hq_unit
from yingji.plans.models import Plan, PlanAction, PlanLevel, ResponsePlanItem
from yingji.response import escalation
from yingji.response.common import LEVEL_NAMES, actor_name, incident_for_read, record, zh
from yingji.response.models import ResponseActivation, ResponseTask, TaskEscalationStep
from yingji.response.tasks import OPEN

CANDIDATE_LIMIT = 20
# Most local first: a town's own plan, then the special plans, then the overall plan.
KIND_ORDER = {"township": 0, "village": 0, "special": 1, "department": 2, "joint": 2, "overall": 3}


def key_of(role: str, unit_id: int | None, kind: str, title: str) -> tuple:
    """The same action at two levels (same unit, kind and title) is one thing to do, not two."""
    return (role, unit_id, kind, " ".join(title.split()))


# -- which plan, which level -------------------------------------------------------------------------
def candidates(session: Session, principal: Principal, incident: Incident) -> list[Plan]:
    """Plans in force of the incident's place or above it that the principal may act under, with a
    response part; those covering the incident's category first, then the most local."""
    code = incident.jurisdiction_code
    places = [c for c in [*ancestors(code), code] if principal.covers(c)]
    if not places:
        return []
    with_levels = select(PlanLevel.plan_id).distinct()
    plans = list(
        session.scalars(
            select(Plan)
            .where(
                Plan.jurisdiction_code.in_(places),
                Plan.state.in_([s.value for s in IN_FORCE]),
                Plan.id.in_(with_levels),
            )
            .order_by(Plan.id)
            .limit(200)
        )
    )
    top = incident.category.split(".")[0]

    def rank(p: Plan) -> tuple:
        cats = p.event_categories or []
        fits = (
            0
            if incident.category in cats
            else 1
            if top in cats or any(c.startswith(top) for c in cats)
            else 2
        )
        return (fits, KIND_ORDER.get(p.kind, 4), -len(p.jurisdiction_code), p.id)

    return sorted(plans, key=rank)[:CANDIDATE_LIMIT]


def plan_for_incident(session: Session, principal: Principal, plan_id: int, incident: Incident) -> Plan:
    """The plan, if it is in force, covers the incident's place and the principal commands there."""
    plan = session.get(Plan, plan_id)
    if plan is None or not principal.covers(plan.jurisdiction_code):
        raise ValidationFailed(details=[{"field": "plan_id", "message": "Unknown plan."}])
    writable(principal, plan.jurisdiction_code, Perm.RESPONSE_COMMAND)
    if not incident.jurisdiction_code.startswith(plan.jurisdiction_code):
        raise ValidationFailed(
            details=[{"field": "plan_id", "message": "The plan does not cover the incident's place."}]
        )
    if plan.state not in IN_FORCE:
        raise Conflict("The plan is not in force; a response cannot follow it.")
    return plan


def level_of_plan(plan: Plan, level: int) -> PlanLevel:
    row = next((lv for lv in plan.levels if lv.level == level), None)
    if row is None:
        raise ValidationFailed(
            details=[{"field": "level", "message": "The plan has no response at this level."}]
        )
    return row


def actions_at(session: Session, plan_id: int, level: int) -> list[PlanAction]:
    return list(
        session.scalars(
            select(PlanAction)
            .where(PlanAction.plan_id == plan_id, PlanAction.level == level)
            .order_by(PlanAction.seq)
        )
    )


def proposal_out(plan: Plan, incident: Incident, proposal: conditions.Proposal) -> dict:
    return {
        "plan_id": plan.id,
        "plan_title": plan.title,
        "incident_id": incident.id,
        "proposed_level": proposal.level,
        "reasons": proposal.reasons,
        "levels": [
            {"level": c.level, "label": c.label, "reached": c.reached, "reasons": c.reasons}
            for c in proposal.checks
        ],
    }


def proposals(session: Session, principal: Principal, incident_id: int) -> list[dict]:
    incident = incident_for_read(session, principal, incident_id)
    return [
        proposal_out(p, incident, conditions.propose(session, p.levels, incident))
        for p in candidates(session, principal, incident)
    ]


def choices(session: Session, principal: Principal, incident: Incident) -> list[dict]:
    """The activation form's plans: each with its proposal (for the panel)."""
    return [
        proposal_out(p, incident, conditions.propose(session, p.levels, incident))
        | {"levels_defined": sorted(lv.level for lv in p.levels)}
        for p in candidates(session, principal, incident)
    ]


def preview(
    session: Session, principal: Principal, incident_id: int, plan_id: int, level: int | None
) -> dict:
    """What confirming would create: the proposal and, for the level (the proposed one by default),
    each task, notice and checklist item with its unit."""
    incident = incident_for_read(session, principal, incident_id)
    plan = plan_for_incident(session, principal, plan_id, incident)
    proposal = conditions.propose(session, plan.levels, incident)
    chosen = level or proposal.level or max((lv.level for lv in plan.levels), default=4)
    level_of_plan(plan, chosen)
    hq = hq_unit(session, plan)
    items = [
        {
            "plan_action_id": a.id,
            "kind": a.kind,
            "role": a.role,
            "unit_id": a.unit_id if a.role == ActionRole.MEMBER else (hq.id if hq else None),
            "unit_name": a.unit.name if a.unit is not None else (hq.name if hq else "—"),
            "title": a.title,
            "due_minutes": a.due_minutes,
            "priority": a.priority,
        }
        for a in actions_at(session, plan.id, chosen)
    ]
    counts = {k: sum(1 for i in items if i["kind"] == k) for k in ("task", "notice", "check")}
    return proposal_out(plan, incident, proposal) | {
        "level": chosen,
        "items": items,
        "tasks": counts["task"],
        "notices": counts["notice"],
        "checks": counts["check"],
    }


# -- creating the rows ---------------------------------------------------------------------------------
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


# -- activation and level changes ----------------------------------------------------------------------
def summary(items: list[ResponsePlanItem]) -> dict[str, int]:
    return {k: sum(1 for i in items if i.kind == k) for k in ("task", "notice", "check")}


def start(
    session: Session, principal: Principal, incident: Incident, plan: Plan, activation: ResponseActivation
) -> list[ResponsePlanItem]:
    """Called by ``levels.activate`` once the activation row exists: create the level's items."""
    level_of_plan(plan, activation.level)
    items = materialise(
        session, principal, incident, plan, activation, actions_at(session, plan.id, activation.level)
    )
    counts = summary(items)
    record(
        session,
        incident,
        "response",
        zh(
            N_(
                "Under plan {plan}: {tasks} tasks assigned, {notices} notices sent, {checks} checklist items."
            ),
            plan=plan.title,
            tasks=counts["task"],
            notices=counts["notice"],
            checks=counts["check"],
        ),
        {"plan_id": plan.id, "activation_id": activation.id, **counts},
    )
    return items


def effective_state(item: ResponsePlanItem, task_state: str | None) -> str:
    """A task item's state is its task's: open while the task is, else done or cancelled."""
    if item.kind != "task" or item.state == "cancelled" or task_state is None:
        return item.state
    return "open" if task_state in OPEN else task_state if task_state in ("done", "cancelled") else "open"


def _items_with_tasks(session: Session, incident_id: int) -> list[tuple[ResponsePlanItem, str | None]]:
    return list(
        session.execute(
            select(ResponsePlanItem, ResponseTask.state)
            .outerjoin(ResponseTask, ResponseTask.id == ResponsePlanItem.task_id)
            .where(ResponsePlanItem.incident_id == incident_id)
            .order_by(ResponsePlanItem.activation_id, ResponsePlanItem.sort, ResponsePlanItem.id)
        ).all()
    )


def change_level(
    session: Session,
    principal: Principal,
    incident: Incident,
    plan: Plan,
    before: ResponseActivation,
    after: ResponseActivation,
    reason: str,
) -> dict[str, int]:
    """Adjusting a response under a plan: the new level's actions not yet present are created; the
    open items of the old level the new one lacks are cancelled (their tasks too) with the reason."""
    from yingji.response import tasks as task_service

    level_of_plan(plan, after.level)
    wanted = actions_at(session, plan.id, after.level)
    wanted_keys = {key_of(a.role, a.unit_id, a.kind, a.title) for a in wanted}
    present: set[tuple] = set()
    why = zh(
        N_("Response changed from {before} to {after}; the new level has no such action. {reason}"),
        before=LEVEL_NAMES[before.level],
        after=LEVEL_NAMES[after.level],
        reason=reason,
    )
    now, cancelled = clock.now(), 0
    for item, task_state in _items_with_tasks(session, incident.id):
        if item.plan_id != plan.id:
            continue
        state = effective_state(item, task_state)
        key = key_of(
            item.role, item.unit_id if item.role == ActionRole.MEMBER else None, item.kind, item.title
        )
        if state == "cancelled":
            continue
        if key in wanted_keys:
            present.add(key)
            continue
        if state != "open":
            continue  # done, or a notice already sent: history stays
        if item.task_id is not None:
            task_service.move(session, principal, item.task_id, "cancelled", why)
        item.state, item.cancelled_at, item.cancel_reason = "cancelled", now, why
        cancelled += 1
    missing = [a for a in wanted if key_of(a.role, a.unit_id, a.kind, a.title) not in present]
    items = materialise(session, principal, incident, plan, after, missing)
    counts = summary(items)
    record(
        session,
        incident,
        "response",
        zh(
            N_("Under plan {plan}: {added} items added for the new level, {cancelled} cancelled."),
            plan=plan.title,
            added=len(items),
            cancelled=cancelled,
        ),
        {"plan_id": plan.id, "activation_id": after.id, "cancelled": cancelled, **counts},
    )
    return {"added": len(items), "cancelled": cancelled}


# -- the checklist -------------------------------------------------------------------------------------
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
    return [item_out(i, s) for i, s in _items_with_tasks(session, incident_id)]


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
    if item.kind != "check":
        raise Conflict("Only checklist items are ticked; a task moves through its own actions.")
    if item.state == "cancelled":
        raise Conflict("The item was cancelled.")
    if incident.status == "closed":
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

"""A response under a registered plan: the plans that fit an incident with the level each proposes,
the preview of what a level will create, and — in the activation's one transaction — the tasks of
the HQ and every member unit (due times, frozen escalation, ``plan_action_id``), the notices (in-app
inbox, or the issuing level's duty room when a unit has no users) and the checklist. A level change
adds the new level's actions and cancels, with the reason, the open ones the new level lacks.

Rows are written in batches (one flush per table, the jobs and inbox rows as one insert each), so a
plan with thirty member units activates in one short transaction.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload, selectinload

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, writable
from yingji.core import clock
from yingji.core.errors import Conflict, ValidationFailed
from yingji.core.i18n import N_
from yingji.incidents.models import Incident
from yingji.org.codes import ancestors
from yingji.plans import conditions
from yingji.plans.codes import IN_FORCE, ActionRole, ItemState
from yingji.plans.digital import hq_unit
from yingji.plans.models import Plan, PlanAction, PlanLevel
from yingji.response import plan_checklist, plan_items
from yingji.response.codes import TaskState
from yingji.response.common import LEVEL_NAMES, incident_for_read, record, zh
from yingji.response.models import ResponseActivation
from yingji.rules.overrides import tables_for

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
    # Rank on a few light columns of every plan in force there (a city has hundreds), then load only
    # the chosen ones with their levels: a cut before ranking would drop the plan that fits best.
    with_levels = select(PlanLevel.plan_id).distinct()
    rows = session.execute(
        select(Plan.id, Plan.kind, Plan.jurisdiction_code, Plan.event_categories).where(
            Plan.jurisdiction_code.in_(places),
            Plan.state.in_([s.value for s in IN_FORCE]),
            Plan.id.in_(with_levels),
        )
    ).all()
    top = incident.category.split(".")[0]

    def rank(row) -> tuple:
        cats = row.event_categories or []
        fits = (
            0
            if incident.category in cats
            else 1
            if top in cats or any(c.startswith(top) for c in cats)
            else 2
        )
        return (fits, KIND_ORDER.get(row.kind, 4), -len(row.jurisdiction_code), -row.id)  # newest first

    chosen = [row.id for row in sorted(rows, key=rank)[:CANDIDATE_LIMIT]]
    loaded = {p.id: p for p in session.scalars(select(Plan).where(Plan.id.in_(chosen)))}
    return [loaded[i] for i in chosen]


def load_plan(session: Session, plan_id: int | None) -> Plan | None:
    """The plan with its levels (not its member units: activation does not need them)."""
    if plan_id is None:
        return None
    return session.scalars(
        select(Plan).where(Plan.id == plan_id).options(lazyload(Plan.members), selectinload(Plan.levels))
    ).first()


def plan_for_incident(session: Session, principal: Principal, plan_id: int, incident: Incident) -> Plan:
    """The plan, if it is in force, covers the incident's place and the principal commands there."""
    plan = load_plan(session, plan_id)
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


def actions_at(session: Session, plan_id: int, level: int, *, with_units: bool = False) -> list[PlanAction]:
    stmt = select(PlanAction).where(PlanAction.plan_id == plan_id, PlanAction.level == level)
    if not with_units:
        stmt = stmt.options(lazyload(PlanAction.unit))
    return list(session.scalars(stmt.order_by(PlanAction.seq)))


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
    tables = tables_for(session, incident.jurisdiction_code)
    return [
        proposal_out(p, incident, conditions.propose(session, p.levels, incident, tables))
        for p in candidates(session, principal, incident)
    ]


def choices(session: Session, principal: Principal, incident: Incident) -> list[dict]:
    """The activation form's plans: each with its proposal (for the panel)."""
    tables = tables_for(session, incident.jurisdiction_code)
    return [
        proposal_out(p, incident, conditions.propose(session, p.levels, incident, tables))
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
        for a in actions_at(session, plan.id, chosen, with_units=True)
    ]
    counts = {k: sum(1 for i in items if i["kind"] == k) for k in ("task", "notice", "check")}
    return proposal_out(plan, incident, proposal) | {
        "level": chosen,
        "items": items,
        "tasks": counts["task"],
        "notices": counts["notice"],
        "checks": counts["check"],
    }


# -- activation and level changes ----------------------------------------------------------------------
def summary(items: list[dict]) -> dict[str, int]:
    return {k: sum(1 for i in items if i["kind"] == k) for k in ("task", "notice", "check")}


def start(
    session: Session, principal: Principal, incident: Incident, plan: Plan, activation: ResponseActivation
) -> list[dict]:
    """Called by ``levels.activate`` once the activation row exists: create the level's items."""
    level_of_plan(plan, activation.level)
    items = plan_items.materialise(
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
    for item, task_state in plan_checklist.items_with_tasks(session, incident.id):
        if item.plan_id != plan.id:
            continue
        state = plan_checklist.effective_state(item, task_state)
        key = key_of(
            item.role, item.unit_id if item.role == ActionRole.MEMBER else None, item.kind, item.title
        )
        if state == ItemState.CANCELLED:
            continue
        if key in wanted_keys:
            present.add(key)
            continue
        if state != ItemState.OPEN:
            continue  # done, or a notice already sent: history stays
        if item.task_id is not None:
            task_service.move(session, principal, item.task_id, TaskState.CANCELLED, why)
        item.state, item.cancelled_at, item.cancel_reason = "cancelled", now, why
        cancelled += 1
    missing = [a for a in wanted if key_of(a.role, a.unit_id, a.kind, a.title) not in present]
    items = plan_items.materialise(session, principal, incident, plan, after, missing)
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

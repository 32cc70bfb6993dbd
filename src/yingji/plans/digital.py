"""The response part of a plan as data: read it, and edit its levels (trigger text and conditions,
who decides) and each level's actions for the HQ and the member units (time limits, resources,
notices, checklist items). Every write checks ``plans.manage`` on the plan's place and is audited
by the session's listener; a repealed plan is final, and an action a response already used stays.
"""

from __future__ import annotations

from pydantic import ValidationError as PydanticError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, visible, writable
from yingji.core.errors import Conflict, NotFound, ValidationFailed
from yingji.core.i18n import N_
from yingji.core.models import apply_changes
from yingji.org.models import Unit
from yingji.plans import conditions
from yingji.plans.codes import IN_FORCE, ActionRole, PlanState
from yingji.plans.models import Plan, PlanAction, PlanLevel, PlanMember, ResponsePlanItem
from yingji.plans.schemas import ActionIn, ActionPatch, FromRulesIn, LevelIn
from yingji.response.models import ResponseTask
from yingji.rules.overrides import tables_for

BAD_ACTION = N_(
    "Not a valid action: a member unit's action names its unit, an HQ action none, a task its time limit."
)


def plan_for_read(session: Session, principal: Principal, plan_id: int) -> Plan:
    return visible(principal, session.get(Plan, plan_id))


def plan_for_write(session: Session, principal: Principal, plan_id: int) -> Plan:
    """The plan, locked, if the principal manages plans of its place (403 outside, 404 unknown)."""
    plan = session.scalars(
        select(Plan)
        .where(Plan.id == plan_id)
        .with_for_update(of=Plan)
        .execution_options(populate_existing=True)
    ).first()
    if plan is None:
        raise NotFound()
    writable(principal, plan.jurisdiction_code, Perm.PLANS_MANAGE)
    if plan.state == PlanState.REPEALED:
        raise Conflict("The plan is repealed; its response part cannot change.")
    return plan


def actions_of(session: Session, plan_id: int) -> list[PlanAction]:
    return list(
        session.scalars(
            select(PlanAction).where(PlanAction.plan_id == plan_id).order_by(PlanAction.level, PlanAction.seq)
        )
    )


def hq_unit(session: Session, plan: Plan):
    """Who the HQ actions go to: the plan's HQ, else its lead unit (``id`` and ``name``)."""
    unit_id = plan.hq_unit_id or plan.lead_unit_id
    if unit_id is None:
        return None
    return session.execute(select(Unit.id, Unit.name).where(Unit.id == unit_id)).first()


def part(session: Session, plan: Plan) -> dict:
    """The response part as the API answers it (``ResponsePartOut``)."""
    hq = hq_unit(session, plan)
    by_level: dict[int, list[PlanAction]] = {}
    for a in actions_of(session, plan.id):
        by_level.setdefault(a.level, []).append(a)
    levels = sorted(plan.levels, key=lambda lv: lv.level)
    return {
        "plan_id": plan.id,
        "code": plan.code,
        "title": plan.title,
        "kind": plan.kind,
        "state": plan.state,
        "in_force": plan.state in IN_FORCE,
        "hq_unit_id": hq.id if hq else None,
        "hq_unit_name": hq.name if hq else None,
        "members": [
            {"unit_id": m.unit_id, "unit_name": m.unit.name, "role": m.role, "duties": m.duties}
            for m in plan.members
        ],
        "levels": [
            {
                "level": lv.level,
                "label": conditions.LEVEL_LABELS[lv.level],
                "trigger_text": lv.trigger_text,
                "conditions": lv.conditions or {},
                "decided_by": lv.decided_by,
                "actions": [action_out(a, hq) for a in by_level.get(lv.level, [])],
            }
            for lv in levels
        ],
        "missing_levels": [n for n in (1, 2, 3, 4) if n not in {lv.level for lv in levels}],
    }


def action_out(a: PlanAction, hq=None) -> dict:
    unit_name = a.unit.name if a.unit is not None else (hq.name if hq is not None else None)
    return {
        "id": a.id,
        "level": a.level,
        "seq": a.seq,
        "role": a.role,
        "unit_id": a.unit_id,
        "unit_name": unit_name,
        "kind": a.kind,
        "title": a.title,
        "detail": a.detail,
        "due_minutes": a.due_minutes,
        "priority": a.priority,
        "resources": a.resources or [],
    }


def _level_row(plan: Plan, level: int) -> PlanLevel | None:
    return next((lv for lv in plan.levels if lv.level == level), None)


def _check_level_no(level: int) -> None:
    if level not in (1, 2, 3, 4):
        raise ValidationFailed(details=[{"field": "level", "message": "A level is 1 (highest) to 4."}])


def set_level(session: Session, principal: Principal, plan_id: int, level: int, data: LevelIn) -> PlanLevel:
    """Create or change a level's trigger (text and conditions) and who decides it."""
    _check_level_no(level)
    plan = plan_for_write(session, principal, plan_id)
    row = _level_row(plan, level)
    values = {
        "trigger_text": data.trigger_text,
        "conditions": data.conditions.model_dump(exclude_none=True),
        "decided_by": data.decided_by,
    }
    if row is None:
        row = PlanLevel(plan_id=plan.id, level=level, jurisdiction_code=plan.jurisdiction_code, **values)
        plan.levels.append(row)
    else:
        for key, value in values.items():
            setattr(row, key, value)
    session.flush()
    return row


def _used(session: Session, action_ids: list[int]) -> bool:
    if not action_ids:
        return False
    return (
        session.scalar(select(ResponseTask.id).where(ResponseTask.plan_action_id.in_(action_ids)).limit(1))
        is not None
    )


def delete_level(session: Session, principal: Principal, plan_id: int, level: int) -> None:
    """Remove a level and its actions, unless a response already created tasks from them."""
    _check_level_no(level)
    plan = plan_for_write(session, principal, plan_id)
    row = _level_row(plan, level)
    if row is None:
        raise NotFound()
    actions = [a for a in actions_of(session, plan.id) if a.level == level]
    if _used(session, [a.id for a in actions]):
        raise Conflict("A response already used this level's actions; change them instead of deleting.")
    for a in actions:
        session.delete(a)
    plan.levels.remove(row)
    session.flush()


def _check_unit(session: Session, plan: Plan, role: str, unit_id: int | None) -> None:
    """A member unit's action goes to a unit the plan lists; an HQ action needs the plan's HQ."""
    if role == ActionRole.MEMBER:
        member = session.scalar(
            select(PlanMember.id).where(PlanMember.plan_id == plan.id, PlanMember.unit_id == unit_id)
        )
        if member is None:
            raise ValidationFailed(
                details=[{"field": "unit_id", "message": "The unit is not a member unit of this plan."}]
            )
    elif plan.hq_unit_id is None and plan.lead_unit_id is None:
        raise ValidationFailed(
            details=[{"field": "role", "message": "The plan names no HQ or lead unit for HQ actions."}]
        )


def add_action(
    session: Session, principal: Principal, plan_id: int, level: int, data: ActionIn
) -> PlanAction:
    """Append an action to a level (the level must exist: its trigger comes first)."""
    _check_level_no(level)
    plan = plan_for_write(session, principal, plan_id)
    if _level_row(plan, level) is None:
        raise Conflict("Set the level's trigger before adding its actions.")
    _check_unit(session, plan, data.role, data.unit_id)
    seq = (
        session.scalar(
            select(func.max(PlanAction.seq)).where(PlanAction.plan_id == plan.id, PlanAction.level == level)
        )
        or 0
    ) + 1
    action = PlanAction(
        plan_id=plan.id,
        level=level,
        seq=seq,
        role=data.role.value,
        unit_id=data.unit_id,
        kind=data.kind,
        title=data.title,
        detail=data.detail,
        due_minutes=data.due_minutes,
        priority=data.priority,
        resources=[r.model_dump(exclude_none=True) for r in data.resources],
        jurisdiction_code=plan.jurisdiction_code,
    )
    session.add(action)
    session.flush()
    return action


def _action_for_write(
    session: Session, principal: Principal, plan_id: int, action_id: int
) -> tuple[Plan, PlanAction]:
    plan = plan_for_write(session, principal, plan_id)
    action = session.get(PlanAction, action_id)
    if action is None or action.plan_id != plan.id:
        raise NotFound()
    return plan, action


def update_action(
    session: Session, principal: Principal, plan_id: int, action_id: int, patch: ActionPatch
) -> PlanAction:
    """Change an action; the result must still be a valid action (ActionIn's rules)."""
    plan, action = _action_for_write(session, principal, plan_id, action_id)
    changes = patch.model_dump(exclude_unset=True)
    merged = {
        "role": action.role,
        "unit_id": action.unit_id,
        "kind": action.kind,
        "title": action.title,
        "detail": action.detail,
        "due_minutes": action.due_minutes,
        "priority": action.priority,
        "resources": action.resources or [],
    } | {k: v for k, v in changes.items() if k != "seq"}
    if merged.get("role") == ActionRole.HQ.value and "unit_id" not in changes:
        merged["unit_id"] = None
    try:
        checked = ActionIn.model_validate(merged)
    except PydanticError as exc:
        reason = "; ".join(e.get("msg", "") for e in exc.errors())[:300]
        raise ValidationFailed(
            details=[{"field": "action", "message": BAD_ACTION, "reason": reason}]
        ) from None
    _check_unit(session, plan, checked.role, checked.unit_id)
    if "seq" in changes and changes["seq"] != action.seq:
        taken = session.scalar(
            select(PlanAction.id).where(
                PlanAction.plan_id == plan.id,
                PlanAction.level == action.level,
                PlanAction.seq == changes["seq"],
            )
        )
        if taken is not None:
            raise Conflict("Another action of this level has that number.")
        action.seq = changes["seq"]
    apply_changes(
        action,
        {
            "role": checked.role.value,
            "unit_id": checked.unit_id,
            "kind": checked.kind,
            "title": checked.title,
            "detail": checked.detail,
            "due_minutes": checked.due_minutes,
            "priority": checked.priority,
            "resources": [r.model_dump(exclude_none=True) for r in checked.resources],
        },
    )
    session.flush()
    return action


def delete_action(session: Session, principal: Principal, plan_id: int, action_id: int) -> None:
    _plan, action = _action_for_write(session, principal, plan_id, action_id)
    if _used(session, [action.id]):
        raise Conflict("A response already created tasks from this action; change it instead of deleting.")
    session.delete(action)
    session.flush()


def levels_from_rules(session: Session, principal: Principal, plan_id: int, data: FromRulesIn) -> Plan:
    """Fill the levels' triggers from a grading table of the law (with the place's overrides):
    levels without a trigger get one; with ``replace`` every level's trigger is rewritten."""
    plan = plan_for_write(session, principal, plan_id)
    tied = conditions.from_rules(data.kind, tables_for(session, plan.jurisdiction_code))
    for n, spec in tied.items():
        row = _level_row(plan, n)
        if row is None:
            plan.levels.append(
                PlanLevel(plan_id=plan.id, level=n, jurisdiction_code=plan.jurisdiction_code, **spec)
            )
        elif data.replace:
            row.trigger_text, row.conditions = spec["trigger_text"], spec["conditions"]
    session.flush()
    return plan


def used_action_ids(session: Session, plan_id: int) -> set[int]:
    """Actions a response already used (the editor shows them as not deletable)."""
    return set(
        session.scalars(
            select(ResponsePlanItem.plan_action_id).where(
                ResponsePlanItem.plan_id == plan_id, ResponsePlanItem.plan_action_id.is_not(None)
            )
        )
    )

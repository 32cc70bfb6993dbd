"""Revision triggers (修订情形, RULES2 §9.5) on a plan: raised by a drill's evaluation, a real
response, an evaluation or by hand; the plan's people handle one by starting a revision (closed when
the revised version is issued) or dismiss it, saying why."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal
from yingji.core.errors import Conflict, NotFound
from yingji.core.i18n import N_
from yingji.plans import clocks
from yingji.plans.codes import PlanState, TriggerState
from yingji.plans.labels import trigger_reasons
from yingji.plans.lifecycle import _bad, _writable  # the same checks as every lifecycle step
from yingji.plans.models import Plan, PlanTrigger
from yingji.plans.registry import event
from yingji.plans.schemas import TriggerDismissIn, TriggerIn


def raise_trigger(
    session: Session,
    plan_id: int,
    reason: str,
    detail: str,
    *,
    source: str = "manual",
    source_ref: str | None = None,
    principal: Principal | None = None,
) -> PlanTrigger:
    """Record a revision trigger on a plan (drills and responses call this; the plan's people decide
    whether to revise). Idempotent per (plan, source_ref, reason)."""
    if reason not in trigger_reasons():
        raise _bad("reason", N_("Name one of the revision cases of the rules."))
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise NotFound()
    if source_ref:
        same = session.scalar(
            select(PlanTrigger).where(
                PlanTrigger.plan_id == plan_id,
                PlanTrigger.source_ref == source_ref,
                PlanTrigger.reason == reason,
            )
        )
        if same is not None:
            return same
    row = PlanTrigger(
        plan_id=plan_id,
        reason=reason,
        source=source,
        source_ref=source_ref,
        detail=detail,
        raised_on=clocks.today(),
        state=TriggerState.OPEN,
        jurisdiction_code=plan.jurisdiction_code,
    )
    session.add(row)
    if principal is not None:
        event(session, principal, plan, "trigger", plan.state, detail)
    session.flush()
    return row


def dismiss_trigger(
    session: Session, principal: Principal, plan_id: int, data: TriggerDismissIn
) -> PlanTrigger:
    """The plan's people decide a trigger needs no revision, and say why (a trigger that does is
    handled by starting a revision, and closed when the revised version is issued)."""
    plan = _writable(session, principal, plan_id)
    trigger = session.get(PlanTrigger, data.trigger_id, with_for_update=True)
    if trigger is None or trigger.plan_id != plan.id:
        raise NotFound()
    if trigger.state != TriggerState.OPEN:
        raise Conflict("This revision trigger has already been decided.")
    trigger.state, trigger.handled_note = TriggerState.DISMISSED, data.note
    event(session, principal, plan, "trigger_dismissed", plan.state, data.note)
    session.flush()
    return trigger


def add_trigger(session: Session, principal: Principal, plan_id: int, data: TriggerIn) -> PlanTrigger:
    plan = _writable(session, principal, plan_id)
    if plan.state == PlanState.REPEALED:
        raise Conflict("A repealed plan cannot be changed.")
    return raise_trigger(
        session,
        plan.id,
        data.reason,
        data.detail,
        source=data.source,
        source_ref=data.source_ref,
        principal=principal,
    )

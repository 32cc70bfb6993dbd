"""Response levels (突发事件应对法 第七十一、七十二、八十六条): activate, adjust and end a level for an
incident. Activating moves the incident to ``responding``, ending it to ``stabilised`` — through the
incidents' one transition table."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal
from yingji.core import clock
from yingji.core.errors import Conflict
from yingji.core.i18n import N_
from yingji.incidents.models import Incident
from yingji.response import investigation, plan_run
from yingji.response.codes import LevelEnd
from yingji.response.common import LEVEL_NAMES, incident_for_write, move_status, record, require_open, zh
from yingji.response.models import ResponseActivation
from yingji.response.schemas import ActivationIn, AdjustIn, EndIn


def current(session: Session, incident_id: int) -> ResponseActivation | None:
    """The active response level of an incident, if any."""
    return session.scalars(
        select(ResponseActivation).where(
            ResponseActivation.incident_id == incident_id, ResponseActivation.ended_at.is_(None)
        )
    ).first()


def history(session: Session, incident_id: int) -> list[ResponseActivation]:
    return list(
        session.scalars(
            select(ResponseActivation)
            .where(ResponseActivation.incident_id == incident_id)
            .order_by(ResponseActivation.started_at, ResponseActivation.id)
        )
    )


def activate(
    session: Session, principal: Principal, incident_id: int, data: ActivationIn
) -> ResponseActivation:
    """Start a response at ``data.level``; the incident goes to ``responding``."""
    incident = incident_for_write(session, principal, incident_id)
    require_open(incident)
    if current(session, incident.id) is not None:
        raise Conflict("A response is already active; adjust or end it instead.")
    plan = None
    if data.plan_id is not None:  # a registered plan: its level must exist; it names itself
        plan = plan_run.plan_for_incident(session, principal, data.plan_id, incident)
        plan_run.level_of_plan(plan, data.level)
        data = data.model_copy(update={"plan_name": plan.title, "plan_number": plan.doc_number})
    move_status(session, incident, "responding")
    row = ResponseActivation(
        incident_id=incident.id,
        level=data.level,
        plan_id=plan.id if plan else None,
        plan_name=data.plan_name,
        plan_number=data.plan_number,
        decided_by=data.decided_by,
        reason=data.reason,
        started_at=clock.now(),
        recorded_by_user_id=principal.user_id,
        jurisdiction_code=incident.jurisdiction_code,
    )
    session.add(row)
    incident.response_level = data.level
    named = "".join(x for x in (data.plan_name, f"（{data.plan_number}）" if data.plan_number else "") if x)
    record(
        session,
        incident,
        "response",
        zh(
            N_("{level} response activated by {who}; plan: {plan}."),
            level=LEVEL_NAMES[data.level],
            who=data.decided_by,
            plan=named or zh(N_("not named")),
        ),
        {
            "level": data.level,
            "plan_id": row.plan_id,
            "plan_name": data.plan_name,
            "plan_number": data.plan_number,
        },
    )
    investigation.ensure(session, incident)
    session.flush()
    if plan is not None:  # the level's tasks, notices and checklist, in this same transaction
        plan_run.start(session, principal, incident, plan, row)
    return row


def adjust(session: Session, principal: Principal, incident_id: int, data: AdjustIn) -> ResponseActivation:
    """Raise or lower the active level: the running period ends, a new one starts on the same plan."""
    incident = incident_for_write(session, principal, incident_id)
    require_open(incident)
    active = current(session, incident.id)
    if active is None:
        raise Conflict("No response is active; activate one first.")
    if active.level == data.level:
        raise Conflict("The response is already at this level.")
    plan = plan_run.load_plan(session, active.plan_id)
    if plan is not None:
        plan_run.level_of_plan(plan, data.level)
    now = clock.now()
    active.ended_at, active.ended_how, active.end_reason = now, LevelEnd.ADJUSTED, data.reason
    row = ResponseActivation(
        incident_id=incident.id,
        level=data.level,
        plan_id=active.plan_id,
        plan_name=active.plan_name,
        plan_number=active.plan_number,
        decided_by=data.decided_by,
        reason=data.reason,
        started_at=now,
        recorded_by_user_id=principal.user_id,
        jurisdiction_code=incident.jurisdiction_code,
    )
    session.add(row)
    incident.response_level = data.level
    message = (
        N_("Response raised from {before} to {after} by {who}.")
        if data.level < active.level
        else N_("Response lowered from {before} to {after} by {who}.")
    )
    record(
        session,
        incident,
        "response",
        zh(message, before=LEVEL_NAMES[active.level], after=LEVEL_NAMES[data.level], who=data.decided_by),
        {"from": active.level, "to": data.level, "reason": data.reason},
    )
    session.flush()
    if plan is not None:  # add the new level's actions, cancel the old ones it lacks
        plan_run.change_level(session, principal, incident, plan, active, row, data.reason)
    return row


def end(session: Session, principal: Principal, incident_id: int, data: EndIn) -> ResponseActivation:
    """End the response (响应终止): the incident goes to ``stabilised``."""
    incident = incident_for_write(session, principal, incident_id)
    require_open(incident)
    active = current(session, incident.id)
    if active is None:
        raise Conflict("No response is active; activate one first.")
    move_status(session, incident, "stabilised")
    active.ended_at, active.ended_how, active.end_reason = clock.now(), LevelEnd.ENDED, data.reason
    incident.response_level = None
    record(
        session,
        incident,
        "response",
        zh(N_("{level} response ended by {who}."), level=LEVEL_NAMES[active.level], who=data.decided_by),
        {"level": active.level, "reason": data.reason},
    )
    session.flush()
    return active


def level_of(incident: Incident) -> str | None:
    return LEVEL_NAMES.get(incident.response_level) if incident.response_level else None

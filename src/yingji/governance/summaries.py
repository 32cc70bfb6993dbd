"""Year-end summaries (工作总结) of each unit for a plan, signed twice (seed 002: 股室负责人 and 分管
领导): the head by the person holding the unit's head post, the leader by the leader in charge named
on the unit's row of the plan — each only by that person (anyone else: 403). After both the summary
is locked; when every unit of the plan has both signatures the plan closes."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth import audit
from yingji.auth.scope import Principal, visible
from yingji.auth.security import note_refusal
from yingji.core import clock
from yingji.core.errors import Conflict, Forbidden
from yingji.governance import plans
from yingji.governance.codes import PlanState, SignRole
from yingji.governance.models import PlanUnit, TaskPlan, YearSummary
from yingji.governance.reports import check_unit


class SummaryLocked(Conflict):
    code = "summary_locked"
    message = "The summary is signed by both the head and the leader in charge: it can no longer change."


class AlreadySigned(Conflict):
    code = "already_signed"
    message = "This signature is already given."


class NotTheSigner(Forbidden):
    code = "not_the_signer"
    message = "Only {who} may sign here."


class NoSigner(Conflict):
    code = "no_signer"
    message = "No one is named to sign as {who} for this unit."


def get(session: Session, principal: Principal, summary_id: int) -> YearSummary:
    return visible(principal, session.get(YearSummary, summary_id))


def of_plan(session: Session, plan_id: int) -> dict[int, YearSummary]:
    return {s.unit_id: s for s in session.scalars(select(YearSummary).where(YearSummary.plan_id == plan_id))}


def write(session: Session, principal: Principal, plan_id: int, unit_id: int, text: str) -> YearSummary:
    plan = plans.get(session, principal, plan_id)
    pu = session.scalar(select(PlanUnit).where(PlanUnit.plan_id == plan.id, PlanUnit.unit_id == unit_id))
    pu = visible(principal, pu)
    check_unit(session, principal, plan, unit_id)
    if plan.state == PlanState.CLOSED:
        raise plans.PlanClosed()
    row = session.scalar(
        select(YearSummary).where(YearSummary.plan_id == plan.id, YearSummary.unit_id == unit_id)
    )
    if row is not None and (row.head_signed_at or row.leader_signed_at):
        raise SummaryLocked() if row.locked else AlreadySigned()
    if row is None:
        row = YearSummary(
            plan_id=plan.id, unit_id=unit_id, text=text, jurisdiction_code=plan.jurisdiction_code
        )
        session.add(row)
    row.text, row.written_by = text, principal.user_id
    session.flush()
    return row


def signer(session: Session, summary: YearSummary, role: SignRole) -> int | None:
    """The person who must sign as ``role``: the unit's head post holder, or the plan's leader in charge."""
    pu = session.scalar(
        select(PlanUnit).where(PlanUnit.plan_id == summary.plan_id, PlanUnit.unit_id == summary.unit_id)
    )
    if role == SignRole.HEAD:
        return (
            pu.head_person_id
            if pu and plans.is_head(session, summary.unit_id, pu.head_person_id)
            else (plans.post_holder(session, summary.unit_id, plans.HEAD_ROLE))
        )
    return pu.leader_person_id if pu else None


def sign(session: Session, principal: Principal, summary_id: int, role: SignRole) -> YearSummary:
    summary = get(session, principal, summary_id)
    who = "股室负责人" if role == SignRole.HEAD else "分管领导"
    expected = signer(session, summary, role)
    if expected is None:
        raise NoSigner(who=who)
    person = plans.person_of(session, principal)
    ok = person == expected and (role != SignRole.HEAD or plans.is_head(session, summary.unit_id, person))
    if not ok:
        note_refusal(
            principal,
            "forbidden",
            403,
            jurisdiction_code=summary.jurisdiction_code,
            note=f"sign {role.value}",
        )
        raise NotTheSigner(who=who)
    return record_signature(session, principal, summary, role, person)


def record_signature(
    session: Session, principal: Principal, summary: YearSummary, role: SignRole, person: int
) -> YearSummary:
    """Write one signature (already checked), audit it by name, lock and close when complete."""
    plan = session.get(TaskPlan, summary.plan_id)
    if plan.state == PlanState.CLOSED:
        raise plans.PlanClosed()
    now = clock.now()
    if role == SignRole.HEAD:
        if summary.head_signed_at:
            raise AlreadySigned()
        summary.head_person_id, summary.head_signed_at, summary.head_user_id = person, now, principal.user_id
    else:
        if summary.leader_signed_at:
            raise AlreadySigned()
        summary.leader_person_id, summary.leader_signed_at, summary.leader_user_id = (
            person,
            now,
            principal.user_id,
        )
    session.flush()
    audit.record(
        session,
        "sign",
        "gov_summaries",
        summary.id,
        jurisdiction_code=summary.jurisdiction_code,
        after={"role": role.value, "person_id": person},
    )
    if summary.locked:
        _close_if_complete(session, plan)
    return summary


def _close_if_complete(session: Session, plan: TaskPlan) -> None:
    units = set(session.scalars(select(PlanUnit.unit_id).where(PlanUnit.plan_id == plan.id)))
    signed = {s.unit_id for s in of_plan(session, plan.id).values() if s.locked}
    if units and units <= signed:
        plans.close_plan(session, plan)

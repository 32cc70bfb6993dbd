"""Escalation of a dispatch, step by step (after Grafana OnCall): the steps were frozen into the
dispatch when it was issued; each is a row and a job due at its time. The job re-checks under row
locks and does nothing once the dispatch has stopped (lifted, expired, superseded); every action
touches only the cells still silent. An auditor finds steps whose job vanished or died and repairs
them, and marks a step stalled after ``steps.MAX_REPAIRS``."""

from __future__ import annotations

from sqlalchemy import Integer, String, case, func, insert, literal, select, update
from sqlalchemy.orm import Session

from yingji.auth import audit
from yingji.core import clock
from yingji.delivery import recipients, steps
from yingji.delivery.codes import DeliveryState, StepState
from yingji.delivery.issuing import STEP_JOB, ensure_sender
from yingji.delivery.models import Delivery, Dispatch, DispatchCell, DoorTask, EscalationStep
from yingji.jobs import queue, repair
from yingji.notify.inbox import notify_level
from yingji.org.models import GridAssignment, GridCell, Person
from yingji.residents.models import Resident


def _silent(dispatch_id: int):
    return select(DispatchCell.grid_cell_id).where(
        DispatchCell.dispatch_id == dispatch_id, DispatchCell.acknowledged_at.is_(None)
    )


def _silent_staff(dispatch_id: int):
    return select(GridAssignment.person_id).where(GridAssignment.grid_cell_id.in_(_silent(dispatch_id)))


def resend(session: Session, dispatch: Dispatch) -> dict:
    """Send the warning again (a new round, so a new key) to the staff of the silent cells."""
    from yingji.auth.models import User

    staff = _silent_staff(dispatch.id)
    users = select(User.id).where(User.person_id.in_(staff))
    n = session.execute(
        update(Delivery)
        .where(
            Delivery.dispatch_id == dispatch.id,
            Delivery.purpose == "warning",
            Delivery.state != DeliveryState.ACKNOWLEDGED,
            ((Delivery.recipient_kind == "person") & Delivery.recipient_id.in_(staff))
            | ((Delivery.recipient_kind == "user") & Delivery.recipient_id.in_(users)),
        )
        .values(state=DeliveryState.QUEUED.value, round=Delivery.round + 1, attempts=0, detail=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    return {"resent": n or 0}


def _escalation_rows(session: Session, dispatch: Dispatch, purpose: str, people) -> int:
    """SMS (and then inbox) deliveries of ``purpose`` to the people selected by ``people``."""
    stmt = select(
        literal(dispatch.id, Integer),
        literal("sms", String),
        literal("person", String),
        Person.id,
        literal(purpose, String),
        literal(purpose, String),
        literal(0, Integer),
        Person.mobile,
        Person.jurisdiction_code,
        literal(DeliveryState.QUEUED.value, String),
        literal(1, Integer),
        literal(0, Integer),
    ).where(Person.id.in_(people), Person.active)
    n = recipients._run(session, stmt)
    recipients.person_channels(session, dispatch.id, purpose)
    return n


def notify_leaders(session: Session, dispatch: Dispatch) -> dict:
    """Tell the silent cells' grid leaders and their villages' secretaries (level-2 leaders)."""
    silent_codes = select(DispatchCell.cell_code).where(
        DispatchCell.dispatch_id == dispatch.id, DispatchCell.acknowledged_at.is_(None)
    )
    cell_leaders = select(GridAssignment.person_id).where(
        GridAssignment.grid_cell_id.in_(_silent(dispatch.id)), GridAssignment.role == "leader"
    )
    village_leaders = (
        select(GridAssignment.person_id)
        .join(GridCell, GridCell.id == GridAssignment.grid_cell_id)
        .where(
            GridCell.level == 2,
            GridAssignment.role == "leader",
            GridCell.code.in_(select(func.substr(silent_codes.subquery().c.cell_code, 1, 12))),
        )
    )
    n = _escalation_rows(session, dispatch, "escalation", cell_leaders.union(village_leaders))
    return {"leaders_told": n}


def door_to_door(session: Session, dispatch: Dispatch) -> dict:
    """A 逐家逐户 task per silent cell (bulk, audited), and the cell's staff told."""
    cells = session.execute(
        select(DispatchCell.grid_cell_id, DispatchCell.cell_code, GridCell.households)
        .join(GridCell, GridCell.id == DispatchCell.grid_cell_id)
        .where(DispatchCell.dispatch_id == dispatch.id, DispatchCell.acknowledged_at.is_(None))
    ).all()
    if not cells:
        return {"tasks": 0}
    ids = [c.grid_cell_id for c in cells]
    staff = session.execute(
        select(GridAssignment.grid_cell_id, GridAssignment.person_id).where(
            GridAssignment.grid_cell_id.in_(ids)
        )
    ).all()
    codes = [c.cell_code for c in cells]
    counts = session.execute(
        select(
            Resident.jurisdiction_code,
            func.count(func.distinct(Resident.household)),
            func.sum(case((Resident.vulnerability > 0, 1), else_=0)),
        )
        .where(Resident.jurisdiction_code.in_(codes), Resident.active)
        .group_by(Resident.jurisdiction_code)
    ).all()
    existing = set(session.scalars(select(DoorTask.grid_cell_id).where(DoorTask.dispatch_id == dispatch.id)))
    rows = steps.door_rows(dispatch.id, cells, staff, counts, existing, clock.now())
    if rows:
        session.execute(insert(DoorTask), rows)
        audit.record_many(
            session,
            audit.entries_for_bulk(
                session,
                "create",
                "door_tasks",
                steps.door_audit_items(dispatch.id, rows),
                note=f"door-to-door tasks of dispatch {dispatch.id}",
            ),
        )
    told = _escalation_rows(session, dispatch, "door_to_door", _silent_staff(dispatch.id))
    return {"tasks": len(rows), "staff_told": told}


ACTIONS = {"resend": resend, "notify_leaders": notify_leaders, "door_to_door": door_to_door}


def run_step(session: Session, step_id: int) -> str:
    """Run one step if it is still pending and its dispatch still active (under row locks)."""
    step = session.scalar(
        select(EscalationStep)
        .where(EscalationStep.id == step_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    dispatch = None
    if step is not None and step.state == StepState.PENDING:
        dispatch = session.scalar(
            select(Dispatch)
            .where(Dispatch.id == step.dispatch_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    verdict = steps.gate(step, dispatch, clock.now())
    if verdict == StepState.CANCELLED:
        step.state = StepState.CANCELLED.value
        return step.state
    if verdict != steps.RUN:
        return verdict
    result = ACTIONS[step.action](session, dispatch)
    session.execute(
        update(DispatchCell)
        .where(DispatchCell.dispatch_id == dispatch.id, DispatchCell.acknowledged_at.is_(None))
        .values(escalated=step.seq)
        .execution_options(synchronize_session=False)
    )
    for (channel,) in session.execute(
        select(Delivery.channel)
        .where(
            Delivery.dispatch_id == dispatch.id, Delivery.state == DeliveryState.QUEUED, Delivery.tier == 0
        )
        .group_by(Delivery.channel)
    ):
        ensure_sender(session, dispatch.id, channel, f"step{step.seq}")
    step.state, step.done_at, step.result = StepState.DONE.value, clock.now(), result
    return step.state


def audit_steps(session: Session) -> dict[str, int]:
    """The auditor: pending steps past due whose job is gone, dead or cancelled are re-queued; after
    ``steps.MAX_REPAIRS`` a step is marked stalled and the dispatch's jurisdiction is told."""

    def give_up(step: EscalationStep) -> None:
        step.state = StepState.STALLED.value
        notify_level(session, step.jurisdiction_code, **steps.stall_notice(step))

    def requeue(step: EscalationStep, _now) -> None:
        key = steps.requeue_key(step)
        step.job_id = queue.enqueue(session, STEP_JOB, {"step_id": step.id}, dedupe_key=key, priority=5)

    repaired, stalled = repair.repair_steps(
        session,
        EscalationStep,
        grace=steps.AUDIT_GRACE,
        max_repairs=steps.MAX_REPAIRS,
        requeue=requeue,
        give_up=give_up,
    )
    return {"repaired": repaired, "stalled": stalled}


def stalled(session: Session, code_filter) -> list[EscalationStep]:
    """Steps that stalled or are late, for the auditor's list (scope filter given by the caller)."""
    return list(
        session.scalars(
            select(EscalationStep)
            .where(
                code_filter,
                (EscalationStep.state == StepState.STALLED)
                | (
                    (EscalationStep.state == StepState.PENDING)
                    & (EscalationStep.due_at < steps.late_before(clock.now()))
                ),
            )
            .order_by(EscalationStep.due_at)
            .limit(200)
        )
    )

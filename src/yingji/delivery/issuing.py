"""Issuing a warning's dispatch (in delivery, a *dispatch* is the sending of one warning issue, not a
team's or a store's dispatch to an incident): targeting, the frozen policy, cells, staff deliveries,
escalation steps and the jobs that send — all in the caller's (the publishing) transaction; and
stopping a warning's dispatches when it is lifted, expires or is superseded."""

from __future__ import annotations

from sqlalchemy import Integer, and_, literal, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from yingji.core import clock
from yingji.delivery import content, recipients, targeting
from yingji.delivery.codes import DeliveryState, DispatchState, StepState, TaskState
from yingji.delivery.models import Delivery, Dispatch, DispatchCell, DoorTask, EscalationStep
from yingji.delivery.policy import frozen_steps, policy_for
from yingji.jobs import queue
from yingji.org.codes import subtree_bounds
from yingji.org.models import GridCell
from yingji.warnings.hooks import WarningEvent

SEND_JOB = "delivery.send"
FANOUT_JOB = "delivery.fanout_residents"
STEP_JOB = "delivery.escalate"
SEND_PRIORITY = {0: 10, 1: 8, 2: 2}  # by tier: staff first, then groups, then residents
SENDS_POLICY = (WarningEvent.PUBLISHED, WarningEvent.UPDATED)  # a lift escalates nothing


def root_id_of(warning) -> int:
    """The first issue of a warning chain (updates and lifts point to it)."""
    for name in ("root_id", "root_warning_id", "first_issue_id"):
        value = getattr(warning, name, None)
        if value:
            return int(value)
    return int(warning.id)


def ensure_sender(session: Session, dispatch_id: int, channel: str, reason: str, priority: int = 10) -> None:
    """Make sure a send job will look at the dispatch's queued deliveries on ``channel``."""
    queue.enqueue(
        session,
        SEND_JOB,
        {"dispatch_id": dispatch_id, "channel": channel},
        dedupe_key=f"{SEND_JOB}:{dispatch_id}:{channel}:{reason}",
        priority=priority,
    )


def queued_channels(session: Session, dispatch_id: int) -> list[str]:
    return list(
        session.scalars(
            select(Delivery.channel)
            .where(Delivery.dispatch_id == dispatch_id, Delivery.state == DeliveryState.QUEUED)
            .group_by(Delivery.channel)
        )
    )


def _insert_cells(session: Session, dispatch_id: int, prefixes: list[str]) -> None:
    """The level-3 cells under the covered subtrees, straight from ``grid_cells`` (INSERT … SELECT)."""
    for i in range(0, len(prefixes), 200):
        ranges = [
            and_(GridCell.code >= low, GridCell.code < high)
            for low, high in map(subtree_bounds, prefixes[i : i + 200])
        ]
        sel = select(literal(dispatch_id, Integer), GridCell.id, GridCell.code, literal(0, Integer)).where(
            GridCell.level == 3, or_(*ranges)
        )
        session.execute(
            _dialect_insert(session, DispatchCell)
            .from_select(["dispatch_id", "grid_cell_id", "cell_code", "escalated"], sel)
            .on_conflict_do_nothing()
        )


def _dialect_insert(session: Session, model):
    return (pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert)(model)


def _copy_cells(session: Session, dispatch_id: int, previous_id: int) -> None:
    ins = _dialect_insert(session, DispatchCell)
    sel = select(
        literal(dispatch_id, Integer), DispatchCell.grid_cell_id, DispatchCell.cell_code, literal(0, Integer)
    ).where(DispatchCell.dispatch_id == previous_id)
    session.execute(
        ins.from_select(
            ["dispatch_id", "grid_cell_id", "cell_code", "escalated"], sel
        ).on_conflict_do_nothing()
    )


def latest_dispatch(session: Session, root_id: int) -> Dispatch | None:
    return session.scalar(
        select(Dispatch).where(Dispatch.root_warning_id == root_id).order_by(Dispatch.id.desc()).limit(1)
    )


def issue(session: Session, warning, event: str) -> Dispatch:
    """Create the dispatch of one issue of a warning and everything that sends it."""
    event = WarningEvent(event).value  # kept as a plain string on the row
    existing = session.scalar(
        select(Dispatch).where(Dispatch.warning_id == warning.id, Dispatch.event == event).limit(1)
    )
    if existing is not None:  # the same event told twice: one dispatch
        return existing
    root = root_id_of(warning)
    previous = latest_dispatch(session, root) if event != WarningEvent.PUBLISHED else None
    level = str(getattr(warning, "level", "") or "")
    code = str(getattr(warning, "jurisdiction_code", "") or "")
    target = (
        targeting.resolve_warning(session, warning) if event != WarningEvent.LIFTED else targeting.Target()
    )
    policy = policy_for(session, code, level) if event in SENDS_POLICY else {"steps": []}
    ack_code = content.new_ack_code()
    now = clock.now()
    dispatch = Dispatch(
        warning_id=warning.id,
        root_warning_id=root,
        event=event,
        identifier=str(getattr(warning, "identifier", "") or "")[:200],
        level=level[:8],
        headline=content.headline_of(warning, event)[:300],
        jurisdiction_code=code,
        ack_code=ack_code,
        state=DispatchState.ACTIVE.value,
        policy=policy,
        content=content.build(warning, event, ack_code),
        targeting=target.summary() | {"previous_dispatch_id": previous.id if previous else None},
        created_at=now,
        drill_id=getattr(warning, "drill_id", None),  # a drill's: every channel but the inbox is a sandbox
    )
    session.add(dispatch)
    session.flush()
    if previous is not None:
        stop(session, previous, "superseded" if event == WarningEvent.UPDATED else event)
    _insert_cells(session, dispatch.id, target.covered)
    if previous is not None:
        _copy_cells(session, dispatch.id, previous.id)
    counts = recipients.staff(session, dispatch.id)
    if previous is not None:
        counts["copied"] = recipients.copy_from(session, dispatch.id, previous.id)
    dispatch.targeting = dispatch.targeting | {"staff": counts}
    for seq, action, due_at in frozen_steps(policy, now):
        schedule_step(session, dispatch, seq, action, due_at)
    queue.enqueue(
        session,
        FANOUT_JOB,
        {"dispatch_id": dispatch.id},
        dedupe_key=f"{FANOUT_JOB}:{dispatch.id}",
        priority=1,
    )
    for channel in queued_channels(session, dispatch.id):
        ensure_sender(session, dispatch.id, channel, "issue", SEND_PRIORITY[0])
    session.flush()
    return dispatch


def schedule_step(session: Session, dispatch: Dispatch, seq: int, action: str, due_at) -> EscalationStep:
    step = EscalationStep(
        dispatch_id=dispatch.id,
        seq=seq,
        action=action,
        due_at=due_at,
        state=StepState.PENDING.value,
        jurisdiction_code=dispatch.jurisdiction_code,
    )
    session.add(step)
    session.flush()
    step.job_id = queue.enqueue(
        session, STEP_JOB, {"step_id": step.id}, due_at=due_at, dedupe_key=f"{STEP_JOB}:{step.id}", priority=5
    )
    return step


def stop(session: Session, dispatch: Dispatch, reason: str) -> int:
    """Stop a dispatch's escalation under its row lock: pending steps cancelled (their jobs too),
    open door-to-door tasks cancelled. Returns the number of steps cancelled."""
    locked = session.scalar(
        select(Dispatch)
        .where(Dispatch.id == dispatch.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if locked is None or locked.state != DispatchState.ACTIVE:
        return 0
    now = clock.now()
    locked.state, locked.stopped_at, locked.stop_reason = DispatchState.STOPPED.value, now, reason[:40]
    steps = list(
        session.scalars(
            select(EscalationStep)
            .where(EscalationStep.dispatch_id == locked.id, EscalationStep.state == StepState.PENDING)
            .with_for_update()
        )
    )
    for step in steps:
        step.state = StepState.CANCELLED.value
        if step.job_id:
            queue.cancel(session, step.job_id)
    for task in session.scalars(
        select(DoorTask)
        .where(DoorTask.dispatch_id == locked.id, DoorTask.state == TaskState.OPEN)
        .with_for_update()
    ):
        task.state, task.note = TaskState.CANCELLED.value, f"warning {reason}"
    session.flush()
    return len(steps)


def stop_chain(session: Session, root_id: int, reason: str) -> int:
    """Stop every active dispatch of a warning chain (lift, expiry)."""
    n = 0
    for d in session.scalars(
        select(Dispatch).where(Dispatch.root_warning_id == root_id, Dispatch.state == DispatchState.ACTIVE)
    ).all():
        n += stop(session, d, reason)
    return n

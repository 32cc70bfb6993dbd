"""Running an exercise: start (the offsets begin to run and each inject gets its job), fire an inject
at once, end (what is still scripted is cancelled and the players' reaction times are frozen).

The drill's state moves only along ``DRILL_MOVES``; everything happens in the caller's transaction,
so a refused start leaves no job and no changed inject behind.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal
from yingji.core import clock
from yingji.core.errors import Conflict, ValidationFailed
from yingji.drills import script
from yingji.drills.codes import DRILL_MOVES, DrillState
from yingji.drills.exercise_codes import InjectState
from yingji.drills.models import Drill, DrillInject
from yingji.jobs import queue

INJECT_JOB = "drills.inject"
START_SKEW = timedelta(minutes=5)  # a start "now" typed a little late is still now


def _move(drill: Drill, target: DrillState) -> None:
    current = DrillState(drill.state)
    if target not in DRILL_MOVES[current]:
        raise Conflict(
            "A drill cannot go from {current} to {target}.", current=current.value, target=target.value
        )
    drill.state = target.value


def schedule(session: Session, drill: Drill, inject: DrillInject) -> None:
    """Give a scripted inject its time (drill start + offset) and its job; a later schedule of the
    same inject makes a new job and the old one finds a different due time and does nothing."""
    inject.due_at = drill.starts_at + timedelta(minutes=inject.offset_minutes)
    session.flush()
    queue.enqueue(
        session,
        INJECT_JOB,
        {"inject_id": inject.id, "due_at": inject.due_at.isoformat()},
        due_at=inject.due_at,
        dedupe_key=f"{INJECT_JOB}:{inject.id}:{inject.due_at.isoformat()}",
        max_attempts=3,
    )


def start(session: Session, principal: Principal, drill_id: int, starts_at: datetime | None) -> Drill:
    drill = script.drill_for_control(session, principal, drill_id, lock=True)
    now = clock.now()
    at = clock.to_utc(starts_at) if starts_at else now
    if at < now - START_SKEW:
        raise ValidationFailed(
            details=[{"field": "starts_at", "message": "A drill cannot start in the past."}]
        )
    injects = [i for i in script.injects_of(session, drill.id) if i.state == InjectState.SCRIPTED]
    if not injects:
        raise Conflict("The drill has no scripted inject: write the script first.")
    _move(drill, DrillState.RUNNING)
    drill.starts_at = max(at, now)
    for inject in injects:
        schedule(session, drill, inject)
    return drill


def end(session: Session, principal: Principal, drill_id: int, note: str | None = None) -> Drill:
    from yingji.drills import measure

    drill = script.drill_for_control(session, principal, drill_id, lock=True)
    if drill.state != DrillState.RUNNING:
        raise Conflict("The exercise is not running.")
    _move(drill, DrillState.ENDED)
    drill.ended_at = clock.now()
    if note:
        drill.note = f"{drill.note}\n{note}" if drill.note else note
    session.execute(
        update(DrillInject)
        .where(DrillInject.drill_id == drill.id, DrillInject.state == InjectState.SCRIPTED)
        .values(state=InjectState.CANCELLED.value)
        .execution_options(synchronize_session="fetch")
    )
    session.flush()
    measure.freeze(session, drill)
    return drill


def fire_now(session: Session, principal: Principal, drill_id: int, inject_id: int) -> DrillInject:
    """The controller puts a scripted inject into the duty flow at once (导调: "next card now")."""
    from yingji.drills import injects

    drill, inject = script.inject_for_control(session, principal, drill_id, inject_id)
    if drill.state != DrillState.RUNNING:
        raise Conflict("Start the drill first: injects go into the duty flow only while it runs.")
    if inject.state != InjectState.SCRIPTED:
        raise Conflict("This inject is already in the duty flow (or withdrawn); it can no longer change.")
    inject.due_at = clock.now()
    injects.perform(session, inject, drill)
    return inject

"""The drill controller's script (导调脚本): injects with their offsets, checked kind by kind.

Only a holder of ``drills.control`` over the drill's place sees or changes the script: in a 双盲
drill the players must not learn when or what. An inject can be changed or withdrawn until it has
been put into the duty flow; a drill that has ended keeps its script as it was.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, require, visible, writable
from yingji.core.errors import Conflict, NotFound, ValidationFailed
from yingji.drills.codes import DrillState
from yingji.drills.exercise_codes import InjectKind, InjectState
from yingji.drills.models import Drill, DrillInject
from yingji.drills.schemas import InjectIn
from yingji.monitoring.models import Sensor
from yingji.org.models import Jurisdiction
from yingji.rules import grading as incident_rules

# A script is written before the drill runs, or while it runs (a controller adds the next move).
EDITABLE = frozenset({DrillState.PLANNED, DrillState.PREPARED, DrillState.RUNNING})


def drill_for_reading(session: Session, principal: Principal, drill_id: int) -> Drill:
    """The drill, if the principal directs exercises and sees its place (else 403 / 404)."""
    require(principal, Perm.DRILLS_CONTROL)
    return visible(principal, session.get(Drill, drill_id))


def drill_for_results(session: Session, principal: Principal, drill_id: int) -> Drill:
    """The drill's results: its controllers at any time; those who manage drills (the evaluators)
    once it has ended — while it runs, the players must not see what is being timed."""
    drill = visible(principal, session.get(Drill, drill_id)) if principal.can(Perm.DRILLS_MANAGE) else None
    if principal.can(Perm.DRILLS_CONTROL):
        return drill_for_reading(session, principal, drill_id)
    require(principal, Perm.DRILLS_MANAGE)
    if drill.state not in (DrillState.ENDED, DrillState.EVALUATED):
        raise Conflict("The results are shown once the drill has ended.")
    return drill


def drill_for_control(session: Session, principal: Principal, drill_id: int, *, lock: bool = False) -> Drill:
    """The drill for a change by its controller: ``drills.control`` over its place (403 outside)."""
    require(principal, Perm.DRILLS_CONTROL)
    stmt = select(Drill).where(Drill.id == drill_id)
    if lock:
        stmt = stmt.with_for_update()
    drill = visible(principal, session.scalar(stmt))
    writable(principal, drill.jurisdiction_code, Perm.DRILLS_CONTROL)
    return drill


def _missing(field: str) -> dict:
    return {"field": field, "message": "This field is required for this kind of inject."}


def _place(session: Session, drill: Drill, code: str) -> Jurisdiction:
    place = session.get(Jurisdiction, code)
    if place is None:
        raise ValidationFailed(details=[{"field": "place_code", "message": "Unknown division code."}])
    if not code.startswith(drill.jurisdiction_code):
        raise ValidationFailed(
            details=[
                {"field": "place_code", "message": "The place must lie within the drill's jurisdiction."}
            ]
        )
    return place


def payload_of(session: Session, drill: Drill, data: InjectIn) -> dict:
    """What the inject will say, checked for its kind; fields of other kinds are refused, so a
    script never carries something that will not happen."""
    _place(session, drill, data.place_code)
    kind = InjectKind(data.kind)
    given = data.model_dump(exclude_none=True, exclude={"kind", "offset_minutes", "title", "place_code"})
    allowed = {
        InjectKind.INCIDENT_REPORT: {"category", "description", "reporter_name", "reporter_phone", "figures"},
        InjectKind.SENSOR_READING: {"sensor_id", "value", "level"},
        InjectKind.UPSTREAM_WARNING: {
            "level",
            "headline",
            "description",
            "sender_name",
            "instruction",
            "hours",
        },
    }[kind]
    stray = sorted(set(given) - allowed)
    if stray:
        raise ValidationFailed(
            details=[
                {"field": f, "message": "This field does not belong to this kind of inject."} for f in stray
            ]
        )
    if kind is InjectKind.INCIDENT_REPORT:
        if not data.category:
            raise ValidationFailed(details=[_missing("category")])
        if incident_rules.subcategory(data.category) is None:
            raise ValidationFailed(details=[{"field": "category", "message": "Unknown event category."}])
        if data.figures is not None:
            given["figures"] = data.figures.given()
    elif kind is InjectKind.SENSOR_READING:
        missing = [f for f in ("sensor_id", "value", "level") if given.get(f) is None]
        if missing:
            raise ValidationFailed(details=[_missing(f) for f in missing])
        sensor = session.get(Sensor, data.sensor_id)
        if sensor is None or not sensor.jurisdiction_code.startswith(drill.jurisdiction_code):
            raise ValidationFailed(
                details=[{"field": "sensor_id", "message": "No such sensor within the drill's jurisdiction."}]
            )
        if not sensor.active:
            raise ValidationFailed(details=[{"field": "sensor_id", "message": "This sensor is not active."}])
        if not sensor.jurisdiction_code.startswith(data.place_code):
            raise ValidationFailed(
                details=[{"field": "place_code", "message": "The sensor is not within this place."}]
            )
    else:
        missing = [f for f in ("level", "headline") if not given.get(f)]
        if missing:
            raise ValidationFailed(details=[_missing(f) for f in missing])
    return given


def _editable(drill: Drill) -> None:
    if drill.state not in EDITABLE:
        raise Conflict("The drill has ended; its script can no longer change.")


def injects_of(session: Session, drill_id: int) -> list[DrillInject]:
    return list(
        session.scalars(
            select(DrillInject)
            .where(DrillInject.drill_id == drill_id)
            .order_by(DrillInject.offset_minutes, DrillInject.seq)
        )
    )


def add(session: Session, principal: Principal, drill_id: int, data: InjectIn) -> DrillInject:
    drill = drill_for_control(session, principal, drill_id, lock=True)
    _editable(drill)
    payload = payload_of(session, drill, data)
    seq = (session.scalar(select(func.max(DrillInject.seq)).where(DrillInject.drill_id == drill.id)) or 0) + 1
    inject = DrillInject(
        drill_id=drill.id,
        jurisdiction_code=drill.jurisdiction_code,
        seq=seq,
        kind=data.kind.value,
        offset_minutes=data.offset_minutes,
        title=data.title,
        place_code=data.place_code,
        payload=payload,
        state=InjectState.SCRIPTED.value,
    )
    session.add(inject)
    session.flush()
    if drill.state == DrillState.RUNNING:
        from yingji.drills import run

        run.schedule(session, drill, inject)
    return inject


def inject_for_control(
    session: Session, principal: Principal, drill_id: int, inject_id: int
) -> tuple[Drill, DrillInject]:
    drill = drill_for_control(session, principal, drill_id, lock=True)
    inject = session.scalar(
        select(DrillInject)
        .where(DrillInject.id == inject_id, DrillInject.drill_id == drill.id)
        .with_for_update()
    )
    if inject is None:
        raise NotFound()
    return drill, inject


def _still_scripted(inject: DrillInject) -> None:
    if inject.state not in (InjectState.SCRIPTED, InjectState.FAILED):
        raise Conflict("This inject is already in the duty flow (or withdrawn); it can no longer change.")


def update(
    session: Session, principal: Principal, drill_id: int, inject_id: int, data: InjectIn
) -> DrillInject:
    drill, inject = inject_for_control(session, principal, drill_id, inject_id)
    _editable(drill)
    _still_scripted(inject)
    inject.payload = payload_of(session, drill, data)
    inject.kind = data.kind.value
    inject.offset_minutes = data.offset_minutes
    inject.title = data.title
    inject.place_code = data.place_code
    inject.state = InjectState.SCRIPTED.value
    inject.error = None
    session.flush()
    if drill.state == DrillState.RUNNING:
        from yingji.drills import run

        run.schedule(session, drill, inject)
    return inject


def withdraw(session: Session, principal: Principal, drill_id: int, inject_id: int) -> DrillInject:
    """Take an inject out of the script: deleted before the drill runs, cancelled (kept) after."""
    drill, inject = inject_for_control(session, principal, drill_id, inject_id)
    _editable(drill)
    _still_scripted(inject)
    if drill.state == DrillState.RUNNING:
        inject.state = InjectState.CANCELLED.value
        session.flush()
        return inject
    session.delete(inject)
    session.flush()
    return inject

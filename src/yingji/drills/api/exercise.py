"""Drills API, exercise mode: the script and its injects, start and end, the sandbox's messages and
the measured results (controllers only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import Response

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.downloads import audited_download
from yingji.core.deps import Db, DbSession
from yingji.drills import (
    exercise_out,
    measure,
    run,
    sandbox,
    script,
)
from yingji.drills.schemas import (
    ExerciseEndIn,
    ExerciseOut,
    ExerciseStartIn,
    InjectIn,
    InjectOut,
    MeasurementOut,
    SandboxMessageOut,
)
from yingji.files.openapi import XLSX_FILE
from yingji.org import sheets

router = APIRouter()


DrillId = Annotated[int, Path(ge=1, le=2**62)]
InjectId = Annotated[int, Path(ge=1, le=2**62)]


def _exercise(session, drill) -> dict:
    return exercise_out.exercise_out(session, drill, script.injects_of(session, drill.id))


@router.get("/drills/{drill_id}/exercise", response_model=ExerciseOut)
def get_exercise(drill_id: DrillId, principal: CurrentPrincipal, session: DbSession) -> dict:
    """The script, the state of each inject and the players' reaction times (controllers only)."""
    return _exercise(session, script.drill_for_reading(session, principal, drill_id))


@router.post("/drills/{drill_id}/injects", response_model=InjectOut, status_code=201)
def add_inject(drill_id: DrillId, data: InjectIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    inject = script.add(session, principal, drill_id, data)
    return exercise_out.inject_out(inject)


@router.put("/drills/{drill_id}/injects/{inject_id}", response_model=InjectOut)
def change_inject(
    drill_id: DrillId, inject_id: InjectId, data: InjectIn, principal: CurrentPrincipal, session: DbSession
) -> dict:
    return exercise_out.inject_out(script.update(session, principal, drill_id, inject_id, data))


@router.delete("/drills/{drill_id}/injects/{inject_id}", response_model=InjectOut)
def withdraw_inject(
    drill_id: DrillId, inject_id: InjectId, principal: CurrentPrincipal, session: DbSession
) -> dict:
    """Deleted before the drill runs; cancelled (and kept) while it runs."""
    inject = script.withdraw(session, principal, drill_id, inject_id)
    out = exercise_out.inject_out(inject)
    return out


@router.post("/drills/{drill_id}/injects/{inject_id}/fire", response_model=InjectOut)
def fire_inject(
    drill_id: DrillId, inject_id: InjectId, principal: CurrentPrincipal, session: DbSession
) -> dict:
    """Put a scripted inject into the duty flow now."""
    return exercise_out.inject_out(run.fire_now(session, principal, drill_id, inject_id))


@router.post("/drills/{drill_id}/exercise/start", response_model=ExerciseOut)
def start_exercise(
    drill_id: DrillId, data: ExerciseStartIn, principal: CurrentPrincipal, session: DbSession
) -> dict:
    drill = run.start(session, principal, drill_id, data.starts_at)
    return _exercise(session, drill)


@router.post("/drills/{drill_id}/exercise/end", response_model=ExerciseOut)
def end_exercise(
    drill_id: DrillId, data: ExerciseEndIn, principal: CurrentPrincipal, session: DbSession
) -> dict:
    drill = run.end(session, principal, drill_id, data.note)
    return _exercise(session, drill)


@router.get("/drills/{drill_id}/exercise/sandbox", response_model=list[SandboxMessageOut])
def sandbox_messages(drill_id: DrillId, principal: CurrentPrincipal, session: DbSession) -> list:
    """What the drill would have sent through real channels (the latest 200)."""
    drill = script.drill_for_reading(session, principal, drill_id)
    return [
        {
            "id": m.id,
            "channel": m.channel,
            "address": m.address,
            "subject": m.subject,
            "body": m.body,
            "at": m.at,
        }
        for m in sandbox.messages(session, drill.id)
    ]


@router.get(
    "/drills/{drill_id}/exercise/results.xlsx",
    response_class=Response,
    responses=XLSX_FILE,
    response_model=None,
)
def export_results(drill_id: DrillId, principal: CurrentPrincipal, session: DbSession, db: Db):
    """The reaction times as an Excel sheet (every row marked 演练). Returns the .xlsx file."""
    drill = script.drill_for_results(session, principal, drill_id)
    body = sheets.write("演练测评", exercise_out.RESULT_COLUMNS, exercise_out.result_rows(session, drill))
    return audited_download(
        db,
        principal,
        body,
        entity="drill_measurements",
        entity_id=drill.id,
        filename=f"演练测评-{drill.id}.xlsx",
        jurisdiction_code=drill.jurisdiction_code,
    )


@router.get("/drills/{drill_id}/exercise/results", response_model=list[MeasurementOut])
def exercise_results(drill_id: DrillId, principal: CurrentPrincipal, session: DbSession) -> list:
    """The players' reaction times (the evaluation starts from these): controllers any time, those
    who manage drills once the drill has ended."""
    drill = script.drill_for_results(session, principal, drill_id)
    return [exercise_out.measurement_out(m) for m in measure.measurements(session, drill.id)]

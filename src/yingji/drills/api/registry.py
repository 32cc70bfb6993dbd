"""Drills API, the drills themselves: list, plan, edit and move a drill, its participants, records,
evaluation report and problems."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, UploadFile
from fastapi.responses import FileResponse, Response
from starlette.concurrency import run_in_threadpool

from yingji.auth.deps import CurrentPrincipal
from yingji.core.deps import DbSession
from yingji.core.errors import NotFound
from yingji.drills import (
    evaluation,
    participants,
    records,
    registry,
)
from yingji.drills.codes import DrillForm, DrillState
from yingji.drills.schemas import (
    DrillIn,
    DrillMoveIn,
    DrillOut,
    DrillPageOut,
    DrillPatch,
    EvaluationIn,
    EvaluationOut,
    ParticipantIn,
    ParticipantOut,
    ProblemDoneIn,
    ProblemIn,
    ProblemOut,
    RecordOut,
)
from yingji.files.openapi import STORED_FILE
from yingji.org.api import read_upload
from yingji.org.params import PageNo, PageSize, page_of, query_code

router = APIRouter()


Year = Annotated[int | None, Query(ge=2000, le=2100)]
StateQ = Annotated[str | None, Query(pattern="^(" + "|".join(s.value for s in DrillState) + ")$")]
FormQ = Annotated[str | None, Query(pattern="^(" + "|".join(f.value for f in DrillForm) + ")$")]


def drill_out(session, principal, drill) -> dict:
    return registry.to_out(drill, principal, registry.context(session, [drill]))


@router.get("/drills", response_model=DrillPageOut)
def list_drills(
    principal: CurrentPrincipal,
    session: DbSession,
    q: Annotated[str, Query(max_length=60)] = "",
    within: str | None = None,
    year: Year = None,
    state: StateQ = None,
    form: FormQ = None,
    blind: bool | None = None,
    page: PageNo = 1,
    size: PageSize = 50,
) -> dict:
    result = registry.search(
        session,
        principal,
        q=q,
        within=query_code(within),
        year=year,
        state=state,
        form=form,
        blind=blind,
        page=page,
        size=size,
    )
    ctx = registry.context(session, result.items)
    return page_of(result, [registry.to_out(d, principal, ctx) for d in result.items])


@router.post("/drills", response_model=DrillOut, status_code=201)
def create_drill(data: DrillIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    """Plan a drill in the yearly drill plan of its place (drills.manage there)."""
    return drill_out(session, principal, registry.create(session, principal, data))


# one drill
@router.get("/drills/{drill_id}", response_model=DrillOut)
def get_drill(drill_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    return drill_out(session, principal, registry.get(session, principal, drill_id))


@router.patch("/drills/{drill_id}", response_model=DrillOut)
def update_drill(drill_id: int, patch: DrillPatch, principal: CurrentPrincipal, session: DbSession) -> dict:
    return drill_out(session, principal, registry.update(session, principal, drill_id, patch))


@router.post("/drills/{drill_id}/state", response_model=DrillOut)
def move_drill(drill_id: int, data: DrillMoveIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    """Prepared, running, held (ended) or cancelled (with a reason), along the drill's moves."""
    drill = registry.move(session, principal, drill_id, data.state, data.at, data.reason)
    return drill_out(session, principal, drill)


@router.get("/drills/{drill_id}/participants", response_model=list[ParticipantOut])
def list_participants(drill_id: int, principal: CurrentPrincipal, session: DbSession) -> list[dict]:
    drill = registry.get(session, principal, drill_id)
    return [participants.to_out(p) for p in participants.of_drill(session, drill.id)]


@router.post("/drills/{drill_id}/participants", response_model=ParticipantOut, status_code=201)
def add_participant(
    drill_id: int, data: ParticipantIn, principal: CurrentPrincipal, session: DbSession
) -> dict:
    return participants.to_out(participants.add(session, principal, drill_id, data))


@router.delete("/drills/{drill_id}/participants/{participant_id}", response_model=None, status_code=204)
def remove_participant(
    drill_id: int, participant_id: int, principal: CurrentPrincipal, session: DbSession
) -> Response:
    participants.remove(session, principal, drill_id, participant_id)
    return Response(status_code=204)


@router.get("/drills/{drill_id}/records", response_model=list[RecordOut])
def list_records(drill_id: int, principal: CurrentPrincipal, session: DbSession) -> list[dict]:
    drill = registry.get(session, principal, drill_id)
    return [records.to_out(r) for r in records.of_drill(session, drill.id)]


@router.post("/drills/{drill_id}/records", response_model=RecordOut, status_code=201)
async def add_record(
    drill_id: int,
    request: Request,
    file: UploadFile,
    principal: CurrentPrincipal,
    session: DbSession,
    caption: Annotated[str | None, Query(max_length=200)] = None,
) -> dict:
    """A photo (JPEG, PNG, WebP) or document (PDF, DOCX, XLSX) of the drill, as multipart ``file``."""
    data = await read_upload(request, file)
    settings = request.app.state.settings

    def work():
        record = records.store(
            session,
            principal,
            drill_id,
            data,
            file.filename,
            caption,
            root=records.dir_of(settings),
            max_bytes=records.max_bytes_of(settings),
        )
        return records.to_out(record)

    return await run_in_threadpool(work)


@router.get(
    "/drills/{drill_id}/records/{record_id}",
    response_class=Response,
    responses=STORED_FILE,
    response_model=None,
)
def get_record(
    drill_id: int, record_id: int, request: Request, principal: CurrentPrincipal, session: DbSession
) -> Response:
    record, path = records.get(
        session, principal, drill_id, record_id, records.dir_of(request.app.state.settings)
    )
    return FileResponse(
        path,
        media_type=record.content_type,
        filename=record.original_name or path.name,
        content_disposition_type="inline" if record.kind == "photo" else "attachment",
        headers={"Cache-Control": "private, max-age=86400", "X-Content-Type-Options": "nosniff"},
    )


@router.get("/drills/{drill_id}/evaluation", response_model=EvaluationOut)
def get_evaluation(drill_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    drill = registry.get(session, principal, drill_id)
    found = evaluation.of_drill(session, drill.id)
    if found is None:
        raise NotFound()
    return evaluation.to_out(found)


@router.put("/drills/{drill_id}/evaluation", response_model=EvaluationOut)
def save_evaluation(
    drill_id: int, data: EvaluationIn, principal: CurrentPrincipal, session: DbSession
) -> dict:
    """Write the 评估报告 of a held drill; ``final`` closes it and the drill becomes evaluated."""
    return evaluation.to_out(evaluation.save(session, principal, drill_id, data))


@router.get("/drills/{drill_id}/problems", response_model=list[ProblemOut])
def list_problems(drill_id: int, principal: CurrentPrincipal, session: DbSession) -> list[dict]:
    drill = registry.get(session, principal, drill_id)
    found = evaluation.problems_of(session, drill.id)
    triggers = evaluation.triggers_by_problem(session, [p.id for p in found])
    return [evaluation.problem_out(p, triggers) for p in found]


@router.post("/drills/{drill_id}/problems", response_model=ProblemOut, status_code=201)
def add_problem(drill_id: int, data: ProblemIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    """A problem found and its follow-up task; ``revise`` raises a revision trigger on the plan."""
    problem = evaluation.add_problem(session, principal, drill_id, data)
    return evaluation.problem_out(problem, evaluation.triggers_by_problem(session, [problem.id]))


@router.post("/drills/{drill_id}/problems/{problem_id}/done", response_model=ProblemOut)
def close_problem(
    drill_id: int, problem_id: int, data: ProblemDoneIn, principal: CurrentPrincipal, session: DbSession
) -> dict:
    problem = evaluation.close_problem(session, principal, drill_id, problem_id, data)
    return evaluation.problem_out(problem, evaluation.triggers_by_problem(session, [problem.id]))

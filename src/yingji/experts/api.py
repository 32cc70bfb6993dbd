"""Expert registry API (/api/v1/experts…): search by field and place, read with the history of
consultations, register, change, availability, Excel import and export, and the experts to propose
for an incident's consultation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, UploadFile
from fastapi.responses import Response

from yingji.auth.deps import CurrentPrincipal
from yingji.core.deps import Db, DbSession
from yingji.experts import codes, consulting, registry
from yingji.experts.schemas import (
    AvailabilityIn,
    ExpertDetailOut,
    ExpertIn,
    ExpertOut,
    ExpertPageOut,
    ExpertPatch,
    ImportOut,
)
from yingji.files import answers
from yingji.files.openapi import EXPORT
from yingji.org.api import read_upload
from yingji.org.params import PageNo, PageSize, page_of, query_code
from yingji.response.common import incident_for_read

router = APIRouter(prefix="/api/v1", tags=["experts"])
AvailabilityQ = Annotated[
    str | None, Query(pattern="^(" + "|".join(a.value for a in codes.Availability) + ")$")
]
FieldCode = Annotated[str | None, Query(max_length=60, pattern=r"^[a-z_.]+$")]


@router.get("/experts", response_model=ExpertPageOut)
def list_experts(
    principal: CurrentPrincipal,
    session: DbSession,
    q: Annotated[str, Query(max_length=60)] = "",
    within: str | None = None,
    near: str | None = None,
    discipline: FieldCode = None,
    category: FieldCode = None,
    availability: AvailabilityQ = None,
    page: PageNo = 1,
    size: PageSize = 50,
) -> dict:
    """Experts one may see (one's own pools and those above), by field (discipline, event category),
    place (``within`` a subtree), availability and words; ``near`` orders them outwards from a place."""
    result = registry.search(
        session,
        principal,
        q=q,
        within=query_code(within),
        near=query_code(near),
        discipline=discipline,
        category=category,
        availability=availability,
        page=page,
        size=size,
    )
    return page_of(result, registry.outs(session, principal, result.items))


@router.post("/experts", response_model=ExpertOut, status_code=201)
def create_expert(data: ExpertIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    expert = registry.create(session, principal, data)
    return registry.outs(session, principal, [expert])[0]


@router.post("/experts/import", response_model=ImportOut)
async def import_experts(
    request: Request, file: UploadFile, principal: CurrentPrincipal, session: DbSession
) -> Response:
    """An .xlsx of experts (the export's layout): all rows or none (row-by-row errors). A large file
    runs as a file job (202)."""
    data = await read_upload(request, file)
    return await answers.import_answer(request, session, principal, "experts", data, file.filename)


@router.get("/experts/export", response_class=Response, responses=EXPORT, response_model=None)
def export_experts(
    request: Request, principal: CurrentPrincipal, session: DbSession, db: Db, within: str | None = None
) -> Response:
    """The experts one may see as .xlsx (audited; a large one is written by a file job: 202)."""
    code = query_code(within)
    return answers.export(
        request, session, db, principal, "experts", {"within": code}, jurisdiction_code=code
    )


@router.get("/experts/{expert_id}", response_model=ExpertDetailOut)
def get_expert(expert_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    expert = registry.get(session, principal, expert_id)
    out = registry.outs(session, principal, [expert])[0]
    return out | {"history": consulting.history(session, principal, expert.id)}


@router.patch("/experts/{expert_id}", response_model=ExpertOut)
def update_expert(
    expert_id: int, patch: ExpertPatch, principal: CurrentPrincipal, session: DbSession
) -> dict:
    expert = registry.update(session, principal, expert_id, patch)
    return registry.outs(session, principal, [expert])[0]


@router.post("/experts/{expert_id}/availability", response_model=ExpertOut)
def set_availability(
    expert_id: int, data: AvailabilityIn, principal: CurrentPrincipal, session: DbSession
) -> dict:
    """可召集 / 暂不便 / 不可召集, with a note and the time of the change (409 when unchanged)."""
    expert = registry.set_availability(session, principal, expert_id, data.availability, data.note)
    return registry.outs(session, principal, [expert])[0]


@router.get("/incidents/{incident_id}/experts", response_model=ExpertPageOut)
def incident_experts(incident_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    """The experts to propose for an incident's consultation: the incident's event category, the
    nearest pools first, those who can come now first."""
    incident = incident_for_read(session, principal, incident_id)
    result = registry.search(
        session,
        principal,
        near=incident.jurisdiction_code,
        category=incident.category,
        size=consulting.SUGGEST_LIMIT,
    )
    return {
        "items": registry.outs(session, principal, result.items),
        "total": result.total,
        "page": 1,
        "size": consulting.SUGGEST_LIMIT,
    }

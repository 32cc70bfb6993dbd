"""Organisation API: places, grid, people, units, directory, Excel exchange, stats."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, UploadFile
from fastapi.responses import Response

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.scope import mask_phone
from yingji.core.deps import Db, DbSession
from yingji.core.errors import NotFound, PayloadTooLarge
from yingji.core.i18n import gettext
from yingji.files import answers
from yingji.files.openapi import EXPORT, IMPORT_JOB
from yingji.org import directory, exchange, grids, people, picker, places, stats, units
from yingji.org.params import PageNo, PageSize, page_json, query_code
from yingji.org.schemas import (
    AssignmentIn,
    AssignmentOut,
    DirectoryOut,
    GridCellOut,
    GridCellPageOut,
    ImportOut,
    JurisdictionCountsOut,
    JurisdictionOut,
    PersonIn,
    PersonOut,
    PersonPageOut,
    PersonPatch,
    PickOut,
    PlaceCountsOut,
    PositionAddedOut,
    PositionIn,
    StatsOut,
    UnitDetailOut,
    UnitIn,
    UnitOut,
    UnitPageOut,
    UnitPatch,
)

router = APIRouter(prefix="/api/v1", tags=["organisation"])


def _jur_out(j) -> JurisdictionOut:
    return JurisdictionOut(
        code=j.code,
        division_code=j.division_code,
        name=j.name,
        level=j.level,
        parent_code=j.parent_code,
        lon=j.lon,
        lat=j.lat,
    )


# -- places ---------------------------------------------------------------------------------
@router.get("/jurisdictions", response_model=list[JurisdictionOut])
def search_jurisdictions(
    principal: CurrentPrincipal, session: DbSession, q: str = ""
) -> list[JurisdictionOut]:
    return [_jur_out(j) for j in places.search(session, principal, q)]


@router.get("/jurisdictions/{code}", response_model=JurisdictionCountsOut)
def get_jurisdiction(code: str, principal: CurrentPrincipal, session: DbSession) -> dict:
    place = places.get(session, principal, query_code(code, "code"))
    return _jur_out(place).model_dump() | {"counts": places.subtree_counts(session, place.code)}


@router.get("/jurisdictions/{code}/children", response_model=list[PlaceCountsOut])
def jurisdiction_children(code: str, principal: CurrentPrincipal, session: DbSession) -> list[PlaceCountsOut]:
    return [
        PlaceCountsOut(**vars(k))
        for k in places.children_with_counts(session, principal, query_code(code, "code"))
    ]


# -- grid -----------------------------------------------------------------------------------
@router.get("/grid-cells", response_model=GridCellPageOut)
def list_grid_cells(
    principal: CurrentPrincipal,
    session: DbSession,
    q: str = "",
    within: str | None = None,
    level: Annotated[int | None, Query(ge=1, le=3)] = None,
    page: PageNo = 1,
    size: PageSize = 50,
) -> dict:
    result = grids.search(
        session, principal, q=q, within=query_code(within, "code"), level=level, page=page, size=size
    )
    return page_json(result, lambda c: grids.to_out(c, principal).model_dump())


@router.get("/grid-cells/{cell_id}", response_model=GridCellOut)
def get_grid_cell(cell_id: int, principal: CurrentPrincipal, session: DbSession) -> GridCellOut:
    return grids.to_out(grids.get(session, principal, cell_id), principal)


@router.post("/grid-cells/{cell_id}/assignments", status_code=201, response_model=AssignmentOut)
def assign_grid(cell_id: int, data: AssignmentIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    a = grids.assign(session, principal, cell_id, data)
    return {"id": a.id, "grid_cell_id": a.grid_cell_id, "person_id": a.person_id, "role": a.role}


@router.delete("/grid-assignments/{assignment_id}", status_code=204)
def unassign_grid(assignment_id: int, principal: CurrentPrincipal, session: DbSession) -> None:
    grids.unassign(session, principal, assignment_id)


# -- people ---------------------------------------------------------------------------------
@router.get("/pick/people", response_model=list[PickOut])
def pick_people(
    principal: CurrentPrincipal,
    session: DbSession,
    q: Annotated[str, Query(max_length=40)] = "",
    within: str | None = None,
) -> list[PickOut]:
    """The people picker's choices: people in the caller's scope matching what was typed."""
    found = picker.pick(session, principal, q, within=query_code(within))
    return [PickOut(id=o.id, name=o.name, label=o.label, place=o.place, mobile=o.mobile) for o in found]


@router.get("/people", response_model=PersonPageOut)
def list_people(
    principal: CurrentPrincipal,
    session: DbSession,
    q: str = "",
    within: str | None = None,
    grid_role: Annotated[str | None, Query(pattern="^(leader|worker)$")] = None,
    page: PageNo = 1,
    size: PageSize = 50,
) -> dict:
    result = people.search(
        session, principal, q=q, within=query_code(within, "code"), grid_role=grid_role, page=page, size=size
    )
    return page_json(result, lambda p: people.to_out(p, principal).model_dump())


@router.post("/people", response_model=PersonOut, status_code=201)
def create_person(data: PersonIn, principal: CurrentPrincipal, session: DbSession) -> PersonOut:
    return people.to_out(people.create(session, principal, data), principal)


@router.get("/people/{person_id}", response_model=PersonOut)
def get_person(person_id: int, principal: CurrentPrincipal, session: DbSession) -> PersonOut:
    return people.to_out(people.get(session, principal, person_id), principal)


@router.patch("/people/{person_id}", response_model=PersonOut)
def update_person(
    person_id: int, patch: PersonPatch, principal: CurrentPrincipal, session: DbSession
) -> PersonOut:
    return people.to_out(people.update(session, principal, person_id, patch), principal)


@router.delete("/people/{person_id}", status_code=204)
def deactivate_person(person_id: int, principal: CurrentPrincipal, session: DbSession) -> None:
    people.deactivate(session, principal, person_id)


# -- units ----------------------------------------------------------------------------------
def unit_out(session, principal, u) -> dict:
    return {
        "id": u.id,
        "code": u.code,
        "name": u.name,
        "kind": u.kind,
        "topic": u.topic,
        "parent_id": u.parent_id,
        "jurisdiction_code": u.jurisdiction_code,
        "duty_phone": mask_phone(u.duty_phone, principal),
        "address": u.address,
        "responsibilities": [{"seq": r.seq, "text": r.text, "topics": r.topics} for r in u.responsibilities],
        "positions": [
            {
                "id": p.id,
                "person_id": p.person_id,
                "name": p.person.name,
                "title": p.title,
                "role": p.role,
                "mobile": mask_phone(p.person.mobile, principal),
            }
            for p in sorted(u.positions, key=lambda p: (p.sort, p.id))
        ],
    }


@router.get("/units", response_model=UnitPageOut)
def list_units(
    principal: CurrentPrincipal,
    session: DbSession,
    q: str = "",
    within: str | None = None,
    kind: str | None = None,
    topic: str | None = None,
    page: PageNo = 1,
    size: PageSize = 50,
) -> dict:
    result = units.search(
        session,
        principal,
        q=q,
        within=query_code(within, "code"),
        kind=kind,
        topic=topic,
        page=page,
        size=size,
    )
    return page_json(result, lambda u: unit_out(session, principal, u))


@router.get("/units/{unit_id}", response_model=UnitDetailOut)
def get_unit(unit_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    u = units.get(session, principal, unit_id)
    members = [
        {"hq_id": m.hq_id, "hq": m.hq.name, "member_id": m.member_id, "member": m.member.name, "role": m.role}
        for m in units.memberships(session, u)
    ]
    subs = [{"id": s.id, "name": s.name, "kind": s.kind} for s in units.sub_units(session, principal, u)]
    return unit_out(session, principal, u) | {"memberships": members, "sub_units": subs}


@router.post("/units", status_code=201, response_model=UnitOut)
def create_unit(data: UnitIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    return unit_out(session, principal, units.create(session, principal, data))


@router.patch("/units/{unit_id}", response_model=UnitOut)
def update_unit(unit_id: int, patch: UnitPatch, principal: CurrentPrincipal, session: DbSession) -> dict:
    return unit_out(session, principal, units.update(session, principal, unit_id, patch))


@router.post("/units/{unit_id}/positions", status_code=201, response_model=PositionAddedOut)
def add_position(unit_id: int, data: PositionIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    p = units.add_position(session, principal, unit_id, data)
    return {"id": p.id, "unit_id": p.unit_id, "person_id": p.person_id, "title": p.title, "role": p.role}


@router.delete("/positions/{position_id}", status_code=204)
def remove_position(position_id: int, principal: CurrentPrincipal, session: DbSession) -> None:
    units.remove_position(session, principal, position_id)


# -- directory ------------------------------------------------------------------------------
@router.get("/directory", response_model=DirectoryOut)
def search_directory(
    principal: CurrentPrincipal,
    session: DbSession,
    q: Annotated[str, Query(max_length=60)] = "",
    place: Annotated[str | None, Query(max_length=15, pattern=r"^\d{2,15}$")] = None,
) -> DirectoryOut:
    """Who is responsible for X in place Y: e.g. ``q=北门社区 防汛``, ``q=碧江区 值班``. A name
    several places share gives ``choices``; ask again with ``place=`` the code chosen."""
    answer = directory.find(session, principal, q, place=place)
    return DirectoryOut(
        query=answer.query,
        places=[vars(p) for p in answer.places],
        choices=[vars(p) for p in answer.choices],
        choices_total=answer.choices_total,
        outside=[vars(p) for p in answer.outside],
        unknown=answer.unknown,
        fell_back=answer.fell_back,
        guessed=answer.guessed,
        topics=[{"code": t.code, "label": t.label()} for t in answer.topics],
        duty_asked=answer.duty_asked,
        duty=[
            {**vars(d), "leaders": [vars(p) for p in d.leaders], "officers": [vars(p) for p in d.officers]}
            for d in answer.duty
        ],
        contacts=[vars(c) | {"reason": gettext(c.reason, **c.reason_params)} for c in answer.contacts],
        units=[
            {"id": u.id, "name": u.name, "kind": u.kind, "duty_phone": mask_phone(u.duty_phone, principal)}
            for u in answer.units
        ],
    )


# -- Excel exchange -------------------------------------------------------------------------
async def read_upload(request: Request, file: UploadFile) -> bytes:
    limit = request.app.state.settings.max_upload_mb * 1024 * 1024
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(limit_mb=request.app.state.settings.max_upload_mb)
    return data


@router.post("/import/{kind}", response_model=ImportOut, responses=IMPORT_JOB)
async def import_sheet(
    kind: str, request: Request, file: UploadFile, principal: CurrentPrincipal, session: DbSession
) -> Response:
    """Import an .xlsx of ``units``, ``people`` or ``grid`` assignments: all rows or none. A large
    file is imported by a file job: 202 with the job, whose page shows the result row by row."""
    if kind not in exchange.IMPORTERS:
        raise NotFound()
    data = await read_upload(request, file)
    return await answers.import_answer(request, session, principal, kind, data, file.filename)


@router.get("/export/{kind}", response_class=Response, responses=EXPORT, response_model=None)
def export_sheet(
    kind: str,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    db: Db,
    within: str | None = None,
) -> Response:
    """Download units, people or grid assignments as .xlsx; every export is audited. A large one is
    written by a file job: 202 with the job."""
    if kind not in exchange.EXPORTERS:
        raise NotFound()
    return export_within(request, session, db, principal, kind, query_code(within, "code"))


def export_within(request: Request, session, db, principal, kind_name: str, code: str | None) -> Response:
    """A register's export within a place one may see (404 for another), audited."""
    if code:
        places.get(session, principal, code)
    params = {"within": code}
    return answers.export(request, session, db, principal, kind_name, params, jurisdiction_code=code)


@router.get("/stats", response_model=StatsOut, response_model_exclude_unset=True)
def get_stats(principal: CurrentPrincipal, session: DbSession, within: str | None = None) -> dict:
    code = query_code(within, "code") or principal.jurisdiction_code or None
    if code:
        places.get(session, principal, code)
    return stats.counts(session, code)

"""Shelters API (/api/v1/shelters…, /api/v1/map/shelters). Every route declares its ``response_model``.

The registry (list in scope, read with its log, stays and inspections, register, change, Excel),
opening and closing, check-in and check-out (idempotent by ``client_key``), finding a person for a
check-in (POST: an ID number never goes into a URL or a log line), the nearest open shelters with
room for a village, and the map layer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, UploadFile
from pydantic import ConfigDict, Field

from yingji.auth.deps import CurrentPrincipal
from yingji.core import caching
from yingji.core.deps import Db, DbSession
from yingji.core.text import Input
from yingji.files import answers
from yingji.files.openapi import EXPORT
from yingji.geo.api import GEOJSON, parse_bbox
from yingji.org.api import read_upload
from yingji.org.params import PageNo, PageSize, page_of, query_code
from yingji.shelters import checkin, history, maplayer, nearest, registry, standards, status
from yingji.shelters.codes import ShelterClass, ShelterLevel, ShelterStatus
from yingji.shelters.schemas import (
    CheckInIn,
    CheckInOut,
    CheckOutIn,
    CloseIn,
    ImportOut,
    InspectionIn,
    InspectionOut,
    NearestListOut,
    OpenIn,
    PersonOut,
    ShelterDetailOut,
    ShelterIn,
    ShelterOut,
    ShelterPageOut,
    ShelterPatch,
    StandardsOut,
    StayOut,
)

router = APIRouter(prefix="/api/v1", tags=["shelters"])
LevelQ = Annotated[str | None, Query(pattern="^(" + "|".join(v.value for v in ShelterLevel) + ")$")]
ClassQ = Annotated[str | None, Query(pattern="^(" + "|".join(v.value for v in ShelterClass) + ")$")]
StatusQ = Annotated[str | None, Query(pattern="^(" + "|".join(v.value for v in ShelterStatus) + ")$")]


class FindIn(Input):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")
    id_number: str | None = Field(None, max_length=30)
    mobile: str | None = Field(None, max_length=20)
    home_code: str | None = Field(None, max_length=20)
    household: str | None = Field(None, max_length=40)


@router.get("/shelters", response_model=ShelterPageOut)
def list_shelters(
    principal: CurrentPrincipal,
    session: DbSession,
    q: Annotated[str, Query(max_length=60)] = "",
    within: str | None = None,
    level: LevelQ = None,
    shelter_class: ClassQ = None,
    status: StatusQ = None,
    page: PageNo = 1,
    size: PageSize = 50,
) -> dict:
    """Shelters in one's jurisdiction by place (``within``), level, class, status and words."""
    result = registry.search(
        session,
        principal,
        q=q,
        within=query_code(within),
        level=level,
        shelter_class=shelter_class,
        status=status,
        page=page,
        size=size,
    )
    return page_of(result, registry.outs(session, principal, result.items))


@router.post("/shelters", response_model=ShelterOut, status_code=201)
def create_shelter(data: ShelterIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    """Register a shelter (number given when empty; capacity from the area unless stated)."""
    return registry.outs(session, principal, [registry.create(session, principal, data)])[0]


@router.post("/shelters/import", response_model=ImportOut)
async def import_shelters(
    request: Request, file: UploadFile, principal: CurrentPrincipal, session: DbSession
) -> Response:
    """An .xlsx of shelters (the export's layout): all rows or none. A large file runs as a job (202)."""
    data = await read_upload(request, file)
    return await answers.import_answer(request, session, principal, "shelters", data, file.filename)


@router.get("/shelters/export", response_class=Response, responses=EXPORT, response_model=None)
def export_shelters(
    request: Request, principal: CurrentPrincipal, session: DbSession, db: Db, within: str | None = None
) -> Response:
    """The shelters in scope as .xlsx (audited; a large one is a file job: 202)."""
    code = query_code(within)
    return answers.export(
        request, session, db, principal, "shelters", {"within": code}, jurisdiction_code=code
    )


@router.get("/shelters/standards", response_model=StandardsOut)
def shelter_standards(principal: CurrentPrincipal) -> dict:
    """The rule data in force (area per person by class with the settings applied, radius, facilities)."""
    t = standards.table()
    return {
        "version": t["version"],
        "source": t["source"],
        "area_per_person_m2": {c.value: standards.area_per_person(c.value) for c in ShelterClass},
        "service_radius_m": {c.value: standards.service_radius_m(c.value) for c in ShelterClass},
        "required_facilities": {c.value: standards.required_facilities(c.value) for c in ShelterClass},
    }


@router.get("/shelters/nearest", response_model=NearestListOut)
def nearest_shelters(
    principal: CurrentPrincipal,
    session: DbSession,
    code: str | None = None,
    lon: Annotated[float | None, Query(ge=73, le=136)] = None,
    lat: Annotated[float | None, Query(ge=3, le=54)] = None,
    needed: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> dict:
    """Open shelters with ``needed`` free places (default: the village's residents), by travel minutes
    from the village's centre (or the point)."""
    return nearest.nearest(
        session, principal, code=query_code(code), lon=lon, lat=lat, needed=needed, limit=limit
    )


@router.post("/shelters/people", response_model=list[PersonOut])
def find_people(data: FindIn, principal: CurrentPrincipal, session: DbSession) -> list[dict]:
    """Residents of one's area by ID number (hashed, never kept), mobile, or household."""
    return checkin.find(
        session,
        principal,
        id_number=data.id_number,
        mobile=data.mobile,
        home_code=query_code(data.home_code),
        household=data.household,
    )


@router.get("/shelters/{shelter_id}", response_model=ShelterDetailOut)
def get_shelter(shelter_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    shelter = registry.get(session, principal, shelter_id)
    return detail(session, principal, shelter)


def detail(session, principal, shelter) -> dict:
    return registry.outs(session, principal, [shelter])[0] | {
        "checklist": standards.checklist(shelter.shelter_class, shelter.facilities),
        "events": history.events(session, shelter.id),
        "stays": [checkin.stay_out(s, principal) for s in checkin.stays(session, principal, shelter.id)],
        "inspections": history.inspections(session, shelter.id),
    }


@router.patch("/shelters/{shelter_id}", response_model=ShelterOut)
def update_shelter(
    shelter_id: int, patch: ShelterPatch, principal: CurrentPrincipal, session: DbSession
) -> dict:
    return registry.outs(session, principal, [registry.update(session, principal, shelter_id, patch)])[0]


@router.delete("/shelters/{shelter_id}", status_code=204, response_model=None)
def remove_shelter(shelter_id: int, principal: CurrentPrincipal, session: DbSession) -> Response:
    """Take a closed, empty shelter off the registry (its history stays)."""
    registry.remove(session, principal, shelter_id)
    return Response(status_code=204)


@router.post("/shelters/{shelter_id}/open", response_model=ShelterOut)
def open_shelter(shelter_id: int, data: OpenIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    """未启用 → 已启用 (for an evacuation order, optionally); any other move is a 409."""
    shelter = status.open_shelter(session, principal, shelter_id, order_id=data.order_id, note=data.note)
    return registry.outs(session, principal, [shelter])[0]


@router.post("/shelters/{shelter_id}/close", response_model=ShelterOut)
def close_shelter(shelter_id: int, data: CloseIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    """Close; refused (409) while people are in unless ``override_note`` (audited)."""
    shelter = status.close_shelter(
        session, principal, shelter_id, note=data.note, override_note=data.override_note
    )
    return registry.outs(session, principal, [shelter])[0]


@router.post("/shelters/{shelter_id}/inspections", response_model=InspectionOut, status_code=201)
def add_inspection(
    shelter_id: int, data: InspectionIn, principal: CurrentPrincipal, session: DbSession
) -> dict:
    row = history.inspect(session, principal, shelter_id, data)
    return {
        "id": row.id,
        "on": row.on,
        "by_name": row.by_name,
        "passed": row.passed,
        "findings": row.findings or {},
        "note": row.note,
    }


@router.post("/shelters/{shelter_id}/checkins", response_model=CheckInOut)
def check_in(
    shelter_id: int, data: CheckInIn, principal: CurrentPrincipal, session: DbSession, response: Response
) -> dict:
    """Check a household or person in (201; the same ``client_key`` again: 200, nothing changes).
    A full or closed shelter is a 409 unless ``override_note`` (audited: capacity is raised to fit)."""
    stay, created, marked = checkin.check_in(session, principal, shelter_id, data)
    response.status_code = 201 if created else 200
    shelter = registry.get(session, principal, stay.shelter_id)
    return {
        "stay": checkin.stay_out(stay, principal),
        "occupancy": shelter.occupancy,
        "capacity": shelter.capacity,
        "status": shelter.status,
        "created": created,
        "evacuation_marked": marked,
    }


@router.get("/shelters/{shelter_id}/stays", response_model=list[StayOut])
def list_stays(
    shelter_id: int, principal: CurrentPrincipal, session: DbSession, all: bool = False
) -> list[dict]:
    """Who is in the shelter now (``all``: those who left too)."""
    return [
        checkin.stay_out(s, principal) for s in checkin.stays(session, principal, shelter_id, current=not all)
    ]


@router.post("/shelters/stays/{stay_id}/checkout", response_model=StayOut)
def check_out(stay_id: int, data: CheckOutIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    """A stay ends; occupancy goes back (idempotent: a stay already out is answered as it is)."""
    return checkin.stay_out(
        checkin.check_out(session, principal, stay_id, client_key=data.client_key), principal
    )


@router.get("/map/shelters", tags=["map"], response_class=Response, responses=GEOJSON, response_model=None)
def map_shelters(
    request: Request, principal: CurrentPrincipal, session: DbSession, bbox: str | None = None
) -> Response:
    """Shelters as GeoJSON points with capacity, occupancy and status (≤ 5,000; ``X-Truncated``)."""
    body, count, truncated = maplayer.shelters_geojson(session, principal, parse_bbox(bbox))
    return caching.cached(
        request,
        body,
        media_type=caching.GEOJSON,
        headers={"X-Feature-Count": str(count), "X-Truncated": str(truncated).lower()},
    )

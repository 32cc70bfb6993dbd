"""Incidents API: intake, reports, receipts, merge, photos, lists and the map layer."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, UploadFile
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from yingji.auth import uploads
from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, require
from yingji.core import caching
from yingji.core.deps import DbSession
from yingji.core.errors import ValidationFailed
from yingji.files.openapi import STORED_FILE
from yingji.geo.api import GEOJSON, parse_bbox, parse_range
from yingji.incidents import (
    chain,
    deadlines,
    duplicates,
    intake,
    listing,
    locate,
    out,
    owners,
    photos,
    reports,
)
from yingji.incidents.schemas import (
    DuplicateListOut,
    ForwardIn,
    IncidentCreatedOut,
    IncidentDetailOut,
    IncidentIn,
    IncidentPageOut,
    IncidentSummaryOut,
    MergeIn,
    PhotoOut,
    PlaceOut,
    ReceiptOut,
    ReceivedOut,
    ReportCreatedOut,
    ReportIn,
    TimelineOut,
    check_key,
)
from yingji.rules import grading
from yingji.rules.schemas import RuleTableOut

router = APIRouter(prefix="/api/v1", tags=["incidents"])
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]


def _key(header: str | None) -> str | None:
    try:
        return check_key(header)
    except ValueError:
        raise ValidationFailed(
            details=[{"field": "Idempotency-Key", "message": "This value is not valid."}]
        ) from None


def duplicate_options(request: Request) -> dict:
    """The configured duplicate-detection distance and time window."""
    extra = request.app.state.settings.extra
    return {
        "radius_m": float(extra.get("duplicate_radius_m", duplicates.DEFAULT_RADIUS_M)),
        "window": timedelta(
            hours=float(extra.get("duplicate_window_hours", duplicates.DEFAULT_WINDOW.total_seconds() / 3600))
        ),
    }


def detail(session, principal: Principal, incident) -> dict:
    """The full JSON of one incident."""
    return out.incident_detail(
        incident,
        principal,
        deadlines=deadlines.deadlines_of(session, incident.id),
        receipts=list(deadlines.receipts_of(session, incident.id).values()),
        photos=photos.photos_of(session, incident.id),
        owners=owners.of(session, [incident.id]).get(incident.id, []),
    )


def _candidates_out(found: list[duplicates.Candidate]) -> list[dict]:
    return [
        out.incident_summary(c.incident)
        | {"distance_m": round(c.distance_m), "minutes_apart": c.minutes_apart}
        for c in found
    ]


# -- intake and reports -------------------------------------------------------------------------
@router.post("/incidents", status_code=201, response_model=IncidentCreatedOut)
def create_incident(
    data: IncidentIn,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """File a first report (首报). A retry with the same Idempotency-Key returns the first result (200)."""
    incident, created = intake.create(session, principal, data, idempotency_key=_key(idempotency_key))
    body = detail(session, principal, incident) | {
        "created": created,
        "duplicates": _candidates_out(
            duplicates.of_incident(session, principal, incident, **duplicate_options(request))
        ),
    }
    return JSONResponse(jsonable_encoder(body), status_code=201 if created else 200)


@router.post("/incidents/{incident_id}/reports", status_code=201, response_model=ReportCreatedOut)
def create_report(
    incident_id: int,
    data: ReportIn,
    principal: CurrentPrincipal,
    session: DbSession,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """A follow-up (续报) or final (终报) report; after the final one, a 补报 inside its window."""
    report, created = reports.add_report(
        session, principal, incident_id, data, idempotency_key=_key(idempotency_key)
    )
    body = out.report_out(report) | {"created": created, "incident": out.incident_summary(report.incident)}
    return JSONResponse(jsonable_encoder(body), status_code=201 if created else 200)


@router.post("/incidents/{incident_id}/acknowledge", response_model=ReceivedOut)
def acknowledge(incident_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    """Your level has received the incident (签收)."""
    receipt = chain.acknowledge(session, principal, incident_id)
    return {"received": receipt is not None}


@router.post("/incidents/{incident_id}/forward", response_model=ReceiptOut)
def forward(incident_id: int, data: ForwardIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    """Report the incident upward (上报) to the next level that must receive it, or to ``to``."""
    receipt = chain.forward(session, principal, incident_id, data.to)
    return out.receipt_out(receipt)


@router.post("/incidents/{incident_id}/verify", response_model=IncidentSummaryOut)
def verify(incident_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    return out.incident_summary(chain.verify(session, principal, incident_id))


@router.post("/incidents/{incident_id}/merge", response_model=IncidentDetailOut)
def merge(incident_id: int, data: MergeIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    """Merge the duplicate ``duplicate_id`` into this incident."""
    kept = duplicates.merge(session, principal, incident_id, data.duplicate_id)
    return detail(session, principal, kept)


# -- reading ------------------------------------------------------------------------------------
@router.get("/incidents", response_model=IncidentPageOut)
def list_incidents(
    principal: CurrentPrincipal,
    session: DbSession,
    status: str | None = None,
    category: str | None = None,
    grade: str | None = None,
    within: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    q: str | None = None,
    after: str | None = None,
    size: Annotated[int, Query(ge=1, le=100)] = 50,
    drill: Annotated[str | None, Query(pattern="^(real|drill)$")] = None,
) -> dict:
    """Incidents in scope, newest first; ``after`` is the ``next`` cursor of the previous page;
    ``drill=real`` leaves drills (演练) out, ``drill=drill`` lists only them."""
    f = listing.Filters(status, category, grade, within, date_from, date_to, q, drill=drill)
    page = listing.search(session, principal, f, after=after, size=size)
    shown = listing.shown_owners(session, principal, page.items)
    return {
        "items": [out.incident_summary(i, shown.get(i.id)) for i in page.items],
        "total": page.total,
        "total_is_lower_bound": page.more_than_total,
        "next": page.next_cursor,
    }


@router.get("/incidents/duplicates", response_model=DuplicateListOut)
def find_duplicates(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    category: str,
    lon: float,
    lat: float,
    occurred_at: datetime | None = None,
) -> dict:
    """Open incidents that may be the same event (before filing a new one)."""
    from yingji.core import clock

    found = duplicates.candidates(
        session,
        principal,
        category=category,
        lon=lon,
        lat=lat,
        occurred_at=clock.to_utc(occurred_at) if occurred_at else clock.now(),
        **duplicate_options(request),
    )
    return {"items": _candidates_out(found)}


@router.get("/incidents/{incident_id}", response_model=IncidentDetailOut)
def get_incident(incident_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    return detail(session, principal, listing.get(session, principal, incident_id))


@router.get("/incidents/{incident_id}/duplicates", response_model=DuplicateListOut)
def incident_duplicates(
    incident_id: int, request: Request, principal: CurrentPrincipal, session: DbSession
) -> dict:
    incident = listing.get(session, principal, incident_id)
    return {
        "items": _candidates_out(
            duplicates.of_incident(session, principal, incident, **duplicate_options(request))
        )
    }


@router.get("/incidents/{incident_id}/timeline", response_model=TimelineOut)
def incident_timeline(incident_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    listing.get(session, principal, incident_id)
    return {"items": [out.event_out(e) for e in listing.timeline_of(session, incident_id)]}


@router.get("/incident-categories", response_model=RuleTableOut)
def incident_categories(principal: CurrentPrincipal) -> dict:
    """The versioned event-category code table."""
    return grading.categories()


@router.get("/locate", response_model=PlaceOut)
def locate_point(principal: CurrentPrincipal, session: DbSession, lon: float, lat: float) -> dict:
    """The deepest division containing a point you may report in."""
    require(principal, Perm.INCIDENT_REPORT)
    place = locate.locate(session, principal, lon, lat)
    return {"code": place.code, "name": place.name, "level": place.level}


# -- photos -------------------------------------------------------------------------------------
async def read_photo(request: Request, file: UploadFile) -> bytes:
    """The upload, refused once it passes the photo limit (without reading the rest)."""
    limit = photos.max_bytes_of(request.app.state.settings)
    data = await file.read(limit + 1)
    return data


@router.post("/incidents/{incident_id}/photos", status_code=201, response_model=PhotoOut)
async def upload_photo(
    incident_id: int, request: Request, file: UploadFile, principal: CurrentPrincipal, session: DbSession
) -> dict:
    data = await read_photo(request, file)
    settings = request.app.state.settings

    def work():
        incident = reports.for_write(session, principal, incident_id, Perm.INCIDENT_REPORT)
        return photos.store(
            session,
            principal,
            incident,
            data,
            file.filename,
            upload_dir=photos.upload_dir_of(settings),
            max_bytes=photos.max_bytes_of(settings),
        )

    return out.photo_out(await run_in_threadpool(work))


@router.get(
    "/incidents/{incident_id}/photos/{photo_id}",
    response_class=Response,
    responses=STORED_FILE,
    response_model=None,
)
def get_photo(
    incident_id: int, photo_id: int, request: Request, principal: CurrentPrincipal, session: DbSession
) -> Response:
    photo, path = photos.get(
        session, principal, incident_id, photo_id, photos.upload_dir_of(request.app.state.settings)
    )
    return uploads.served(path, photo.content_type)


# -- the map layer ------------------------------------------------------------------------------
@router.get("/map/incidents", tags=["map"], response_class=Response, responses=GEOJSON, response_model=None)
def map_incidents(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    bbox: str | None = None,
    days: Annotated[int | None, Query(ge=1, le=3650)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Response:
    """Incidents as GeoJSON points (open ones; or all of the last ``days`` days; or all that occurred
    in [since, until)); at most 2,000. ETag and a short ``Cache-Control`` (core/caching.py)."""
    start, end = parse_range(since, until)
    body, count, truncated = listing.map_features(
        session, principal, parse_bbox(bbox), days=days, since=start, until=end
    )
    return caching.cached(
        request,
        body,
        media_type=caching.GEOJSON,
        headers={"X-Feature-Count": str(count), "X-Truncated": str(truncated).lower()},
    )

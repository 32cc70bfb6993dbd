"""Hazard points API: the catalogue, hazard points, their patrols and danger reports, patrol photos."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from yingji.auth import uploads
from yingji.auth.deps import CurrentPrincipal
from yingji.core.deps import DbSession
from yingji.files.openapi import STORED_FILE
from yingji.incidents import photos as incident_photos
from yingji.monitoring import catalog, out, patrols, points, sensors
from yingji.monitoring.models import HAZARD_KINDS
from yingji.monitoring.schemas import (
    CatalogOut,
    DangerIn,
    DangerReportOut,
    PatrolIn,
    PatrolOut,
    PatrolPage,
    PointDetailOut,
    PointIn,
    PointOut,
    PointPage,
    PointPatch,
)
from yingji.org.params import PageNo, PageSize, page_json, query_code

router = APIRouter()
Kind = Annotated[str | None, Query(pattern="^(" + "|".join(HAZARD_KINDS) + ")$")]


@router.get("/monitoring/catalog", response_model=CatalogOut)
def catalog_tables(principal: CurrentPrincipal) -> dict:
    """Hazard-point kinds, sensor kinds (units, plausible ranges), seasons and default rules."""
    return {
        "hazard_kinds": catalog.hazard_kinds(),
        "sensor_kinds": catalog.sensor_kinds(),
        "seasons": catalog.seasons(),
        "default_rules": catalog.default_rules(),
    }


# -- hazard points -------------------------------------------------------------------------------
@router.get("/hazard-points", response_model=PointPage)
def list_points(
    principal: CurrentPrincipal,
    session: DbSession,
    q: str = "",
    kind: Kind = None,
    within: str | None = None,
    overdue: bool = False,
    mine: bool = False,
    page: PageNo = 1,
    size: PageSize = 50,
):
    """Hazard points in scope, by kind, place, overdue patrol or mine."""
    result = points.search(
        session,
        principal,
        q=q,
        kind=kind,
        within=query_code(within),
        overdue=overdue,
        mine=mine,
        page=page,
        size=size,
    )
    return out.answer(page_json(result, out.point))


@router.post("/hazard-points", status_code=201, response_model=PointOut)
def create_point(data: PointIn, principal: CurrentPrincipal, session: DbSession):
    """Register a hazard point (its coordinates decide its place and grid cell)."""
    return out.answer(out.point(points.create(session, principal, data)), 201)


@router.get("/hazard-points/{point_id}", response_model=PointDetailOut)
def get_point(point_id: int, principal: CurrentPrincipal, session: DbSession):
    """A hazard point with its people and sensors."""
    point = points.get(session, principal, point_id)
    found = points.sensors_of(session, point)
    states = sensors.states(session, [s.id for s in found])
    body = out.point_detail(point, points.people_of(session, point), principal)
    body["sensors"] = [out.sensor(s, states.get(s.id)) for s in found]
    return out.answer(body)


@router.patch("/hazard-points/{point_id}", response_model=PointOut)
def patch_point(point_id: int, data: PointPatch, principal: CurrentPrincipal, session: DbSession):
    """Change a hazard point."""
    return out.answer(out.point(points.update(session, principal, point_id, data)))


@router.get("/hazard-points/{point_id}/patrols", response_model=PatrolPage)
def list_patrols(point_id: int, principal: CurrentPrincipal, session: DbSession, page: PageNo = 1):
    """Patrol logs of a point, newest first."""
    points.get(session, principal, point_id)
    result = patrols.logs_of(session, principal, point_id, page=page)
    photos = patrols.photos_of(session, [log.id for log in result.items])
    return out.answer(page_json(result, lambda log: out.patrol(log, [p.id for p in photos.get(log.id, [])])))


@router.post("/hazard-points/{point_id}/patrols", status_code=201, response_model=PatrolOut)
def post_patrol(
    point_id: int, data: PatrolIn, request: Request, principal: CurrentPrincipal, session: DbSession
):
    """Record a patrol; the same ``client_key`` again answers 200 with the first log."""
    settings = request.app.state.settings
    log, created = patrols.record(
        session,
        principal,
        point_id,
        data,
        upload_dir=incident_photos.upload_dir_of(settings),
        max_bytes=incident_photos.max_bytes_of(settings),
    )
    return out.answer(out.patrol(log), 201 if created else 200)


@router.post("/hazard-points/{point_id}/danger", status_code=201, response_model=DangerReportOut)
def report_danger(point_id: int, data: DangerIn, principal: CurrentPrincipal, session: DbSession):
    """Find a hazard → report at once: a first incident report (idempotent with its key)."""
    point = points.get(session, principal, point_id)
    incident, created = patrols.report_danger(session, principal, point, data)
    body = {"incident_id": incident.id, "number": incident.number, "url": f"/incidents/{incident.id}"}
    return out.answer(body, 201 if created else 200)


@router.get("/patrol-photos/{photo_id}", response_class=Response, responses=STORED_FILE, response_model=None)
def patrol_photo(photo_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    """A patrol photo (for users who can see the point)."""
    row, path = patrols.photo(
        session, principal, photo_id, incident_photos.upload_dir_of(request.app.state.settings)
    )
    return uploads.served(path, row.content_type)

"""Phone pages for the field: my points and their patrol status, the patrol form (GPS, photos; the
page keeps unsent logs with their key and resends them — ``static/js/monitoring.js``) and "find a
hazard → report at once"."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import require
from yingji.core import clock
from yingji.core.deps import DbSession
from yingji.core.errors import YingjiError
from yingji.incidents import photos as incident_photos
from yingji.monitoring import catalog, patrols, points
from yingji.monitoring.schemas import DangerIn, PatrolIn
from yingji.monitoring.views.common import form_errors, page

router = APIRouter(include_in_schema=False)


def _float(value: str) -> float | None:
    try:
        return float(value) if value.strip() else None
    except ValueError:
        return None


@router.get("/monitoring/patrol")
def my_patrols(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
):
    """The points I look after (I am their monitor or work in their grid cell), most overdue first;
    for officials without points of their own, the overdue points in their area."""
    require(principal, Perm.PATROL_LOG)
    result = points.search(session, principal, mine=True, page=page_no, size=30)
    mine = True
    if result.total == 0:
        result = points.search(session, principal, overdue=True, page=page_no, size=30)
        mine = False
    return page(request, "monitoring/patrol_list.html", {"page": result, "mine": mine, "now": clock.now()})


@router.get("/monitoring/points/{point_id:int}/patrol")
def patrol_form(point_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    """The patrol form of a point (phone)."""
    require(principal, Perm.PATROL_LOG)
    point = points.get(session, principal, point_id)
    ctx = {"point": point, "form": {}, "errors": {}, "warn_m": catalog.gps_warn_distance_m()}
    return page(request, "monitoring/patrol_form.html", ctx)


@router.post("/monitoring/points/{point_id:int}/patrol")
def patrol_submit(
    point_id: int,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    condition: Annotated[str, Form()] = "normal",
    observations: Annotated[str, Form(max_length=4000)] = "",
    lon: Annotated[str, Form()] = "",
    lat: Annotated[str, Form()] = "",
    accuracy_m: Annotated[str, Form()] = "",
    patrolled_at: Annotated[str, Form()] = "",
    idempotency_key: Annotated[str, Form()] = "",
    photos: Annotated[list[UploadFile] | None, File()] = None,
):
    """The form without JavaScript (the page's script posts JSON to the API instead)."""
    settings = request.app.state.settings
    form = {"condition": condition, "observations": observations, "lon": lon, "lat": lat}
    try:
        with session.begin_nested():
            data = PatrolIn(
                condition=condition,
                observations=observations or None,
                lon=_float(lon),
                lat=_float(lat),
                accuracy_m=_float(accuracy_m),
                patrolled_at=patrolled_at or None,
                idempotency_key=idempotency_key or None,
            )
            raw = [f.file.read() for f in photos or [] if f.filename]
            log, _created = patrols.record(
                session,
                principal,
                point_id,
                data,
                upload_dir=incident_photos.upload_dir_of(settings),
                max_bytes=incident_photos.max_bytes_of(settings),
                extra_photos=raw,
            )
    except (ValidationError, YingjiError) as exc:
        errors = form_errors(exc)
        point = points.get(session, principal, point_id)
        ctx = {"point": point, "form": form, "errors": errors, "warn_m": catalog.gps_warn_distance_m()}
        return page(request, "monitoring/patrol_form.html", ctx, 422)
    target = f"/incidents/{log.incident_id}" if log.incident_id else f"/monitoring/patrol?sent={log.id}"
    return RedirectResponse(target, status_code=303)


@router.get("/monitoring/points/{point_id:int}/danger")
def danger_form(point_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    """The danger report form of a point (phone)."""
    require(principal, Perm.INCIDENT_REPORT)
    point = points.get(session, principal, point_id)
    return page(request, "monitoring/danger_form.html", {"point": point, "form": {}, "errors": {}})


@router.post("/monitoring/points/{point_id:int}/danger")
def danger_submit(
    point_id: int,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    description: Annotated[str, Form(max_length=10_000)] = "",
    threatened_people: Annotated[str, Form()] = "",
    lon: Annotated[str, Form()] = "",
    lat: Annotated[str, Form()] = "",
    idempotency_key: Annotated[str, Form()] = "",
):
    """Find a hazard → report at once: a first incident report, then the incident's page."""
    point = points.get(session, principal, point_id)
    form = {"description": description, "threatened_people": threatened_people, "lon": lon, "lat": lat}
    try:
        with session.begin_nested():
            data = DangerIn(
                description=description,
                threatened_people=int(threatened_people) if threatened_people.strip().isdigit() else None,
                lon=_float(lon),
                lat=_float(lat),
                idempotency_key=idempotency_key or None,
            )
            incident, _created = patrols.report_danger(session, principal, point, data)
    except (ValidationError, YingjiError) as exc:
        errors = form_errors(exc)
        return page(
            request, "monitoring/danger_form.html", {"point": point, "form": form, "errors": errors}, 422
        )
    return RedirectResponse(f"/incidents/{incident.id}", status_code=303)

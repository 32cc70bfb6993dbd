"""Video linkage pages: the camera list, a camera with its player, the forms, the Excel import, and
the panel of the incident page (nearest cameras, the village video room, clips, 视频联报)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, UploadFile
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import require
from yingji.core.deps import DbSession
from yingji.core.errors import YingjiError
from yingji.core.i18n import N_
from yingji.files import answers
from yingji.incidents import listing
from yingji.incidents.status import IncidentStatus
from yingji.org.api import read_upload
from yingji.org.params import url_code
from yingji.video import api as video_api
from yingji.video import clips, codes, conference, exchange, registry
from yingji.video.schemas import CameraIn, CameraPatch
from yingji.web import nav
from yingji.web.forms import errors_with_refusals as form_errors
from yingji.web.forms import in_savepoint
from yingji.web.templating import env, pages

router = APIRouter(include_in_schema=False)
nav.register(
    N_("Monitoring"),
    nav.NavItem("video", N_("Cameras and video points"), "/video/cameras", Perm.ORG_READ),
)
FIELDS = ("device_id", "name", "kind", "jurisdiction_code", "owner_unit", "lon", "lat", "address", "status")
FIELDS += ("hls_url", "flv_url", "webrtc_url", "note")


_page = pages({"vc": codes})


# The consultation panel (response domain) shows 视频会商 when a template is configured:
# ``video_conference(settings, consultation_id, incident_id)`` → the link or None.
env.globals["video_conference"] = conference.link


@router.get("/video/cameras")
def cameras_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    q: Annotated[str, Query(max_length=60)] = "",
    within: str | None = None,
    kind: video_api.Kind = None,
    status: video_api.Status = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
):
    result = registry.search(
        session, principal, q=q, within=url_code(within), kind=kind, status=status, page=page, size=50
    )
    ctx = {
        "page": result,
        "names": registry.place_names(session, result.items),
        "q": q,
        "within": within or "",
        "kind": kind or "",
        "status": status or "",
        "can_manage": principal.can(Perm.VIDEO_MANAGE),
    }
    return _page(request, "video/cameras.html", ctx)


@router.get("/video/cameras/new")
def camera_new(request: Request, principal: CurrentPrincipal, within: str | None = None):
    require(principal, Perm.VIDEO_MANAGE)
    form = {
        "jurisdiction_code": within or principal.jurisdiction_code,
        "kind": "xueliang",
        "status": codes.CameraStatus.ONLINE.value,
    }
    return _page(request, "video/camera_form.html", {"camera": None, "form": form, "errors": {}})


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: str(form.get(k, "")).strip() for k in FIELDS}


def _refused(exc: Exception) -> bool:
    return not (isinstance(exc, YingjiError) and exc.status_code in (403, 404))


@router.post("/video/cameras/new")
async def camera_create(request: Request, principal: CurrentPrincipal, session: DbSession):
    values = await _form(request)
    rules = codes.id_rules(request.app.state.settings)
    try:
        data = CameraIn(**{k: (v or None) for k, v in values.items()})
        camera = await run_in_threadpool(
            in_savepoint, session, registry.create, session, principal, data, rules
        )
    except (ValidationError, YingjiError) as exc:
        if not _refused(exc):
            raise
        ctx = {"camera": None, "form": values, "errors": form_errors(exc)}
        return _page(request, "video/camera_form.html", ctx, status_code=422)
    return RedirectResponse(f"/video/cameras/{camera.id}", status_code=303)


@router.get("/video/cameras/{camera_id:int}")
def camera_page(camera_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    camera = registry.get(session, principal, camera_id)
    settings = request.app.state.settings
    ctx = {
        "camera": camera,
        "out": registry.to_out(camera, settings, registry.place_names(session, [camera])),
        "can_manage": principal.can(Perm.VIDEO_MANAGE) and principal.covers(camera.jurisdiction_code),
    }
    return _page(request, "video/camera.html", ctx)


@router.get("/video/cameras/{camera_id:int}/edit")
def camera_edit(camera_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    camera = registry.get(session, principal, camera_id)
    require(principal, Perm.VIDEO_MANAGE)
    form = {k: ("" if getattr(camera, k, None) is None else str(getattr(camera, k))) for k in FIELDS}
    return _page(request, "video/camera_form.html", {"camera": camera, "form": form, "errors": {}})


@router.post("/video/cameras/{camera_id:int}/edit")
async def camera_update(camera_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    values = await _form(request)
    rules = codes.id_rules(request.app.state.settings)
    try:
        data = {k: (v or None) for k, v in values.items()}
        for required in ("device_id", "name", "kind", "jurisdiction_code", "status"):
            if data[required] is None:
                data.pop(required)
        patch = CameraPatch(**data)
        await run_in_threadpool(
            in_savepoint, session, registry.update, session, principal, camera_id, patch, rules
        )
    except (ValidationError, YingjiError) as exc:
        if not _refused(exc):
            raise
        camera = await run_in_threadpool(registry.get, session, principal, camera_id)
        ctx = {"camera": camera, "form": values, "errors": form_errors(exc)}
        return _page(request, "video/camera_form.html", ctx, status_code=422)
    return RedirectResponse(f"/video/cameras/{camera_id}", status_code=303)


@router.get("/video/import")
def import_page(request: Request, principal: CurrentPrincipal):
    require(principal, Perm.VIDEO_MANAGE)
    return _page(request, "video/import.html", {"result": None, "errors": [], "columns": exchange.COLUMNS})


@router.post("/video/import")
async def import_upload(request: Request, principal: CurrentPrincipal, session: DbSession, file: UploadFile):
    data = await read_upload(request, file)
    params = video_api.import_params(request)
    cols = {"columns": exchange.COLUMNS}
    return await answers.import_page(
        request, session, principal, "cameras", data, file.filename, _page, "video/import.html", cols, params
    )


@router.get("/incidents/{incident_id:int}/video")
def incident_panel(incident_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    """The incident page's video panel (htmx): nearest cameras, the village room, clips, 视频联报."""
    incident = listing.get(session, principal, incident_id)
    settings = request.app.state.settings
    near = video_api.nearest_out(session, principal, settings, incident, 6)
    ctx = {
        "incident": incident,
        "near": near,
        "clips": clips.clips_of(session, incident.id),
        "can_record": principal.can(Perm.INCIDENT_REPORT)
        and principal.covers(incident.jurisdiction_code)
        and incident.status != IncidentStatus.CLOSED,
        "max_mb": clips.max_bytes_of(settings) // (1024 * 1024),
    }
    return _page(request, "video/_incident_panel.html", ctx)

"""Video linkage API: the camera registry (list, read, register, change, Excel import/export),
the nearest cameras of an incident, resumable clip uploads (视频联报), clip playback, the
consultation's conference link, and the cameras layer of the one map."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, UploadFile
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from yingji.auth import uploads
from yingji.auth.deps import CurrentPrincipal
from yingji.core import caching
from yingji.core.deps import Db, DbSession
from yingji.core.http import raw_body
from yingji.files import answers
from yingji.files.openapi import EXPORT, STORED_FILE
from yingji.geo.api import GEOJSON, parse_bbox
from yingji.incidents import listing
from yingji.org.api import read_upload
from yingji.org.params import PageNo, PageSize, page_of, query_code
from yingji.video import clips, codes, conference, maplayer, nearest, registry
from yingji.video.schemas import (
    CameraIn,
    CameraOut,
    CameraPageOut,
    CameraPatch,
    ClipOut,
    ConferenceOut,
    ImportOut,
    NearestOut,
    UploadIn,
    UploadOut,
)

router = APIRouter(prefix="/api/v1", tags=["video"])
Kind = Annotated[str | None, Query(pattern="^(" + "|".join(k.value for k in codes.CameraKind) + ")$")]
Status = Annotated[str | None, Query(pattern="^(online|offline|fault)$")]


def _settings(request: Request):
    return request.app.state.settings


# -- the registry -------------------------------------------------------------------------------
@router.get("/video/cameras", response_model=CameraPageOut)
def list_cameras(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    q: Annotated[str, Query(max_length=60)] = "",
    within: str | None = None,
    kind: Kind = None,
    status: Status = None,
    page: PageNo = 1,
    size: PageSize = 50,
) -> dict:
    result = registry.search(
        session, principal, q=q, within=query_code(within), kind=kind, status=status, page=page, size=size
    )
    names = registry.place_names(session, result.items)
    settings = _settings(request)
    return page_of(result, [registry.to_out(c, settings, names) for c in result.items])


@router.post("/video/cameras", response_model=CameraOut, status_code=201)
def create_camera(data: CameraIn, request: Request, principal: CurrentPrincipal, session: DbSession) -> dict:
    settings = _settings(request)
    camera = registry.create(session, principal, data, codes.id_rules(settings))
    return registry.to_out(camera, settings, registry.place_names(session, [camera]))


@router.post("/video/cameras/import", response_model=ImportOut)
async def import_cameras(
    request: Request, file: UploadFile, principal: CurrentPrincipal, session: DbSession
) -> Response:
    """An .xlsx of cameras: all rows or none (row-by-row errors). A large file runs as a file job (202)."""
    data = await read_upload(request, file)
    params = import_params(request)
    return await answers.import_answer(request, session, principal, "cameras", data, file.filename, params)


def import_params(request: Request) -> dict:
    rules = codes.id_rules(_settings(request))
    return {"categories": list(rules.categories), "centre_covers": rules.centre_covers}


@router.get("/video/cameras/export", response_class=Response, responses=EXPORT, response_model=None)
def export_cameras(
    request: Request, principal: CurrentPrincipal, session: DbSession, db: Db, within: str | None = None
) -> Response:
    """The cameras in scope as .xlsx (audited; a large one is written by a file job: 202)."""
    code = query_code(within)
    return answers.export(
        request, session, db, principal, "cameras", {"within": code}, jurisdiction_code=code
    )


@router.get("/video/cameras/{camera_id}", response_model=CameraOut)
def get_camera(camera_id: int, request: Request, principal: CurrentPrincipal, session: DbSession) -> dict:
    camera = registry.get(session, principal, camera_id)
    return registry.to_out(camera, _settings(request), registry.place_names(session, [camera]))


@router.patch("/video/cameras/{camera_id}", response_model=CameraOut)
def update_camera(
    camera_id: int, patch: CameraPatch, request: Request, principal: CurrentPrincipal, session: DbSession
) -> dict:
    settings = _settings(request)
    camera = registry.update(session, principal, camera_id, patch, codes.id_rules(settings))
    return registry.to_out(camera, settings, registry.place_names(session, [camera]))


# -- nearest cameras of an incident ----------------------------------------------------------------
def nearest_out(session, principal, settings, incident, n: int) -> dict:
    lon, lat = incident.lon, incident.lat
    if lon is None or lat is None:
        place = incident.jurisdiction
        lon, lat = (place.lon, place.lat) if place is not None else (None, None)
    near = nearest.nearest(session, principal, lon, lat, n) if lon is not None else []
    room = nearest.village_room(session, principal, incident.jurisdiction_code)
    names = registry.place_names(session, [c for c, _ in near] + ([room] if room else []))
    return {
        "incident_id": incident.id,
        "village_room": registry.to_out(room, settings, names, distance_m=nearest.distance_m(room, lon, lat))
        if room is not None
        else None,
        "cameras": [registry.to_out(c, settings, names, distance_m=d) for c, d in near],
    }


@router.get("/incidents/{incident_id}/cameras", response_model=NearestOut)
def incident_cameras(
    incident_id: int,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    n: Annotated[int, Query(ge=1, le=nearest.MAX_N)] = nearest.DEFAULT_N,
) -> dict:
    """The ``n`` cameras in scope nearest the incident, and the video room of its village."""
    incident = listing.get(session, principal, incident_id)
    return nearest_out(session, principal, _settings(request), incident, n)


# -- clips (视频联报) ------------------------------------------------------------------------------
def clip_out(clip) -> dict:
    return ClipOut(
        id=clip.id,
        incident_id=clip.incident_id,
        content_type=clip.content_type,
        size_bytes=clip.size_bytes,
        original_name=clip.original_name,
        created_at=clip.created_at,
        url=f"/api/v1/incidents/{clip.incident_id}/clips/{clip.id}",
    ).model_dump()


def upload_out(session, upload) -> dict:
    clip = session.get(clips.Clip, upload.clip_id) if upload.clip_id else None
    return UploadOut(
        id=upload.id,
        incident_id=upload.incident_id,
        offset=upload.received,
        size_bytes=upload.size_bytes,
        content_type=upload.content_type,
        state=upload.state,
        clip=clip_out(clip) if clip else None,
    ).model_dump()


@router.post("/incidents/{incident_id}/clips/uploads", response_model=UploadOut, status_code=201)
def start_upload(
    incident_id: int, data: UploadIn, request: Request, principal: CurrentPrincipal, session: DbSession
) -> dict:
    """Announce a clip (the phone's key makes it idempotent); ``offset`` is where to send from."""
    incident = listing.get(session, principal, incident_id)
    upload = clips.start(session, principal, incident, data, clips.max_bytes_of(_settings(request)))
    return upload_out(session, upload)


@router.get("/video/uploads/{upload_id}", response_model=UploadOut)
def upload_state(upload_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    """How much of the clip the server holds (ask after a dropped connection, then resume)."""
    return upload_out(session, clips.get_upload(session, principal, upload_id))


@router.put("/video/uploads/{upload_id}", response_model=UploadOut)
async def upload_chunk(
    upload_id: int,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    offset: Annotated[int, Query(ge=0)],
) -> dict:
    """A chunk of the clip starting at ``offset`` (raw bytes, at most 4 MB)."""
    data = await raw_body(request, "application/octet-stream", clips.CHUNK_MAX)
    root = clips.dir_of(_settings(request))

    def work():
        return upload_out(session, clips.append(session, principal, upload_id, offset, data, root))

    return await run_in_threadpool(work)


@router.get("/incidents/{incident_id}/clips", response_model=list[ClipOut])
def list_clips(incident_id: int, principal: CurrentPrincipal, session: DbSession) -> list[dict]:
    incident = listing.get(session, principal, incident_id)
    return [clip_out(c) for c in clips.clips_of(session, incident.id)]


@router.get(
    "/incidents/{incident_id}/clips/{clip_id}",
    response_class=Response,
    responses=STORED_FILE,
    response_model=None,
)
def get_clip(
    incident_id: int, clip_id: int, request: Request, principal: CurrentPrincipal, session: DbSession
) -> Response:
    clip, path = clips.get_clip(session, principal, incident_id, clip_id, clips.dir_of(_settings(request)))
    return uploads.served(path, clip.content_type)


# -- 视频会商 ------------------------------------------------------------------------------------
@router.get("/video/conference", response_model=ConferenceOut)
def conference_link(
    consultation_id: Annotated[int, Query(ge=1)],
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
) -> dict:
    """The consultation's video-conference link from the configured template (null without one)."""
    url = conference.for_consultation(session, principal, _settings(request), consultation_id)
    return {"consultation_id": consultation_id, "url": url}


# -- the map layer -------------------------------------------------------------------------------
@router.get("/map/cameras", tags=["map"], response_class=Response, responses=GEOJSON, response_model=None)
def map_cameras(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    bbox: str | None = None,
    kind: Kind = None,
) -> Response:
    """Cameras as GeoJSON points with kind and status (at most 5,000; ``X-Truncated`` says if cut)."""
    body, count, truncated = maplayer.cameras_geojson(session, principal, parse_bbox(bbox), kind)
    return caching.cached(
        request,
        body,
        media_type=caching.GEOJSON,
        headers={"X-Feature-Count": str(count), "X-Truncated": str(truncated).lower()},
    )

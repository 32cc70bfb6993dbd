"""The camera and video-point registry: search, read, register, change — all in scope.

Anyone who sees a place sees its cameras; registering and changing them needs ``video.manage``
inside one's jurisdiction (403 outside, 404 for a camera one cannot see).
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, visible, writable
from yingji.core.errors import Conflict, NotFound, ValidationFailed
from yingji.core.i18n import current_locale, gettext
from yingji.core.models import apply_changes
from yingji.core.pagination import Page, paginate
from yingji.org import places
from yingji.org.models import Jurisdiction
from yingji.video import codes
from yingji.video.models import Camera
from yingji.video.schemas import CameraIn, CameraOut, CameraPatch, StreamsOut


def search(
    session: Session,
    principal: Principal,
    *,
    q: str = "",
    within: str | None = None,
    kind: str | None = None,
    status: str | None = None,
    page: int = 1,
    size: int = 50,
) -> Page[Camera]:
    """Active cameras in scope, narrowed by place, kind, status and name or device ID."""
    stmt = select(Camera).where(in_scope(Camera.jurisdiction_code, principal), Camera.active)
    stmt = places.narrow(session, principal, stmt, Camera.jurisdiction_code, within)
    if kind:
        stmt = stmt.where(Camera.kind == kind)
    if status:
        stmt = stmt.where(Camera.status == status)
    q = (q or "").strip()
    if q:
        stmt = stmt.where(
            or_(Camera.name.contains(q, autoescape=True), Camera.device_id.startswith(q, autoescape=True))
        )
    return paginate(session, stmt.order_by(Camera.jurisdiction_code, Camera.id), page, size)


def get(session: Session, principal: Principal, camera_id: int, *, lock: bool = False) -> Camera:
    """A camera in scope (404 otherwise)."""
    options = {"with_for_update": True, "populate_existing": True} if lock else {}
    camera = session.get(Camera, camera_id, **options)
    if camera is None:
        raise NotFound()
    return visible(principal, camera)


def _known(session: Session):
    return lambda code: session.get(Jurisdiction, code) is not None


def check_id(session: Session, device_id: str, place: str, rules: codes.IdRules) -> None:
    problem = codes.check_device_id(device_id, place, rules, _known(session))
    if problem:
        raise ValidationFailed(details=[{"field": "device_id", "message": problem}])


def _check_place(session: Session, code: str) -> Jurisdiction:
    place = session.get(Jurisdiction, code)
    if place is None:
        raise ValidationFailed(details=[{"field": "jurisdiction_code", "message": "Unknown jurisdiction."}])
    return place


def _unique(session: Session, device_id: str, camera_id: int | None = None) -> None:
    other = session.scalar(select(Camera.id).where(Camera.device_id == device_id))
    if other is not None and other != camera_id:
        raise Conflict("The device ID {device_id} is already registered.", device_id=device_id)


def create(session: Session, principal: Principal, data: CameraIn, rules: codes.IdRules) -> Camera:
    """Register a camera; without coordinates it stands at its place's label point."""
    writable(principal, data.jurisdiction_code, Perm.VIDEO_MANAGE)
    place = _check_place(session, data.jurisdiction_code)
    check_id(session, data.device_id, data.jurisdiction_code, rules)
    _unique(session, data.device_id)
    values = data.model_dump()
    if values["lon"] is None or values["lat"] is None:
        values["lon"], values["lat"] = place.lon, place.lat
    camera = Camera(**values, active=True)
    session.add(camera)
    session.flush()
    return camera


def update(
    session: Session, principal: Principal, camera_id: int, patch: CameraPatch, rules: codes.IdRules
) -> Camera:
    camera = get(session, principal, camera_id, lock=True)
    writable(principal, camera.jurisdiction_code, Perm.VIDEO_MANAGE)
    changes = patch.model_dump(exclude_unset=True)
    if changes.get("jurisdiction_code"):
        writable(principal, changes["jurisdiction_code"], Perm.VIDEO_MANAGE)
        _check_place(session, changes["jurisdiction_code"])
    device_id = changes.get("device_id") or camera.device_id
    place = changes.get("jurisdiction_code") or camera.jurisdiction_code
    if "device_id" in changes or "jurisdiction_code" in changes:
        check_id(session, device_id, place, rules)
        _unique(session, device_id, camera.id)
    apply_changes(camera, changes)
    session.flush()
    return camera


# -- reading out ------------------------------------------------------------------------------
def streams(camera: Camera, settings) -> StreamsOut:
    """The camera's stream addresses; an HLS address from the gateway's template when none is kept
    (``YINGJI_VIDEO_HLS_TEMPLATE``, e.g. ``https://gw/rtp/{device_id}/hls.m3u8``)."""
    hls = camera.hls_url
    template = (getattr(settings, "extra", {}) or {}).get("video_hls_template", "")
    if not hls and template:
        hls = template.replace("{device_id}", camera.device_id)
    return StreamsOut(hls=hls, flv=camera.flv_url, webrtc=camera.webrtc_url)


def place_names(session: Session, cameras) -> dict[str, str]:
    wanted = {c.jurisdiction_code for c in cameras}
    if not wanted:
        return {}
    rows = session.execute(select(Jurisdiction.code, Jurisdiction.name).where(Jurisdiction.code.in_(wanted)))
    return dict(rows.all())


def to_out(camera: Camera, settings, names: dict[str, str] | None = None, **extra) -> dict:
    zh = current_locale().startswith("zh")
    return (
        CameraOut(
            id=camera.id,
            device_id=camera.device_id,
            device_type=codes.device_type(camera.device_id),
            device_type_label=codes.type_label(camera.device_id, zh),
            name=camera.name,
            kind=camera.kind,
            kind_label=gettext(codes.KIND_LABELS[codes.CameraKind(camera.kind)]),
            jurisdiction_code=camera.jurisdiction_code,
            jurisdiction_name=(names or {}).get(camera.jurisdiction_code, ""),
            owner_unit=camera.owner_unit,
            lon=camera.lon,
            lat=camera.lat,
            address=camera.address,
            status=camera.status,
            status_label=gettext(codes.STATUS_LABELS[codes.CameraStatus(camera.status)]),
            streams=streams(camera, settings),
            active=camera.active,
            note=camera.note,
            updated_at=camera.updated_at,
        ).model_dump()
        | extra
    )

"""Excel import and export of the camera registry. Every row is checked first (device ID to
GB/T 28181, place in the importer's jurisdiction, kind, status, coordinates, stream addresses); one
bad row and nothing is imported, the answer lists each row's errors in Chinese. Cameras are keyed by
device ID, so importing the same file again changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, require
from yingji.core.deadline import paced
from yingji.core.i18n import N_
from yingji.files import kinds
from yingji.org import codes as division_codes
from yingji.org.exchange import common
from yingji.org.exchange.common import ImportResult, RowErrors, column
from yingji.org.models import Jurisdiction
from yingji.org.sheets import Column, read
from yingji.video import codes
from yingji.video.models import Camera
from yingji.video.schemas import STREAM_SCHEMES, _url

COLUMNS = [
    Column("device_id", "国标编码", "GB/T 28181 device ID", True, 22),
    Column("name", "名称", "Name", True, 24),
    Column("kind", "类型", "Kind", True, 10),
    Column("jurisdiction_code", "所属区划代码", "Division code", True, 16),
    Column("jurisdiction_name", "所属区划", "Division", False, 14),
    Column("owner_unit", "建设管理单位", "Owner unit", False, 18),
    Column("lon", "经度", "Longitude", False, 11),
    Column("lat", "纬度", "Latitude", False, 11),
    Column("address", "安装地址", "Address", False, 22),
    Column("status", "状态", "Status", False, 6),
    Column("hls_url", "HLS地址", "HLS URL", False, 30),
    Column("flv_url", "HTTP-FLV地址", "HTTP-FLV URL", False, 30),
    Column("webrtc_url", "WebRTC地址", "WebRTC URL", False, 30),
    Column("note", "备注", "Note", False, 16),
]
SHEET_TITLE = "视频点位"
FIELDS = ("name", "kind", "jurisdiction_code", "owner_unit", "lon", "lat", "address", "status")
FIELDS += ("hls_url", "flv_url", "webrtc_url", "note")
MAX_EXPORT = 200_000


def _row(session, principal, errors, rownum, r, rules, known) -> dict | None:
    """The checked values of one sheet row, or None (its errors added)."""
    col = lambda key: column(COLUMNS, key)  # noqa: E731
    code = common.row_place(session, principal, errors, rownum, COLUMNS, r, Perm.VIDEO_MANAGE)
    kind = codes.KIND_WORDS.get(r["kind"]) or (r["kind"] if r["kind"] in set(codes.CameraKind) else None)
    if kind is None:
        errors.add(rownum, col("kind"), r["kind"], "Write 天网, 雪亮, 智慧乡村, 村级视频室, 单兵 or 无人机.")
    status = codes.STATUS_WORDS.get(r["status"] or "在线") or (
        r["status"] if r["status"] in set(codes.CameraStatus) else None
    )
    if status is None:
        errors.add(rownum, col("status"), r["status"], "Write 在线, 离线 or 故障.")
    device_id = r["device_id"].replace(" ", "")
    problem = codes.check_device_id(device_id, code, rules, known)
    if problem:
        errors.add(rownum, col("device_id"), r["device_id"], problem)
    lon, lat = common.number_in(r["lon"], 73, 136), common.number_in(r["lat"], 3, 54)
    if lon is False or lat is False or (lon is None) != (lat is None):
        errors.add(
            rownum,
            col("lon"),
            f"{r['lon']},{r['lat']}",
            "Longitude and latitude must both be given, in China.",
        )
    urls = {}
    for key in STREAM_SCHEMES:
        try:
            urls[key] = _url(key)(r[key] or None)
        except ValueError:
            errors.add(rownum, col(key), r[key], "Not a stream address.")
    long_text = common.too_long(errors, rownum, COLUMNS, r, {"name": 120, "owner_unit": 120, "address": 200})
    if (
        code is None
        or kind is None
        or status is None
        or problem
        or lon is False
        or lat is False
        or len(urls) < 3
        or long_text
    ):
        return None
    return {
        "device_id": device_id,
        "name": r["name"],
        "kind": str(kind),
        "jurisdiction_code": code,
        "owner_unit": r["owner_unit"] or None,
        "lon": lon,
        "lat": lat,
        "address": r["address"] or None,
        "status": str(status),
        **urls,
        "note": r["note"] or None,
    }


def import_cameras(session: Session, principal: Principal, data: bytes, **params) -> ImportResult:
    """Apply a camera sheet in the caller's transaction (all rows or none)."""
    require(principal, Perm.VIDEO_MANAGE)
    rules = codes.IdRules(
        tuple(params.get("categories") or codes.DEFAULT_CATEGORIES), params.get("centre_covers", True)
    )
    known_cache: dict[str, bool] = {}

    def known(code: str) -> bool:
        if code not in known_cache:
            known_cache[code] = session.get(Jurisdiction, code) is not None
        return known_cache[code]

    errors = RowErrors()
    repeats = common.Repeats(errors, COLUMNS, "device_id", N_("The same device is already on row {other}."))
    check = partial(_row, session, principal, errors, rules=rules, known=known)
    rows = common.planned(read(data, COLUMNS), COLUMNS, check, lambda v: v["device_id"], repeats)
    plan = [v for _, v in rows]
    existing: dict[str, Camera] = {}
    ids = [p["device_id"] for p in plan]
    for i in range(0, len(ids), 500):
        for cam in session.scalars(select(Camera).where(Camera.device_id.in_(ids[i : i + 500]))):
            existing[cam.device_id] = cam
    held = ((rownum, v["device_id"], existing.get(v["device_id"])) for rownum, v in rows)
    at, message = column(COLUMNS, "device_id"), N_("The device ID {device_id} is already registered.")
    common.refuse_held(errors, principal, at, message, held, name="device_id")
    errors.raise_if_any()
    result = ImportResult()
    places = {
        j.code: j
        for j in session.scalars(
            select(Jurisdiction).where(Jurisdiction.code.in_({p["jurisdiction_code"] for p in plan}))
        )
    }
    for values in paced(plan):
        cam = existing.get(values["device_id"])
        if values["lon"] is None:
            place = places.get(values["jurisdiction_code"])
            values["lon"], values["lat"] = (place.lon, place.lat) if place else (None, None)
            if cam is not None:  # keep where it stands rather than move it to the label point
                values["lon"], values["lat"] = cam.lon or values["lon"], cam.lat or values["lat"]
        if cam is None:
            session.add(Camera(**values, active=True))
            result.created += 1
            continue
        result.tally(common.update(cam, values | {"active": True}))
    session.flush()
    return result


def _export_query(principal: Principal, within: str | None):
    require(principal, Perm.EXPORT)
    stmt = common.placed(Camera, within, in_scope(Camera.jurisdiction_code, principal), Camera.active)
    return stmt.order_by(Camera.jurisdiction_code, Camera.id).limit(MAX_EXPORT)


def count_rows(session: Session, principal: Principal, within: str | None = None) -> int:
    return common.count_of(session, _export_query(principal, within))


def camera_rows(session: Session, principal: Principal, within: str | None = None) -> Iterator[dict]:
    """The cameras in scope as rows of the sheet (it imports back)."""
    stmt = _export_query(principal, within).execution_options(yield_per=2000)
    for cam, place in session.execute(stmt):
        yield {
            "device_id": cam.device_id,
            "name": cam.name,
            "kind": codes.EXCEL_KIND[codes.CameraKind(cam.kind)],
            "jurisdiction_code": division_codes.division_code_12(cam.jurisdiction_code),
            "jurisdiction_name": place,
            "owner_unit": cam.owner_unit,
            "lon": cam.lon,
            "lat": cam.lat,
            "address": cam.address,
            "status": codes.EXCEL_STATUS[codes.CameraStatus(cam.status)],
            "hls_url": cam.hls_url,
            "flv_url": cam.flv_url,
            "webrtc_url": cam.webrtc_url,
            "note": cam.note,
        }


kinds.register(
    "cameras",
    N_("Cameras and video points"),
    "video_cameras",
    title=SHEET_TITLE,
    columns=COLUMNS,
    rows=camera_rows,
    count=count_rows,
    run=import_cameras,
    perms=(Perm.VIDEO_MANAGE,),
)

"""Patrols of hazard points from the phone (idempotent: the phone resends with the same key until the
server answers), their photos, and "find a hazard → report at once" into incident intake
(地质灾害防治条例 第二十八条: whoever finds a danger reports it immediately)."""

from __future__ import annotations

import base64
import binascii
import hashlib
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yingji.auth import uploads
from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, visible
from yingji.core import clock
from yingji.core.errors import Conflict, ValidationFailed
from yingji.core.pagination import Page, paginate
from yingji.geo.travel import distance_m
from yingji.incidents import intake
from yingji.incidents import photos as incident_photos
from yingji.incidents.models import Incident
from yingji.incidents.schemas import Figures, IncidentIn
from yingji.monitoring import catalog, points
from yingji.monitoring.models import HazardPoint, PatrolCondition, PatrolLog, PatrolPhoto
from yingji.monitoring.schemas import DangerIn, PatrolIn

CLOCK_SKEW = timedelta(minutes=5)
MAX_LATE = timedelta(days=30)  # a phone may keep a log offline this long


def by_key(session: Session, principal: Principal, key: str) -> PatrolLog | None:
    """The log a key already made (the same user's resend), else None; 409 for someone else's."""
    log = session.scalar(select(PatrolLog).where(PatrolLog.idempotency_key == key))
    if log is not None and log.user_id != principal.user_id:
        raise Conflict("This idempotency key was already used for another submission.")
    return log


def _when(data: PatrolIn):
    now = clock.now()
    at = data.patrolled_at or now
    if at > now + CLOCK_SKEW:
        raise ValidationFailed(details=[{"field": "patrolled_at", "message": "This time is in the future."}])
    if at < now - MAX_LATE:
        raise ValidationFailed(
            details=[{"field": "patrolled_at", "message": "This patrol is too old to record."}]
        )
    return min(at, now)


def decode_photos(data: PatrolIn, max_bytes: int) -> list[tuple[bytes, str, int, int]]:
    """The photos of a log as (bytes, kind, width, height), each checked like incident photos."""
    out = []
    for item in data.photos:
        body = item.split(",", 1)[1] if item.startswith("data:") and "," in item else item
        try:
            raw = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise ValidationFailed(
                details=[{"field": "photos", "message": "This file is not a readable photo."}]
            ) from None
        kind, width, height = incident_photos.check(raw, max_bytes)
        out.append((raw, kind, width, height))
    return out


def record(
    session: Session,
    principal: Principal,
    point_id: int,
    data: PatrolIn,
    *,
    upload_dir: Path,
    max_bytes: int,
    extra_photos: list[bytes] | None = None,
) -> tuple[PatrolLog, bool]:
    """Record a patrol. Returns (log, created); a resent key returns the first log unchanged."""
    key = data.idempotency_key
    if key:
        found = by_key(session, principal, key)
        if found is not None:
            visible(principal, found.point)
            return found, False
    point = points.lock(session, principal, point_id, Perm.PATROL_LOG)
    at = _when(data)
    pictures = decode_photos(data, max_bytes)
    for raw in extra_photos or []:
        pictures.append((raw, *incident_photos.check(raw, max_bytes)))
    distance = None
    if data.lon is not None and data.lat is not None and point.lon is not None:
        distance = round(distance_m(data.lon, data.lat, point.lon, point.lat), 1)
    try:
        with session.begin_nested():
            log = PatrolLog(
                hazard_point_id=point.id,
                jurisdiction_code=point.jurisdiction_code,
                patrolled_at=at,
                received_at=clock.now(),
                user_id=principal.user_id,
                patroller_name=principal.display_name[:60],
                lon=data.lon,
                lat=data.lat,
                accuracy_m=data.accuracy_m,
                distance_m=distance,
                condition=data.condition,
                observations=data.observations,
                photo_count=len(pictures),
                idempotency_key=key,
            )
            session.add(log)
            session.flush()
    except IntegrityError:
        found = by_key(session, principal, key) if key else None
        if found is None:
            raise
        return found, False
    for raw, kind, width, height in pictures:
        _store_photo(session, log, raw, kind, width, height, upload_dir)
    if point.last_patrol_at is None or at > point.last_patrol_at:
        point.last_patrol_at = at
        point.patrol_due_at = catalog.next_patrol_due(point.kind, at, point.patrol_every_days)
    if data.report_incident or (
        data.condition == PatrolCondition.DANGER and principal.can(Perm.INCIDENT_REPORT)
    ):
        incident, _ = report_danger(
            session,
            principal,
            point,
            DangerIn(
                description=data.observations or "巡查发现险情",
                lon=data.lon,
                lat=data.lat,
                occurred_at=at,
                idempotency_key=f"patrol:{hashlib.sha256(key.encode()).hexdigest()[:40]}" if key else None,
            ),
        )
        log.incident_id = incident.id
    session.flush()
    return log, True


def _store_photo(session, log: PatrolLog, raw: bytes, kind: str, width: int, height: int, upload_dir: Path):
    sha = uploads.digest(raw)
    if session.scalar(
        select(PatrolPhoto.id).where(PatrolPhoto.patrol_log_id == log.id, PatrolPhoto.sha256 == sha)
    ):
        return
    uploads.write_once(incident_photos.path_of(upload_dir, sha, kind), raw)
    session.add(
        PatrolPhoto(
            patrol_log_id=log.id,
            jurisdiction_code=log.jurisdiction_code,
            sha256=sha,
            content_type=incident_photos.KINDS[kind][0],
            size_bytes=len(raw),
            width=width,
            height=height,
            created_at=clock.now(),
        )
    )


def report_danger(
    session: Session, principal: Principal, point: HazardPoint, data: DangerIn
) -> tuple[Incident, bool]:
    """File a first incident report for a danger found at ``point`` through incident intake."""
    visible(principal, point)
    kind = catalog.hazard_kind(point.kind) or {}
    lon, lat, located_by = data.lon, data.lat, "gps"
    if lon is None or lat is None:
        lon, lat, located_by = point.lon, point.lat, "map"
    figures = Figures(
        threatened_people=data.threatened_people if data.threatened_people is not None else None
    )
    incident_in = IncidentIn(
        category=kind.get("incident_category", "natural.geological"),
        title=f"{point.name}发现险情"[:200],
        occurred_at=data.occurred_at,
        lon=lon,
        lat=lat,
        located_by=located_by,
        address=(point.address or point.name)[:300],
        description=f"[{point.code} {point.name}] {data.description}",
        reporter_name=principal.display_name[:60],
        reporter_phone=data.reporter_phone,
        source="chain",
        figures=figures,
        idempotency_key=data.idempotency_key,
    )
    return intake.create(session, principal, incident_in)


def logs_of(
    session: Session, principal: Principal, point_id: int, page: int = 1, size: int = 20
) -> Page[PatrolLog]:
    """Patrol logs of a point in scope, newest first."""
    stmt = (
        select(PatrolLog)
        .where(PatrolLog.hazard_point_id == point_id, in_scope(PatrolLog.jurisdiction_code, principal))
        .order_by(PatrolLog.patrolled_at.desc(), PatrolLog.id.desc())
    )
    return paginate(session, stmt, page, size)


def photos_of(session: Session, log_ids: list[int]) -> dict[int, list[PatrolPhoto]]:
    """The photos of these logs, by log."""
    out: dict[int, list[PatrolPhoto]] = {}
    if not log_ids:
        return out
    for photo in session.scalars(select(PatrolPhoto).where(PatrolPhoto.patrol_log_id.in_(log_ids))):
        out.setdefault(photo.patrol_log_id, []).append(photo)
    return out


def photo(
    session: Session, principal: Principal, photo_id: int, upload_dir: Path
) -> tuple[PatrolPhoto, Path]:
    """A patrol photo and its file, only for users who can see it (404 otherwise)."""
    row = visible(principal, session.get(PatrolPhoto, photo_id))
    return row, uploads.kept_photo(upload_dir, row.sha256, row.content_type)

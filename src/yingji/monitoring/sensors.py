"""The sensor registry (in scope), each sensor's live state, its readings for the charts (raw within the
raw window, hourly or daily rollups beyond it) and the rejected-reading counters."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, visible, writable
from yingji.core import clock
from yingji.core.errors import Conflict, NotFound, ValidationFailed
from yingji.core.models import apply_changes
from yingji.core.pagination import Page, paginate
from yingji.monitoring import catalog
from yingji.monitoring.models import HazardPoint, Reading, Rejection, Rollup, Sensor, SensorState
from yingji.monitoring.schemas import SensorIn, SensorPatch
from yingji.org import places
from yingji.org.models import Jurisdiction

MAX_RAW_POINTS = 3000


def search(
    session: Session,
    principal: Principal,
    *,
    q: str = "",
    kind: str | None = None,
    within: str | None = None,
    point_id: int | None = None,
    page: int = 1,
    size: int = 50,
) -> Page[Sensor]:
    """Sensors in scope, by kind, place, point, code or name."""
    stmt = select(Sensor).where(in_scope(Sensor.jurisdiction_code, principal))
    stmt = places.narrow(session, principal, stmt, Sensor.jurisdiction_code, within)
    if kind:
        stmt = stmt.where(Sensor.kind == kind)
    if point_id is not None:
        stmt = stmt.where(Sensor.hazard_point_id == point_id)
    q = (q or "").strip()
    if q:
        stmt = stmt.where(
            or_(Sensor.code.startswith(q, autoescape=True), Sensor.name.contains(q, autoescape=True))
        )
    return paginate(session, stmt.order_by(Sensor.code), page, size)


def get(session: Session, principal: Principal, sensor_id: int) -> Sensor:
    """One sensor in scope (404 outside)."""
    return visible(principal, session.get(Sensor, sensor_id))


def states(session: Session, ids: list[int]) -> dict[int, SensorState]:
    """The live state (latest reading, counters) of these sensors."""
    if not ids:
        return {}
    return {
        s.sensor_id: s for s in session.scalars(select(SensorState).where(SensorState.sensor_id.in_(ids)))
    }


def silent(sensor: Sensor, state: SensorState | None, now: datetime | None = None) -> bool:
    """No reading for three usual intervals."""
    if state is None or state.last_at is None:
        return True
    interval = (catalog.sensor_kind(sensor.kind) or {}).get("interval_s", 600)
    return (now or clock.now()) - state.last_at > timedelta(seconds=3 * interval)


def create(session: Session, principal: Principal, data: SensorIn) -> Sensor:
    """Register a sensor at a point or an enterprise (their place and position by default), or at a
    place."""
    point = target = None
    if data.hazard_point_id is not None:
        point = visible(principal, session.get(HazardPoint, data.hazard_point_id))
    if data.target_kind == "enterprise":
        target = _enterprise(session, principal, data.target_id)
    place = point or target
    code = place.jurisdiction_code if place else (data.jurisdiction_code or principal.jurisdiction_code)
    if session.get(Jurisdiction, code) is None:
        raise ValidationFailed(details=[{"field": "jurisdiction_code", "message": "Unknown jurisdiction."}])
    writable(principal, code, Perm.MONITORING_MANAGE)
    if point and data.jurisdiction_code and not point.jurisdiction_code.startswith(data.jurisdiction_code):
        raise ValidationFailed(
            details=[{"field": "jurisdiction_code", "message": "The point is not inside the chosen place."}]
        )
    _check_range(data.valid_min, data.valid_max)
    kind = catalog.sensor_kind(data.kind)
    sensor = Sensor(
        **data.model_dump(exclude={"jurisdiction_code", "lon", "lat"}),
        unit=kind["unit"],
        jurisdiction_code=code,
        lon=data.lon if data.lon is not None else (place.lon if place else None),
        lat=data.lat if data.lat is not None else (place.lat if place else None),
        active=True,
    )
    try:
        with session.begin_nested():
            session.add(sensor)
            session.flush()
    except IntegrityError:
        raise Conflict("The code {code} is already used.", code=data.code) from None
    session.add(SensorState(sensor_id=sensor.id, readings_total=0))
    session.flush()
    return sensor


def _enterprise(session: Session, principal: Principal, enterprise_id: int | None):
    """The enterprise a sensor watches (the risk domain's register), if the principal can see it."""
    if enterprise_id is None:
        raise ValidationFailed(details=[{"field": "target_id", "message": "Name the enterprise."}])
    from yingji.risk.models import Enterprise

    return visible(principal, session.get(Enterprise, enterprise_id))


def _check_range(low: float | None, high: float | None) -> None:
    if low is not None and high is not None and low >= high:
        raise ValidationFailed(
            details=[{"field": "valid_max", "message": "The upper limit must exceed the lower."}]
        )


def update(session: Session, principal: Principal, sensor_id: int, patch: SensorPatch) -> Sensor:
    """Change a sensor."""
    sensor = session.get(Sensor, sensor_id, with_for_update={"of": Sensor})
    if sensor is None:
        raise NotFound()
    visible(principal, sensor)
    writable(principal, sensor.jurisdiction_code, Perm.MONITORING_MANAGE)
    changes = patch.model_dump(exclude_unset=True)
    _check_range(changes.get("valid_min", sensor.valid_min), changes.get("valid_max", sensor.valid_max))
    apply_changes(sensor, changes)
    session.flush()
    return sensor


def series(session: Session, principal: Principal, sensor_id: int, hours: int = 24) -> dict:
    """Readings of the last ``hours`` for a chart: raw when few enough and inside the raw window,
    else hourly (≤ 62 days) or daily rollups (sum for rain, average otherwise)."""
    sensor = get(session, principal, sensor_id)
    now = clock.now()
    since = now - timedelta(hours=hours)
    kind = catalog.sensor_kind(sensor.kind) or {}
    accumulates = bool(kind.get("accumulates"))
    raw_ok = since >= now - catalog.ingest_settings().raw_retention
    if raw_ok:
        n = session.scalar(
            select(func.count()).where(Reading.sensor_id == sensor.id, Reading.at >= since, Reading.at <= now)
        )
        if n <= MAX_RAW_POINTS:
            rows = session.execute(
                select(Reading.at, Reading.value)
                .where(Reading.sensor_id == sensor.id, Reading.at >= since, Reading.at <= now)
                .order_by(Reading.at)
            ).all()
            return _out(sensor, "raw", [(a, v) for a, v in rows])
    period = "hour" if hours <= 24 * 62 else "day"
    rows = session.execute(
        select(Rollup.bucket_at, Rollup.sum, Rollup.n, Rollup.min, Rollup.max)
        .where(Rollup.sensor_id == sensor.id, Rollup.period == period, Rollup.bucket_at >= since)
        .order_by(Rollup.bucket_at)
    ).all()
    points = [(b, s if accumulates else s / n) for b, s, n, _lo, _hi in rows]
    return _out(sensor, period, points, [(b, lo, hi) for b, _s, _n, lo, hi in rows])


def _out(sensor: Sensor, resolution: str, points, bands=None) -> dict:
    kind = catalog.sensor_kind(sensor.kind) or {}
    return {
        "sensor": sensor.code,
        "kind": sensor.kind,
        "unit": sensor.unit,
        "accumulates": bool(kind.get("accumulates")),
        "resolution": resolution,
        "points": [[clock.to_utc(a).isoformat(), round(v, 3)] for a, v in points],
        "bands": [[clock.to_utc(a).isoformat(), lo, hi] for a, lo, hi in bands or []],
    }


def rejections(session: Session, principal: Principal, *, page: int = 1, size: int = 50) -> Page[Rejection]:
    """Rejected-reading counters in scope; those of unknown sensors (no place) for city-level
    managers and above."""
    cond = in_scope(Rejection.jurisdiction_code, principal)
    if principal.can(Perm.MONITORING_MANAGE) and len(principal.jurisdiction_code) <= 4:
        cond = or_(cond, Rejection.jurisdiction_code.is_(None))
    stmt = select(Rejection).where(cond).order_by(Rejection.last_at.desc(), Rejection.id.desc())
    return paginate(session, stmt, page, size)


def rejection_totals(session: Session, principal: Principal) -> dict[str, int]:
    """Rejected readings in scope per reason."""
    rows = session.execute(
        select(Rejection.reason, func.sum(Rejection.count))
        .where(in_scope(Rejection.jurisdiction_code, principal))
        .group_by(Rejection.reason)
    ).all()
    return {reason: int(n or 0) for reason, n in rows}

"""JSON shapes of monitoring records for the API (phones masked per principal)."""

from __future__ import annotations

from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from yingji.auth.scope import Principal, mask_phone
from yingji.monitoring import catalog
from yingji.monitoring.models import Alarm, AlarmEvent, AlarmRule, HazardPoint, PatrolLog, Rejection, Sensor
from yingji.monitoring.models import SensorState as State


def answer(data, status_code: int = 200) -> JSONResponse:
    """The body as JSON, sent as built (the route's ``response_model`` only describes it)."""
    return JSONResponse(jsonable_encoder(data), status_code=status_code)


def _person(p, principal: Principal) -> dict | None:
    if p is None:
        return None
    return {"id": p.id, "name": p.name, "mobile": mask_phone(p.mobile, principal), "title": p.title}


def point(p: HazardPoint) -> dict:
    """A hazard point as JSON."""
    return {
        "id": p.id,
        "code": p.code,
        "name": p.name,
        "kind": p.kind,
        "subtype": p.subtype,
        "jurisdiction_code": p.jurisdiction_code,
        "grid_cell_id": p.grid_cell_id,
        "lon": p.lon,
        "lat": p.lat,
        "address": p.address,
        "threatened_households": p.threatened_households,
        "threatened_people": p.threatened_people,
        "monitor_person_id": p.monitor_person_id,
        "leader_person_id": p.leader_person_id,
        "patrol_every_days": p.patrol_every_days
        or catalog.patrol_every_days(p.kind, p.last_patrol_at or p.created_at),
        "last_patrol_at": p.last_patrol_at,
        "patrol_due_at": p.patrol_due_at,
        "status": p.status,
        "note": p.note,
    }


def point_detail(p: HazardPoint, people: dict, principal: Principal) -> dict:
    """A hazard point with its monitor, leader and grid people (phones masked)."""
    return point(p) | {
        "monitor": _person(people["monitor"], principal),
        "leader": _person(people["leader"], principal),
        "grid": [
            {"role": a.role, **(_person(a.person, principal) or {})}
            for a in people["grid"]
            if a.person is not None
        ],
    }


def sensor(s: Sensor, state: State | None = None) -> dict:
    """A sensor and its latest reading as JSON."""
    return {
        "id": s.id,
        "code": s.code,
        "name": s.name,
        "kind": s.kind,
        "unit": s.unit,
        "hazard_point_id": s.hazard_point_id,
        "target_kind": s.target_kind,
        "target_id": s.target_id,
        "jurisdiction_code": s.jurisdiction_code,
        "lon": s.lon,
        "lat": s.lat,
        "valid_min": s.valid_min,
        "valid_max": s.valid_max,
        "active": s.active,
        "installed_at": s.installed_at,
        "last_at": state.last_at if state else None,
        "last_value": state.last_value if state else None,
        "readings_total": state.readings_total if state else 0,
    }


def patrol(log: PatrolLog, photo_ids: list[int] | None = None) -> dict:
    """A patrol log as JSON, with its photos' addresses."""
    return {
        "id": log.id,
        "hazard_point_id": log.hazard_point_id,
        "patrolled_at": log.patrolled_at,
        "received_at": log.received_at,
        "patroller_name": log.patroller_name,
        "lon": log.lon,
        "lat": log.lat,
        "accuracy_m": log.accuracy_m,
        "distance_m": log.distance_m,
        "condition": log.condition,
        "observations": log.observations,
        "photo_count": log.photo_count,
        "photos": [f"/api/v1/patrol-photos/{i}" for i in photo_ids or []],
        "incident_id": log.incident_id,
    }


def rule(r: AlarmRule) -> dict:
    """An alarm rule row as JSON."""
    return {
        "id": r.id,
        "key": f"rule:{r.id}",
        "jurisdiction_code": r.jurisdiction_code,
        "hazard_point_id": r.hazard_point_id,
        "sensor_kind": r.sensor_kind,
        "metric": r.metric,
        "direction": r.direction,
        "raise_at": r.raise_at,
        "clear_at": r.clear_at,
        "level": r.level,
        "action": r.action,
        "enabled": r.enabled,
        "basis": r.basis,
    }


def rule_book_entry(r) -> dict:
    """A rule of the book (own or default) as evaluated."""
    return {
        "key": r.key,
        "source": r.source,
        "sensor_kind": r.sensor_kind,
        "metric": r.metric,
        "direction": r.direction,
        "raise_at": r.raise_at,
        "clear_at": r.clear_at,
        "level": r.level,
        "action": r.action,
        "basis": r.basis,
    }


def alarm(a: Alarm) -> dict:
    """An alarm as JSON."""
    return {
        "id": a.id,
        "state": a.state,
        "level": a.level,
        "drill_id": a.drill_id,  # raised by a drill (演练)
        "rule_key": a.rule_key,
        "metric": a.metric,
        "direction": a.direction,
        "raise_at": a.raise_at,
        "clear_at": a.clear_at,
        "action": a.action,
        "sensor_id": a.sensor_id,
        "sensor_code": a.sensor.code if a.sensor else None,
        "hazard_point_id": a.hazard_point_id,
        "hazard_point_name": a.point.name if a.point else None,
        "jurisdiction_code": a.jurisdiction_code,
        "raised_at": a.raised_at,
        "created_at": a.created_at,
        "value": a.value,
        "peak_value": a.peak_value,
        "last_value": a.last_value,
        "acknowledged_at": a.acknowledged_at,
        "cleared_at": a.cleared_at,
        "warning_id": a.warning_id,
        "incident_id": a.incident_id,
        "note": a.note,
    }


def event(e: AlarmEvent) -> dict:
    """An alarm history event as JSON."""
    return {
        "at": e.at,
        "kind": e.kind,
        "user_id": e.user_id,
        "value": e.value,
        "note": e.note,
        "data": e.data,
    }


def rejection(r: Rejection) -> dict:
    """A rejected-reading counter as JSON."""
    return {
        "sensor_code": r.sensor_code,
        "reason": r.reason,
        "count": r.count,
        "first_at": r.first_at,
        "last_at": r.last_at,
        "last_sample": r.last_sample,
        "last_source": r.last_source,
    }

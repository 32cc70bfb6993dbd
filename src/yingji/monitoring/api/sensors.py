"""Sensors API: the registry and a sensor's series."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from yingji.auth.deps import CurrentPrincipal
from yingji.core.deps import DbSession
from yingji.monitoring import out, sensors
from yingji.monitoring.models import SENSOR_KINDS
from yingji.monitoring.schemas import (
    SensorIn,
    SensorOut,
    SensorPage,
    SensorPatch,
    SeriesOut,
)
from yingji.org.params import PageNo, PageSize, page_json, query_code

router = APIRouter()
SensorKind = Annotated[str | None, Query(pattern="^(" + "|".join(SENSOR_KINDS) + ")$")]


# -- sensors ---------------------------------------------------------------------------------------
@router.get("/sensors", response_model=SensorPage)
def list_sensors(
    principal: CurrentPrincipal,
    session: DbSession,
    q: str = "",
    kind: SensorKind = None,
    within: str | None = None,
    point_id: int | None = None,
    page: PageNo = 1,
    size: PageSize = 50,
):
    """Sensors in scope with their latest reading."""
    result = sensors.search(
        session,
        principal,
        q=q,
        kind=kind,
        within=query_code(within),
        point_id=point_id,
        page=page,
        size=size,
    )
    states = sensors.states(session, [s.id for s in result.items])
    return out.answer(page_json(result, lambda s: out.sensor(s, states.get(s.id))))


@router.post("/sensors", status_code=201, response_model=SensorOut)
def create_sensor(data: SensorIn, principal: CurrentPrincipal, session: DbSession):
    """Register a sensor at a point, an enterprise or a place."""
    return out.answer(out.sensor(sensors.create(session, principal, data)), 201)


@router.get("/sensors/{sensor_id}", response_model=SensorOut)
def get_sensor(sensor_id: int, principal: CurrentPrincipal, session: DbSession):
    """A sensor with its latest reading."""
    sensor = sensors.get(session, principal, sensor_id)
    return out.answer(out.sensor(sensor, sensors.states(session, [sensor.id]).get(sensor.id)))


@router.patch("/sensors/{sensor_id}", response_model=SensorOut)
def patch_sensor(sensor_id: int, data: SensorPatch, principal: CurrentPrincipal, session: DbSession):
    """Change a sensor (name, position, plausible range, on or off)."""
    return out.answer(out.sensor(sensors.update(session, principal, sensor_id, data)))


@router.get("/sensors/{sensor_id}/series", response_model=SeriesOut)
def sensor_series(
    sensor_id: int,
    principal: CurrentPrincipal,
    session: DbSession,
    hours: Annotated[int, Query(ge=1, le=24 * 366 * 2)] = 24,
) -> dict:
    """Readings for a chart: raw in the raw window, hourly or daily rollups beyond."""
    return sensors.series(session, principal, sensor_id, hours)

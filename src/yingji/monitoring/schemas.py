"""Input shapes of the monitoring API (validated by Pydantic) and the output shapes it answers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from yingji.core import idempotency
from yingji.core.text import Input
from yingji.incidents.schemas import check_key
from yingji.monitoring.models import ACTIONS, CONDITIONS, HAZARD_KINDS, LEVELS, METRICS, SENSOR_KINDS
from yingji.monitoring.parse import CODE
from yingji.org import codes


def _pattern(values: tuple[str, ...]) -> str:
    return "^(" + "|".join(values) + ")$"


def _division(value: str | None) -> str | None:
    if not value:
        return None
    return codes.field_code(value)


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError("give the time with its offset, e.g. 2026-06-03T08:30:00+08:00")
    return value


class PointIn(Input):
    """A hazard point (灾险点)."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    kind: str = Field(pattern=_pattern(HAZARD_KINDS))
    subtype: str | None = Field(default=None, max_length=20)
    code: str | None = Field(default=None, max_length=40, pattern=r"^[A-Za-z0-9_.\-]+$")
    jurisdiction_code: str | None = None
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    address: str | None = Field(default=None, max_length=200)
    threatened_households: int = Field(default=0, ge=0, le=1_000_000)
    threatened_people: int = Field(default=0, ge=0, le=10_000_000)
    monitor_person_id: int | None = None
    leader_person_id: int | None = None
    patrol_every_days: int | None = Field(default=None, ge=1, le=365)
    note: str | None = Field(default=None, max_length=4000)

    _code = field_validator("jurisdiction_code")(_division)


class PointPatch(Input):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=120)
    subtype: str | None = Field(default=None, max_length=20)
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    address: str | None = Field(default=None, max_length=200)
    threatened_households: int | None = Field(default=None, ge=0, le=1_000_000)
    threatened_people: int | None = Field(default=None, ge=0, le=10_000_000)
    monitor_person_id: int | None = None
    leader_person_id: int | None = None
    patrol_every_days: int | None = Field(default=None, ge=1, le=365)
    status: str | None = Field(default=None, pattern="^(active|closed)$")
    note: str | None = Field(default=None, max_length=4000)


class PatrolIn(Input):
    """A patrol log from the phone; ``client_key`` makes a resend land once."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    patrolled_at: datetime | None = None
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    accuracy_m: float | None = Field(default=None, ge=0, le=100_000)
    condition: str = Field(default="normal", pattern=_pattern(CONDITIONS))
    observations: str | None = Field(default=None, max_length=4000)
    photos: list[str] = Field(default_factory=list, max_length=6)  # data: URLs (base64)
    report_incident: bool = False  # a danger found: file an incident report at once
    idempotency_key: str | None = idempotency.client_key(min_length=None, max_length=None, chars=None)

    _key = field_validator("idempotency_key")(check_key)
    _time = field_validator("patrolled_at")(_aware)


class DangerIn(Input):
    """ "Find a hazard → report at once": a first incident report for the point."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    description: str = Field(min_length=1, max_length=10_000)
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    occurred_at: datetime | None = None
    threatened_people: int | None = Field(default=None, ge=0, le=10_000_000)
    reporter_phone: str | None = Field(default=None, max_length=30)
    idempotency_key: str | None = idempotency.client_key(min_length=None, max_length=None, chars=None)

    _key = field_validator("idempotency_key")(check_key)
    _time = field_validator("occurred_at")(_aware)


class SensorIn(Input):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    code: str = Field(max_length=64)
    name: str = Field(min_length=1, max_length=120)
    kind: str = Field(pattern=_pattern(SENSOR_KINDS))
    hazard_point_id: int | None = None
    target_kind: str | None = Field(default=None, pattern="^(enterprise)$")
    target_id: int | None = None
    jurisdiction_code: str | None = None
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    valid_min: float | None = None
    valid_max: float | None = None
    installed_at: datetime | None = None
    note: str | None = Field(default=None, max_length=4000)

    _code = field_validator("jurisdiction_code")(_division)
    _time = field_validator("installed_at")(_aware)

    @field_validator("code")
    @classmethod
    def _sensor_code(cls, value: str) -> str:
        if not CODE.match(value):
            raise ValueError("1 to 64 letters, digits or ._- (it is the last level of the MQTT topic)")
        return value


class SensorPatch(Input):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=120)
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    valid_min: float | None = None
    valid_max: float | None = None
    active: bool | None = None
    note: str | None = Field(default=None, max_length=4000)


class RuleIn(Input):
    """An alarm rule for a point, or for a jurisdiction's subtree."""

    model_config = ConfigDict(extra="forbid")

    hazard_point_id: int | None = None
    jurisdiction_code: str | None = None
    sensor_kind: str = Field(pattern=_pattern(SENSOR_KINDS))
    metric: str = Field(pattern=_pattern(METRICS))
    direction: str = Field(default="above", pattern="^(above|below)$")
    raise_at: float
    clear_at: float
    level: str = Field(pattern=_pattern(LEVELS))
    action: str = Field(default="notify", pattern=_pattern(ACTIONS))
    enabled: bool = True
    basis: str | None = Field(default=None, max_length=300)

    _code = field_validator("jurisdiction_code")(_division)


class RulePatch(Input):
    model_config = ConfigDict(extra="forbid")

    direction: str | None = Field(default=None, pattern="^(above|below)$")
    raise_at: float | None = None
    clear_at: float | None = None
    level: str | None = Field(default=None, pattern=_pattern(LEVELS))
    action: str | None = Field(default=None, pattern=_pattern(ACTIONS))
    enabled: bool | None = None
    basis: str | None = Field(default=None, max_length=300)


class AlarmNoteIn(Input):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    note: str = Field(default="", max_length=2000)


# -- output shapes (monitoring/out.py builds them; the API routes name them as response_model) ----
class PointOut(BaseModel):
    id: int
    code: str | None
    name: str
    kind: str
    subtype: str | None
    jurisdiction_code: str
    grid_cell_id: int | None
    lon: float | None
    lat: float | None
    address: str | None
    threatened_households: int
    threatened_people: int
    monitor_person_id: int | None
    leader_person_id: int | None
    patrol_every_days: int | None  # its own, else the catalog's for the season
    last_patrol_at: datetime | None
    patrol_due_at: datetime | None
    status: str
    note: str | None


class PointPage(BaseModel):
    items: list[PointOut]
    total: int
    page: int
    size: int


class PersonRefOut(BaseModel):
    id: int
    name: str
    mobile: str | None  # masked unless the principal may see phones
    title: str | None


class GridPersonOut(PersonRefOut):
    role: str


class SensorOut(BaseModel):
    id: int
    code: str
    name: str
    kind: str
    unit: str | None
    hazard_point_id: int | None
    target_kind: str | None
    target_id: int | None
    jurisdiction_code: str | None
    lon: float | None
    lat: float | None
    valid_min: float | None
    valid_max: float | None
    active: bool
    installed_at: datetime | None
    last_at: datetime | None
    last_value: float | None
    readings_total: int


class SensorPage(BaseModel):
    items: list[SensorOut]
    total: int
    page: int
    size: int


class PointDetailOut(PointOut):
    monitor: PersonRefOut | None
    leader: PersonRefOut | None
    grid: list[GridPersonOut]
    sensors: list[SensorOut]


class PatrolOut(BaseModel):
    id: int
    hazard_point_id: int
    patrolled_at: datetime
    received_at: datetime
    patroller_name: str | None
    lon: float | None
    lat: float | None
    accuracy_m: float | None
    distance_m: float | None  # from the point: how far the patroller was
    condition: str
    observations: str | None
    photo_count: int
    photos: list[str]  # the photos' API addresses
    incident_id: int | None


class PatrolPage(BaseModel):
    items: list[PatrolOut]
    total: int
    page: int
    size: int


class DangerReportOut(BaseModel):
    incident_id: int
    number: str
    url: str


class RejectionOut(BaseModel):
    sensor_code: str
    reason: str
    count: int
    first_at: datetime
    last_at: datetime
    last_sample: str | None
    last_source: str | None


class RejectionPage(BaseModel):
    items: list[RejectionOut]
    total: int
    page: int
    size: int
    by_reason: dict[str, int]


class RuleOut(BaseModel):
    id: int
    key: str  # rule:<id>, as alarms name it
    jurisdiction_code: str | None
    hazard_point_id: int | None
    sensor_kind: str
    metric: str
    direction: str
    raise_at: float
    clear_at: float
    level: str
    action: str
    enabled: bool
    basis: str | None


class RuleBookEntryOut(BaseModel):
    key: str
    source: str
    sensor_kind: str
    metric: str
    direction: str
    raise_at: float
    clear_at: float
    level: str
    action: str
    basis: str | None


class AlarmOut(BaseModel):
    id: int
    state: str
    level: str
    drill_id: int | None
    rule_key: str
    metric: str
    direction: str
    raise_at: float
    clear_at: float
    action: str
    sensor_id: int | None
    sensor_code: str | None
    hazard_point_id: int | None
    hazard_point_name: str | None
    jurisdiction_code: str
    raised_at: datetime
    created_at: datetime
    value: float | None
    peak_value: float | None
    last_value: float | None
    acknowledged_at: datetime | None
    cleared_at: datetime | None
    warning_id: int | None
    incident_id: int | None
    note: str | None


class AlarmEventOut(BaseModel):
    at: datetime
    kind: str
    user_id: int | None
    value: float | None
    note: str | None
    data: dict[str, Any] | None


class AlarmDetailOut(AlarmOut):
    events: list[AlarmEventOut]


class AlarmPage(BaseModel):
    items: list[AlarmOut]
    total: int
    page: int
    counts: dict[str, int]  # the board's open alarms by level


class CatalogOut(BaseModel):
    """The packaged tables (rules/monitoring_*.json, each entry with its basis), as they are."""

    hazard_kinds: list[dict[str, Any]]
    sensor_kinds: list[dict[str, Any]]
    seasons: dict[str, dict[str, Any]]
    default_rules: list[dict[str, Any]]


class SeriesOut(BaseModel):
    sensor: str
    kind: str
    unit: str | None
    accumulates: bool  # rain: rollups are sums, else averages
    resolution: str  # raw | hour | day
    points: list[list[str | float | None]]  # [UTC time, value]
    bands: list[list[str | float | None]]  # [UTC time, min, max] of each rollup


class IngestOut(BaseModel):
    accepted: int
    rejected: int
    rejected_by_reason: dict[str, int]
    alarms_raised: int
    alarms_cleared: int

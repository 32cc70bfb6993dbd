"""Input and output shapes of evacuation. The contract between the service (orders, marks, tally)
and the pages, the phone, the shelters' check-in and the overview."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from yingji.core import idempotency
from yingji.core.text import Input
from yingji.evacuation.codes import HouseholdState, MarkOutcome, OrderSource, OrderState, TaskState


class OrderIn(Input):
    """Issue an order. The area is ``area_codes`` (division codes: towns, villages, groups) or, for
    a source with an area of its own, the source's (a warning's area, a hazard point's threat list)."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    title: str = Field(min_length=2, max_length=200)
    source: OrderSource = OrderSource.MANUAL
    area_codes: list[str] = Field(default_factory=list, max_length=500)
    warning_id: int | None = None
    alarm_id: int | None = None
    incident_id: int | None = None
    hazard_point_id: int | None = None
    hazard_kind: str | None = Field(default=None, max_length=20)
    reason: str | None = Field(default=None, max_length=2000)
    client_key: str | None = idempotency.client_key(chars=None)


class LiftIn(Input):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    note: str = Field(min_length=2, max_length=2000)


class MarkIn(Input):
    """One household mark from the field. ``marked_at`` is the phone's clock when the worker tapped."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    household_id: int
    state: HouseholdState
    marked_at: datetime
    client_key: str = idempotency.client_key(required=True, chars=None)
    shelter_id: int | None = None  # with SHELTERED
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    note: str | None = Field(default=None, max_length=200)
    override_note: str | None = Field(default=None, max_length=200)  # to mark again on purpose


class MarksIn(Input):
    """A phone's batch (its offline outbox, flushed when the signal comes back)."""

    model_config = ConfigDict(extra="forbid")

    marks: list[MarkIn] = Field(min_length=1, max_length=500)


class MarkResult(BaseModel):
    client_key: str
    household_id: int
    outcome: MarkOutcome
    state: HouseholdState  # the household's state in force after this batch
    message: str | None = None  # translated, for SAME / STALE / REFUSED


class MarksOut(BaseModel):
    order_id: int
    results: list[MarkResult]


class Count(BaseModel):
    households: int = 0
    people: int = 0


class Tally(BaseModel):
    """threatened = moved + sheltered + safe_elsewhere + unaccounted + returned, households and people."""

    threatened: Count
    moved: Count
    sheltered: Count
    safe_elsewhere: Count
    unaccounted: Count
    returned: Count
    refused: Count  # of which, in unaccounted: at home and refusing
    not_home: Count  # of which, in unaccounted
    vulnerable_unaccounted: int = 0  # vulnerable people still unaccounted


class TallyRow(Tally):
    code: str  # the place (town, village or group)
    name: str


class TallyOut(Tally):
    order_id: int
    state: OrderState
    as_of: datetime
    level: str  # the rows' level: county, town, village or group
    rows: list[TallyRow]


class UnaccountedOut(BaseModel):
    """A household still unaccounted, named with its grid worker(s)."""

    household_id: int
    jurisdiction_code: str
    place: str
    household: str
    head_name: str
    mobile: str | None  # masked unless the reader may see phones
    people: int
    vulnerable: int
    state: HouseholdState
    grid_cell_id: int | None
    workers: list[str]  # "name 138****0000"


class OrderOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    title: str
    jurisdiction_code: str
    area_codes: list[str]
    source: OrderSource
    warning_id: int | None
    alarm_id: int | None
    incident_id: int | None
    hazard_point_id: int | None
    drill_id: int | None
    state: OrderState
    reason: str | None
    ordered_at: datetime
    lifted_at: datetime | None
    households_total: int
    people_total: int


class OrderPageOut(BaseModel):
    items: list[OrderOut]
    total: int
    page: int
    size: int


class TaskOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    order_id: int
    grid_cell_id: int
    jurisdiction_code: str
    state: TaskState
    households_total: int
    people_total: int
    vulnerable_total: int
    assignee_ids: list[int] = Field(default_factory=list)
    # Added by the service for the phone's list (not columns of the task).
    order_title: str | None = None
    order_state: OrderState | None = None
    cell_name: str | None = None
    households_done: int = 0


class HouseholdOut(BaseModel):
    """A household on a worker's list (vulnerable first)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    jurisdiction_code: str
    household: str
    head_name: str
    mobile: str | None
    people: int
    vulnerable: int
    state: HouseholdState
    shelter_id: int | None
    marked_at: datetime | None
    order_id: int | None = None
    grid_cell_id: int | None = None
    note: str | None = None


class ThreatHouseholdIn(Input):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    jurisdiction_code: str = Field(min_length=9, max_length=15, pattern=r"^[0-9]+$")
    household: str = Field(min_length=1, max_length=40)
    note: str | None = Field(default=None, max_length=200)


class ThreatsIn(Input):
    """A hazard point's threat list (威胁对象), replacing the one before: households named one by one
    and/or every household of whole places (village groups)."""

    model_config = ConfigDict(extra="forbid")

    households: list[ThreatHouseholdIn] = Field(default_factory=list, max_length=5000)
    places: list[str] = Field(default_factory=list, max_length=50)


class ThreatOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    hazard_point_id: int
    jurisdiction_code: str
    household: str
    people: int
    note: str | None = None
    head_name: str | None = None
    vulnerable: int = 0


class ThreatListOut(BaseModel):
    hazard_point_id: int
    households: int
    people: int
    items: list[ThreatOut]


class ThreatenedHousehold(BaseModel):
    """A household threatened by a warning's area (vulnerable first)."""

    jurisdiction_code: str
    place: str
    household: str
    head_name: str
    mobile: str | None
    people: int
    vulnerable: int


class ThreatenedOut(BaseModel):
    """Who a warning's area threatens (威胁户数 / 人数), from the resident registry."""

    warning_id: int
    households: int
    people: int
    vulnerable_people: int
    areas: list[str]
    items: list[ThreatenedHousehold]


class RouteIn(Input):
    """A village group's planned shelter and route (转移路线)."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    jurisdiction_code: str = Field(min_length=9, max_length=15, pattern=r"^[0-9]+$")
    hazard_kind: str = Field(default="any", max_length=20, pattern=r"^[a-z_]+$")
    hazard_point_id: int | None = None
    shelter_id: int | None = None
    path: str | None = Field(default=None, max_length=200_000)  # GeoJSON LineString
    distance_m: int | None = Field(default=None, ge=0, le=500_000)
    minutes: int | None = Field(default=None, ge=0, le=10_000)
    assembly_point: str | None = Field(default=None, max_length=120)
    note: str | None = Field(default=None, max_length=2000)


class RoutePatch(Input):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    hazard_point_id: int | None = None
    shelter_id: int | None = None
    path: str | None = Field(default=None, max_length=200_000)
    distance_m: int | None = Field(default=None, ge=0, le=500_000)
    minutes: int | None = Field(default=None, ge=0, le=10_000)
    assembly_point: str | None = Field(default=None, max_length=120)
    note: str | None = Field(default=None, max_length=2000)


class RouteOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    jurisdiction_code: str
    hazard_kind: str
    hazard_point_id: int | None
    shelter_id: int | None
    path: str | None
    distance_m: int | None
    minutes: int | None
    assembly_point: str | None
    note: str | None
    place: str | None = None
    shelter_name: str | None = None

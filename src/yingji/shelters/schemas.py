"""Input and output shapes of the shelters."""

from __future__ import annotations

import json
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from yingji.core import idempotency
from yingji.core.text import Input
from yingji.org import codes as division_codes
from yingji.org.schemas import OFFICE_PHONE, check_mobile
from yingji.shelters.codes import ShelterClass, ShelterLevel, SpaceType
from yingji.shelters.labels import FACILITY_LABELS


def _place(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return division_codes.normalise(value)
    except ValueError:
        raise ValueError("not a division code") from None


def _facilities(value: dict | None) -> dict | None:
    if value is None:
        return None
    out = {}
    for k, v in value.items():
        if k not in FACILITY_LABELS:
            raise ValueError(f"unknown facility: {k}")
        if isinstance(v, bool) or v is None:
            out[k] = bool(v)
        elif isinstance(v, int) and 0 <= v <= 100_000:
            out[k] = v  # a count (toilets: 12)
        else:
            raise ValueError(f"facility {k}: true, false or a count")
    return out


def _outline(value: str | None) -> str | None:
    if not value:
        return None
    try:
        doc = json.loads(value)
    except ValueError:
        raise ValueError("not GeoJSON") from None
    geom = doc.get("geometry", doc) if isinstance(doc, dict) else None
    if not isinstance(geom, dict) or geom.get("type") not in ("Polygon", "MultiPolygon"):
        raise ValueError("the outline must be a GeoJSON Polygon")
    return json.dumps(geom, separators=(",", ":"))


def _phone(value: str | None) -> str | None:
    if value and not OFFICE_PHONE.match(value):
        raise ValueError("not a phone number")
    return value or None


class ManagerIn(Input):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")
    name: str = Field(min_length=1, max_length=60)
    mobile: str | None = None
    phone: str | None = Field(None, max_length=30)
    duty: str | None = Field(None, max_length=60)
    primary: bool = False
    person_id: int | None = None

    _mobile = field_validator("mobile")(check_mobile)
    _phone = field_validator("phone")(_phone)


class _ShelterBase(Input):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    _place = field_validator("jurisdiction_code", check_fields=False)(_place)
    _fac = field_validator("facilities", check_fields=False)(_facilities)
    _outline = field_validator("outline", check_fields=False)(_outline)


class ShelterIn(_ShelterBase):
    code: str | None = Field(None, max_length=40, pattern=r"^[A-Za-z0-9_\-]+$")  # given when empty
    name: str = Field(min_length=1, max_length=120)
    level: ShelterLevel
    shelter_class: ShelterClass
    space_type: SpaceType = SpaceType.OUTDOOR
    hazards: list[str] = Field(default_factory=list, max_length=20)
    jurisdiction_code: str
    address: str | None = Field(None, max_length=200)
    lon: float | None = Field(None, ge=73, le=136)
    lat: float | None = Field(None, ge=3, le=54)
    outline: str | None = Field(None, max_length=200_000)
    total_area_m2: float | None = Field(None, ge=0, le=1e8)
    usable_area_m2: float | None = Field(None, ge=0, le=1e8)
    area_per_person_m2: float | None = Field(None, gt=0, le=100)
    capacity: int | None = Field(None, ge=0, le=10_000_000)  # the registry's own figure, else computed
    service_radius_m: int | None = Field(None, ge=0, le=100_000)
    duration_days: int | None = Field(None, ge=0, le=3650)
    facilities: dict = Field(default_factory=dict)
    entrances: int | None = Field(None, ge=0, le=1000)
    signage_ok: bool | None = None
    dual_use: bool = True
    managing_unit: str | None = Field(None, max_length=120)
    standard: str | None = Field(None, max_length=60)
    note: str | None = Field(None, max_length=2000)
    managers: list[ManagerIn] = Field(default_factory=list, max_length=20)


class ShelterPatch(_ShelterBase):
    name: str | None = Field(None, min_length=1, max_length=120)
    level: ShelterLevel | None = None
    shelter_class: ShelterClass | None = None
    space_type: SpaceType | None = None
    hazards: list[str] | None = Field(None, max_length=20)
    jurisdiction_code: str | None = None
    address: str | None = Field(None, max_length=200)
    lon: float | None = Field(None, ge=73, le=136)
    lat: float | None = Field(None, ge=3, le=54)
    outline: str | None = Field(None, max_length=200_000)
    total_area_m2: float | None = Field(None, ge=0, le=1e8)
    usable_area_m2: float | None = Field(None, ge=0, le=1e8)
    area_per_person_m2: float | None = Field(None, gt=0, le=100)
    capacity: int | None = Field(None, ge=0, le=10_000_000)  # null: computed from the area again
    service_radius_m: int | None = Field(None, ge=0, le=100_000)
    duration_days: int | None = Field(None, ge=0, le=3650)
    facilities: dict | None = None
    entrances: int | None = Field(None, ge=0, le=1000)
    signage_ok: bool | None = None
    dual_use: bool | None = None
    managing_unit: str | None = Field(None, max_length=120)
    standard: str | None = Field(None, max_length=60)
    note: str | None = Field(None, max_length=2000)
    managers: list[ManagerIn] | None = Field(None, max_length=20)


class OpenIn(Input):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")
    order_id: int | None = None  # the evacuation order it opens for
    note: str | None = Field(None, max_length=500)


class CloseIn(Input):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")
    note: str | None = Field(None, max_length=500)
    override_note: str | None = Field(None, max_length=500)  # close while people are in (audited)


class InspectionIn(Input):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")
    on: date
    by_name: str | None = Field(None, max_length=60)
    passed: bool = True
    findings: dict = Field(default_factory=dict)
    note: str | None = Field(None, max_length=2000)


class CheckInIn(Input):
    """A check-in: by resident (found by ID number, phone or household), or a walk-in by name."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")
    client_key: str = idempotency.client_key(required=True)
    resident_id: int | None = None
    home_code: str | None = None  # household's group or village (with ``household``)
    household: str | None = Field(None, max_length=40)
    id_number: str | None = Field(None, max_length=30)  # hashed on arrival, never stored
    name: str | None = Field(None, max_length=60)
    mobile: str | None = None
    people: int = Field(1, ge=1, le=200)
    vulnerable: int = Field(0, ge=0, le=200)
    needs: str | None = Field(None, max_length=500)
    zone: str | None = Field(None, max_length=40)
    override_note: str | None = Field(None, max_length=500)

    _mobile = field_validator("mobile")(check_mobile)
    _home = field_validator("home_code")(_place)


class CheckOutIn(Input):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")
    client_key: str = idempotency.client_key(required=True)


class ManagerOut(BaseModel):
    id: int
    name: str
    mobile: str | None
    phone: str | None
    duty: str | None
    primary: bool


class ShelterOut(BaseModel):
    id: int
    code: str
    name: str
    level: str
    level_label: str
    shelter_class: str
    class_label: str
    space_type: str
    space_label: str
    jurisdiction_code: str
    jurisdiction_name: str
    address: str | None
    lon: float | None
    lat: float | None
    total_area_m2: float | None
    usable_area_m2: float | None
    area_per_person_m2: float  # in force (the registry's or the class's)
    capacity: int
    capacity_stated: bool
    occupancy: int
    households_in: int
    free: int
    status: str
    status_label: str
    service_radius_m: int
    duration_days: int | None
    facilities: dict
    entrances: int | None
    signage_ok: bool | None
    dual_use: bool
    managing_unit: str | None
    standard: str | None
    opened_at: datetime | None
    last_inspected_at: datetime | None
    note: str | None
    managers: list[ManagerOut]
    warnings: list[str]


class ShelterPageOut(BaseModel):
    items: list[ShelterOut]
    total: int
    page: int
    size: int


class EventOut(BaseModel):
    id: int
    kind: str
    kind_label: str
    at: datetime
    occupancy: int
    order_id: int | None
    note: str | None


class StayOut(BaseModel):
    id: int
    shelter_id: int
    name: str
    id_tail: str | None
    mobile: str | None
    home_code: str | None
    household: str | None
    people: int
    vulnerable: int
    needs: str | None
    zone: str | None
    state: str
    checked_in_at: datetime
    checked_out_at: datetime | None
    household_id: int | None
    order_id: int | None
    override_note: str | None


class InspectionOut(BaseModel):
    id: int
    on: date
    by_name: str | None
    passed: bool
    findings: dict
    note: str | None


class FacilityOut(BaseModel):
    key: str
    name: str
    required: bool
    present: bool


class ShelterDetailOut(ShelterOut):
    checklist: list[FacilityOut]
    events: list[EventOut]
    stays: list[StayOut]
    inspections: list[InspectionOut]


class PersonOut(BaseModel):
    """A resident found for a check-in (phone masked for roles without it)."""

    resident_id: int
    name: str
    id_tail: str | None
    mobile: str | None
    home_code: str
    home_name: str
    household: str
    household_size: int
    vulnerable: int


class CheckInOut(BaseModel):
    stay: StayOut
    occupancy: int
    capacity: int
    status: str
    created: bool  # false: the same client_key again (nothing changed)
    evacuation_marked: bool


class NearestOut(BaseModel):
    shelter_id: int
    code: str
    name: str
    jurisdiction_name: str
    minutes: float
    distance_km: float
    free: int
    capacity: int
    status: str
    status_label: str
    method: str


class NearestListOut(BaseModel):
    origin: dict
    needed: int
    items: list[NearestOut]


class ImportOut(BaseModel):
    kind: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0


class StandardsOut(BaseModel):
    """The shelter rule data in force, per class (GB 21734 classes; the settings applied)."""

    version: str
    source: str
    area_per_person_m2: dict[str, float]
    service_radius_m: dict[str, int | float]
    required_facilities: dict[str, list[str]]

"""Shapes of the forces API: inputs validated by Pydantic; outputs (the dicts of ``out.py``) described."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator

from yingji.core import idempotency
from yingji.core.text import Input
from yingji.forces import codes
from yingji.org import codes as division_codes
from yingji.org.schemas import check_mobile
from yingji.warnings.schemas import Stamp  # times as isoformat(), the JSON clients had


def _division(value: str) -> str:
    return division_codes.field_code(value)


def _kind(value: str) -> str:
    if value not in codes.TEAM_KINDS:
        raise ValueError("unknown team kind")
    return value


def _capabilities(value: list[str] | None) -> list[str] | None:
    if value is None:
        return None
    unknown = [v for v in value if v not in codes.CAPABILITIES]
    if unknown:
        raise ValueError(f"unknown capabilities: {', '.join(unknown)}")
    return codes.split_codes(",".join(value))


def _squad(value: str | None) -> str | None:
    if value in (None, ""):
        return None
    if value not in codes.SQUADS:
        raise ValueError("unknown squad")
    return value


class _Location(Input):
    lon: float | None = Field(default=None, ge=70, le=140)
    lat: float | None = Field(default=None, ge=0, le=60)


class TeamIn(_Location):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    code: str = Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9_.:\-]+$")
    name: str = Field(min_length=1, max_length=120)
    kind: str
    jurisdiction_code: str
    address: str | None = Field(default=None, max_length=200)
    organisation: str | None = Field(default=None, max_length=120)
    duty_phone: str | None = Field(default=None, max_length=30)
    capabilities: list[str] | None = None  # None: the kind's defaults
    registration_no: str | None = Field(default=None, max_length=60)
    registered_on: date | None = None
    registered_with: str | None = Field(default=None, max_length=120)
    capability_grade: str | None = Field(default=None, pattern="^(light|medium|heavy)$")
    graded_on: date | None = None
    insurance_until: date | None = None
    note: str | None = Field(default=None, max_length=2000)

    _k = field_validator("kind")(_kind)
    _j = field_validator("jurisdiction_code")(_division)
    _c = field_validator("capabilities")(_capabilities)


class TeamPatch(_Location):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=120)
    kind: str | None = None
    address: str | None = Field(default=None, max_length=200)
    organisation: str | None = Field(default=None, max_length=120)
    duty_phone: str | None = Field(default=None, max_length=30)
    capabilities: list[str] | None = None
    registration_no: str | None = Field(default=None, max_length=60)
    registered_on: date | None = None
    registered_with: str | None = Field(default=None, max_length=120)
    capability_grade: str | None = Field(default=None, pattern="^(light|medium|heavy)$")
    graded_on: date | None = None
    insurance_until: date | None = None
    active: bool | None = None
    note: str | None = Field(default=None, max_length=2000)

    @field_validator("kind")
    @classmethod
    def _k(cls, v):
        return None if v is None else _kind(v)

    _c = field_validator("capabilities")(_capabilities)


class CertificateIn(Input):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    name: str = Field(min_length=1, max_length=80)
    number: str | None = Field(default=None, max_length=60)
    expires_on: date | None = None


class MemberIn(Input):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    name: str = Field(min_length=1, max_length=60)
    gender: str | None = Field(default=None, pattern="^[MF]$")
    mobile: str | None = None
    person_id: int | None = None
    role: str = Field(default="member", pattern="^(leader|deputy|member)$")
    squad: str | None = None
    skills: str | None = Field(default=None, max_length=300)
    insurance_until: date | None = None
    available: bool = True
    note: str | None = Field(default=None, max_length=2000)
    certificates: list[CertificateIn] = Field(default_factory=list, max_length=30)

    _m = field_validator("mobile")(check_mobile)
    _s = field_validator("squad")(_squad)


class MemberPatch(Input):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=60)
    gender: str | None = Field(default=None, pattern="^[MF]$")
    mobile: str | None = None
    person_id: int | None = None
    role: str | None = Field(default=None, pattern="^(leader|deputy|member)$")
    squad: str | None = None
    skills: str | None = Field(default=None, max_length=300)
    insurance_until: date | None = None
    available: bool | None = None
    note: str | None = Field(default=None, max_length=2000)
    certificates: list[CertificateIn] | None = Field(default=None, max_length=30)  # replaces the list

    _m = field_validator("mobile")(check_mobile)
    _s = field_validator("squad")(_squad)


class EquipmentIn(Input):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    category: str = Field(pattern="^(vehicle|equipment)$")
    name: str = Field(min_length=1, max_length=80)
    model: str | None = Field(default=None, max_length=80)
    plate: str | None = Field(default=None, max_length=20)
    quantity: int = Field(default=1, ge=0, le=100_000)
    state: str = Field(default="good", pattern="^(good|repair|retired)$")
    note: str | None = Field(default=None, max_length=200)


class ReadinessIn(Input):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    state: str = Field(pattern="^(on_call|deployed|resting|unavailable)$")
    note: str | None = Field(default=None, max_length=200)
    client_key: str | None = idempotency.client_key(max_length=80)


class DispatchIn(Input):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    team_ids: list[int] = Field(min_length=1, max_length=50)
    client_key: str = idempotency.client_key(required=True, max_length=80)
    capabilities: list[str] | None = None  # the needs the recommendation was made for (for the reason)

    _c = field_validator("capabilities")(_capabilities)


# -- what the routes answer (the dicts of ``out.py``, field for field and in order) ------------------
class LeaderOut(BaseModel):
    id: int
    name: str
    mobile: str | None


class TeamOut(BaseModel):
    id: int
    code: str
    name: str
    kind: str
    kind_label: str
    group: str
    jurisdiction_code: str
    division_code: str
    jurisdiction_name: str
    lon: float | None
    lat: float | None
    address: str | None
    organisation: str | None
    duty_phone: str | None
    capabilities: list[str]
    readiness: str
    readiness_since: Stamp | None
    readiness_note: str | None
    deployed_incident_id: int | None
    member_count: int
    leader: LeaderOut | None
    registration_no: str | None
    registered_on: date | None
    registered_with: str | None
    capability_grade: str | None
    graded_on: date | None
    insurance_until: date | None
    active: bool
    note: str | None
    updated_at: Stamp | None


class TeamPageOut(BaseModel):
    items: list[TeamOut]
    total: int
    page: int
    size: int


class CertificateOut(BaseModel):
    id: int
    name: str
    number: str | None
    expires_on: date | None


class MemberOut(BaseModel):
    id: int
    team_id: int
    team_name: str
    jurisdiction_code: str
    person_id: int | None
    name: str
    gender: str | None
    mobile: str | None
    role: str
    squad: str | None
    skills: str | None
    insurance_until: date | None
    available: bool
    note: str | None
    certificates: list[CertificateOut]


class EquipmentOut(BaseModel):
    id: int
    team_id: int
    category: str
    name: str
    model: str | None
    plate: str | None
    quantity: int
    state: str
    note: str | None


class TeamDetailOut(TeamOut):
    members: list[MemberOut]
    equipment: list[EquipmentOut]


class ReadinessChangeOut(BaseModel):
    id: int
    team_id: int
    at: Stamp
    from_state: str | None
    to_state: str
    note: str | None
    incident_id: int | None
    actor: str | None


class ReadinessSetOut(BaseModel):
    change: ReadinessChangeOut
    team: TeamOut


class BoardPlaceOut(BaseModel):
    code: str
    name: str


class BoardRowOut(BaseModel):
    code: str
    name: str
    teams: dict[str, int]
    total: int
    members_on_call: int


class BoardOut(BaseModel):
    place: BoardPlaceOut
    totals: BoardRowOut
    groups: dict[str, dict[str, int]]
    places: list[BoardRowOut]


class FindingOut(BaseModel):
    kind: str
    jurisdiction_code: str
    place: str
    team_id: int | None
    team_name: str | None
    member_id: int | None
    member_name: str | None
    what: str | None
    on: date | None


class ChecksOut(BaseModel):
    today: date
    days: int
    counts: dict[str, int]
    labels: dict[str, str]
    items: dict[str, list[FindingOut]]


class RecommendationOut(BaseModel):
    team_id: int
    name: str
    kind: str
    jurisdiction_code: str
    readiness: str
    minutes: float
    km: float
    by_road: bool
    members: int
    capabilities: list[str]
    reason: str


class NearestOut(BaseModel):
    capabilities: list[str]
    teams: list[RecommendationOut]


class TeamDispatchOut(BaseModel):
    id: int
    incident_id: int
    team_id: int
    team_name: str
    state: str
    committed_at: Stamp
    committed_by: str | None
    travel_minutes: float | None
    reason: str | None
    returned_at: Stamp | None


class TeamRecommendationsOut(BaseModel):
    incident_id: int
    capabilities: list[str]
    recommendations: list[RecommendationOut]
    dispatched: list[TeamDispatchOut]


class TeamsDispatchedOut(BaseModel):
    incident_id: int
    dispatched: list[TeamDispatchOut]


class RoadNetworkInfoOut(BaseModel):
    id: int
    name: str
    loaded_at: Stamp
    loaded_by: str | None
    nodes: int
    edges: int


class RoadsOut(BaseModel):
    method: str
    network: RoadNetworkInfoOut | None

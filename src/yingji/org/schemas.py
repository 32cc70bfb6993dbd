"""Input and output shapes of the organisation API (validated by Pydantic)."""

from __future__ import annotations

import re
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from yingji.core.stamp import Stamp
from yingji.core.text import Input
from yingji.org import codes

MOBILE = re.compile(r"^1[3-9]\d{9}$")
OFFICE_PHONE = re.compile(r"^[0-9\-+() ]{5,30}$")


def _code(value: str) -> str:
    return codes.field_code(value)


def check_mobile(value: str | None) -> str | None:
    if value in (None, ""):
        return None
    value = re.sub(r"[\s-]", "", str(value))
    if value.startswith("+86"):
        value = value[3:]
    if not MOBILE.match(value):
        raise ValueError("not a mainland mobile number (11 digits starting with 1)")
    return value


class PersonIn(Input):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    name: str = Field(min_length=1, max_length=60)
    gender: str | None = Field(default=None, pattern="^[MF]$")
    mobile: str | None = None
    office_phone: str | None = Field(default=None, max_length=30)
    email: str | None = Field(default=None, max_length=120)
    title: str | None = Field(default=None, max_length=100)
    jurisdiction_code: str
    note: str | None = Field(default=None, max_length=2000)

    _mobile = field_validator("mobile")(check_mobile)
    _jur = field_validator("jurisdiction_code")(_code)

    @field_validator("office_phone")
    @classmethod
    def _office(cls, v):
        if v and not OFFICE_PHONE.match(v):
            raise ValueError("not a phone number")
        return v or None


class PersonPatch(Input):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=60)
    gender: str | None = Field(default=None, pattern="^[MF]$")
    mobile: str | None = None
    office_phone: str | None = Field(default=None, max_length=30)
    email: str | None = Field(default=None, max_length=120)
    title: str | None = Field(default=None, max_length=100)
    jurisdiction_code: str | None = None
    note: str | None = Field(default=None, max_length=2000)
    active: bool | None = None

    _mobile = field_validator("mobile")(check_mobile)

    @field_validator("jurisdiction_code")
    @classmethod
    def _jur(cls, v):
        return None if v is None else _code(v)


class PositionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    unit_id: int
    unit_name: str
    title: str
    role: str


class GridRoleOut(BaseModel):
    id: int
    grid_cell_id: int
    grid_cell_name: str
    level: int
    role: str


class PersonOut(BaseModel):
    id: int
    name: str
    gender: str | None
    mobile: str | None
    office_phone: str | None
    email: str | None
    title: str | None
    jurisdiction_code: str
    jurisdiction_name: str
    active: bool
    note: str | None
    positions: list[PositionOut] = []
    grid_roles: list[GridRoleOut] = []
    updated_at: datetime


class JurisdictionOut(BaseModel):
    code: str
    division_code: str
    name: str
    level: str
    parent_code: str | None
    lon: float | None
    lat: float | None


class PlaceCountsOut(BaseModel):
    code: str
    name: str
    level: str
    counts: dict[str, int]


class GridCellOut(BaseModel):
    id: int
    code: str
    name: str
    level: int
    jurisdiction_code: str
    parent_id: int | None
    households: int | None
    population: int | None
    leaders: list[dict] = []
    workers: list[dict] = []


class AssignmentIn(Input):
    model_config = ConfigDict(extra="forbid")
    person_id: int
    role: str = Field(pattern="^(leader|worker)$")
    duties: str | None = Field(default=None, max_length=1000)


class UnitIn(Input):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")
    code: str = Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9_.:\-]+$")
    name: str = Field(min_length=1, max_length=120)
    kind: str
    topic: str | None = None
    parent_id: int | None = None
    jurisdiction_code: str
    duty_phone: str | None = Field(default=None, max_length=30)
    address: str | None = Field(default=None, max_length=200)
    responsibilities: list[str] = Field(default_factory=list)

    _jur = field_validator("jurisdiction_code")(_code)


class UnitPatch(Input):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=120)
    topic: str | None = None
    duty_phone: str | None = Field(default=None, max_length=30)
    address: str | None = Field(default=None, max_length=200)
    responsibilities: list[str] | None = None


class PositionIn(Input):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")
    person_id: int
    title: str = Field(min_length=1, max_length=60)
    role: str = "member"


class PickOut(BaseModel):
    """A person offered by the people picker (mobile masked as the role requires)."""

    id: int
    name: str
    label: str
    place: str
    mobile: str | None


# -- directory (找对人) ------------------------------------------------------------------------
class DirectoryPlaceOut(BaseModel):
    code: str
    name: str
    level: str
    path: str  # 碧江区 · 环北街道 · 北门社区


class DirectoryTopicOut(BaseModel):
    code: str
    label: str


class DirectoryContactOut(BaseModel):
    person_id: int
    name: str
    title: str | None
    mobile: str | None  # masked unless the role may see numbers
    office_phone: str | None
    place_code: str
    place_name: str
    place_path: str
    unit_id: int | None
    unit_name: str | None
    post: str | None
    role: str | None
    reason: str  # translated


class DirectoryDutyPersonOut(BaseModel):
    name: str
    title: str | None
    mobile: str | None
    acting_for: str | None


class DirectoryDutyOut(BaseModel):
    unit_id: int
    unit_name: str
    duty_phone: str | None
    place_code: str
    place_path: str
    leaders: list[DirectoryDutyPersonOut]
    officers: list[DirectoryDutyPersonOut]
    gaps: list[str]


class DirectoryUnitOut(BaseModel):
    id: int
    name: str
    kind: str
    duty_phone: str | None


class DirectoryOut(BaseModel):
    query: str
    places: list[DirectoryPlaceOut]  # the place answered for (at most one)
    choices: list[DirectoryPlaceOut]  # a name several places share: pick one (``place=``)
    choices_total: int
    outside: list[DirectoryPlaceOut]  # recognised but outside the user's jurisdiction
    unknown: str  # words that name no place, topic or person known
    fell_back: bool  # no place named: answered for the user's own jurisdiction
    guessed: str  # the typed name matched no name exactly: the places are the nearest (typo, homophone)
    topics: list[DirectoryTopicOut]
    duty_asked: bool
    duty: list[DirectoryDutyOut]  # on duty now, at the place and each level above, nearest first
    contacts: list[DirectoryContactOut]  # the chain of responsibility, nearest first
    units: list[DirectoryUnitOut]


class ImportCountsOut(BaseModel):
    """What an Excel import did (org/exchange/common.py ImportResult), all rows or none."""

    created: int
    updated: int
    unchanged: int


class ImportOut(ImportCountsOut):
    kind: str  # which sheet: units, people, grid, teams, members, residents …


# -- what the places, grid, people and units routes answer ---------------------------------------
class JurisdictionCountsOut(JurisdictionOut):
    counts: dict[str, int]  # divisions by level, grid cells, grid workers, people under the place


class GridCellPageOut(BaseModel):
    items: list[GridCellOut]
    total: int
    page: int
    size: int


class AssignmentOut(BaseModel):
    id: int
    grid_cell_id: int
    person_id: int
    role: str


class PersonRowOut(PersonOut):
    updated_at: Stamp  # as the list always wrote it ("+00:00")


class PersonPageOut(BaseModel):
    items: list[PersonRowOut]
    total: int
    page: int
    size: int


class ResponsibilityOut(BaseModel):
    seq: int
    text: str
    topics: str | None  # comma-separated topic codes


class UnitPositionOut(BaseModel):
    id: int
    person_id: int
    name: str
    title: str | None
    role: str
    mobile: str | None


class UnitOut(BaseModel):
    id: int
    code: str
    name: str
    kind: str
    topic: str | None
    parent_id: int | None
    jurisdiction_code: str
    duty_phone: str | None
    address: str | None
    responsibilities: list[ResponsibilityOut]
    positions: list[UnitPositionOut]


class UnitPageOut(BaseModel):
    items: list[UnitOut]
    total: int
    page: int
    size: int


class MembershipOut(BaseModel):
    """The unit's seat in a headquarters (指挥部)."""

    hq_id: int
    hq: str
    member_id: int
    member: str
    role: str


class SubUnitOut(BaseModel):
    id: int
    name: str
    kind: str


class UnitDetailOut(UnitOut):
    memberships: list[MembershipOut]
    sub_units: list[SubUnitOut]


class PositionAddedOut(BaseModel):
    id: int
    unit_id: int
    person_id: int
    title: str | None
    role: str


class StatsOut(BaseModel):
    """Everything under a place (``jurisdiction``; left out for the whole database)."""

    provinces: int
    cities: int
    counties: int
    towns: int
    villages: int
    village_groups: int
    grid_cells: int
    grid_cells_by_level: dict[str, int]
    grid_leaders: int
    grid_workers: int
    units: int
    units_by_kind: dict[str, int]
    people: int
    users: int
    jurisdiction: str | None = None

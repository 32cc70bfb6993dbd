"""Input shapes of the forces API (validated by Pydantic); outputs are plain dicts built in ``out.py``."""

from __future__ import annotations

from datetime import date

from pydantic import ConfigDict, Field, field_validator

from yingji.core import idempotency
from yingji.core.text import Input
from yingji.forces import codes
from yingji.org import codes as division_codes
from yingji.org.schemas import check_mobile


def _division(value: str) -> str:
    try:
        return division_codes.normalise(value)
    except ValueError:
        raise ValueError("not a division code") from None


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

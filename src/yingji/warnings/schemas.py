"""Pydantic shapes of the warnings API: what an author composes, and review/lift notes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from yingji.core.text import Input
from yingji.warnings.values import LEVELS


class AreaIn(Input):
    """The warning's area: polygons ([[lat, lon], …], closed), circles ([lat, lon, radius_m]) and
    division codes (6, 9 or 12 digits)."""

    model_config = ConfigDict(extra="forbid")

    area_desc: str = Field(default="", max_length=2000)
    polygons: list[list[list[float]]] = Field(default_factory=list, max_length=50)
    circles: list[list[float]] = Field(default_factory=list, max_length=50)
    division_codes: list[str] = Field(default_factory=list, max_length=5000)

    @field_validator("polygons")
    @classmethod
    def _polygons(cls, value: list[list[list[float]]]) -> list[list[list[float]]]:
        out = []
        for poly in value:
            if any(len(p) != 2 for p in poly):
                raise ValueError("polygon points are [lat, lon]")
            if len(poly) >= 3 and poly[0] != poly[-1]:
                poly = [*poly, poly[0]]  # close it for the author
            if len(poly) < 4:
                raise ValueError("a polygon needs at least 3 distinct points")
            if any(not (-90 <= lat <= 90 and -180 <= lon <= 180) for lat, lon in poly):
                raise ValueError("a point is outside WGS 84")
            out.append(poly)
        return out

    @field_validator("circles")
    @classmethod
    def _circles(cls, value: list[list[float]]) -> list[list[float]]:
        for c in value:
            if len(c) != 3 or not (-90 <= c[0] <= 90 and -180 <= c[1] <= 180) or not (0 < c[2] <= 500_000):
                raise ValueError("a circle is [lat, lon, radius_m] with 0 < radius ≤ 500 km")
        return value


class WarningIn(Input):
    """A draft warning as the author composes it (the Chinese info; English optional)."""

    model_config = ConfigDict(extra="forbid")

    template_key: str | None = Field(default=None, max_length=40)
    level: str
    jurisdiction_code: str | None = Field(default=None, max_length=15)
    event: str = Field(default="", max_length=200)
    category: str | None = Field(default=None, max_length=20)
    categories: list[str] = Field(default_factory=list, max_length=12)
    response_types: list[str] = Field(default_factory=list, max_length=9)
    urgency: str | None = None
    certainty: str | None = None
    sector: str | None = Field(default=None, max_length=40)
    sender_name: str = Field(default="", max_length=200)
    headline: str = Field(default="", max_length=500)
    description: str = Field(default="", max_length=8000)
    instruction: str = Field(default="", max_length=8000)
    contact: str = Field(default="", max_length=500)
    web: str = Field(default="", max_length=500)
    effective: datetime | None = None
    onset: datetime | None = None
    expires: datetime | None = None
    area: AreaIn = Field(default_factory=AreaIn)
    channels: list[str] = Field(default_factory=list, max_length=20)
    cap_status: str = "Actual"
    note: str = Field(default="", max_length=2000)
    headline_en: str = Field(default="", max_length=500)
    description_en: str = Field(default="", max_length=8000)
    instruction_en: str = Field(default="", max_length=8000)
    revision: int | None = None  # the revision the author edited (stale edits are refused)

    @field_validator("level")
    @classmethod
    def _level(cls, value: str) -> str:
        if value not in LEVELS:
            raise ValueError("level is one of red, orange, yellow, blue")
        return value


class ReviewIn(Input):
    model_config = ConfigDict(extra="forbid")
    note: str = Field(default="", max_length=2000)


class LiftIn(Input):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=2000)


class ReturnIn(Input):
    """退回修改: why an approved warning goes back to its author."""

    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=2000)


class FeedIn(Input):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=120)
    url: str = Field(min_length=8, max_length=500, pattern=r"^https?://")
    kind: str = Field(default="atom", pattern=r"^(atom|cap)$")
    jurisdiction_code: str | None = Field(default=None, max_length=15)
    relay: bool = False
    interval_s: int = Field(default=300, ge=30, le=86400)
    enabled: bool = True


class SenderAuthorityIn(Input):
    """``authority`` may update or cancel ``sender``'s warnings within ``jurisdiction_code``."""

    model_config = ConfigDict(extra="forbid")
    sender: str = Field(min_length=1, max_length=200)
    authority: str = Field(min_length=1, max_length=200)
    jurisdiction_code: str | None = Field(default=None, max_length=15)
    note: str = Field(default="", max_length=500)


class SenderAuthorityOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    sender: str
    authority: str
    jurisdiction_code: str
    note: str | None
    created_at: datetime


class SenderAuthorityList(BaseModel):
    items: list[SenderAuthorityOut]


class FeedHostIn(Input):
    """A host feeds may be fetched from: ``cma.gov.cn``, ``*.cma.gov.cn``, ``10.20.0.5`` or
    ``10.20.0.0/16``; ``allow_private`` admits private and loopback addresses for it."""

    model_config = ConfigDict(extra="forbid")
    pattern: str = Field(min_length=1, max_length=255)
    allow_private: bool = False
    note: str = Field(default="", max_length=500)


class FeedHostOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    pattern: str
    allow_private: bool
    note: str | None
    created_at: datetime


class FeedHostList(BaseModel):
    items: list[FeedHostOut]

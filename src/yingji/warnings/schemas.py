"""Pydantic shapes of the warnings API: what an author composes, review/lift notes, and what the
routes answer (a warning's list and detail forms, CAP import and validation, feeds, versions)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, field_validator

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


# -- what the routes answer ---------------------------------------------------------------------
# Times as ``datetime.isoformat()`` ("+00:00", not pydantic's "Z"): the JSON clients had before
# these routes were typed.
Stamp = Annotated[datetime, PlainSerializer(lambda v: v.isoformat(), return_type=str, when_used="json")]


class WarningSummaryOut(BaseModel):
    """The list form of a warning (``api.summary``)."""

    id: int
    identifier: str | None
    sender: str | None
    status: str
    msg_type: str | None
    cap_status: str | None
    level: str | None
    event: str | None
    headline: str | None
    jurisdiction_code: str
    sender_name: str | None
    sent: Stamp | None
    effective: Stamp | None
    onset: Stamp | None
    expires: Stamp | None
    root_id: int | None
    origin: str | None
    drill_id: int | None


class WarningListOut(BaseModel):
    items: list[WarningSummaryOut]
    total: int
    page: int


class AreaOut(BaseModel):
    area_desc: str | None
    polygons: list[Any] | None
    circles: list[Any] | None
    geocodes: list[Any] | None
    altitude: float | None
    ceiling: float | None


class ResourceOut(BaseModel):
    resource_desc: str | None
    mime_type: str | None
    size: int | None
    uri: str | None
    deref_uri: str | None
    digest: str | None


class InfoOut(BaseModel):
    """One CAP ``info`` block (``capmodel.info_dict``)."""

    language: str | None
    categories: list[Any] | None
    event: str | None
    response_types: list[Any] | None
    urgency: str | None
    severity: str | None
    certainty: str | None
    audience: str | None
    event_codes: list[Any] | None
    effective: Stamp | None
    onset: Stamp | None
    expires: Stamp | None
    sender_name: str | None
    headline: str | None
    description: str | None
    instruction: str | None
    web: str | None
    contact: str | None
    parameters: list[Any] | None
    areas: list[AreaOut]
    resources: list[ResourceOut]


class ChainLinkOut(BaseModel):
    id: int
    msg_type: str | None
    status: str
    identifier: str | None


class WarningDetailOut(WarningSummaryOut):
    """The full form (``api.detail``): CAP fields, lifecycle, what 第六十四条 still misses, the chain."""

    sender_code: str | None
    scope: str | None
    codes: list[Any]
    note: str | None
    references: list[str]
    category: str | None
    template_key: str | None
    locked_fields: list[str]
    description: str | None
    instruction: str | None
    area_desc: str | None
    area_codes: list[str]
    previous_id: int | None
    revision: int | None
    author_user_id: int | None
    approved_by_user_id: int | None
    approved_at: Stamp | None
    review_note: str | None
    published_at: Stamp | None
    ended_at: Stamp | None
    relay: bool | None
    missing: list[str]
    infos: list[InfoOut]
    chain: list[ChainLinkOut]


class CapImportOut(BaseModel):
    """An imported message: where it was kept and why (``capimport.Placement``; null for a
    duplicate, placed when first imported)."""

    id: int
    identifier: str | None
    sender: str | None
    status: str
    duplicate: bool
    jurisdiction_code: str
    placement: str | None


class CapProblemOut(BaseModel):
    model_config = ConfigDict(extra="allow")  # element, line, message, params as capxml gives them
    text: str


class CapValidationOut(BaseModel):
    """``valid`` with the problems, or with the version and identifier (unset keys are left out)."""

    valid: bool
    problems: list[CapProblemOut] | None = None
    cap_version: str | None = None
    identifier: str | None = None


class TemplatesOut(BaseModel):
    templates: Any


class LevelsOut(BaseModel):
    levels: dict[str, Any]
    cap_severity: dict[str, Any]
    channels: dict[str, Any]
    article_64: list[str]
    cap_values: dict[str, Any]


class FeedOut(BaseModel):
    id: int
    name: str
    url: str
    kind: str
    jurisdiction_code: str
    enabled: bool
    relay: bool
    interval_s: int
    last_polled_at: Stamp | None
    last_ok_at: Stamp | None
    last_error: str | None
    imported_count: int


class FeedListOut(BaseModel):
    items: list[FeedOut]


class FeedPollOut(BaseModel):
    model_config = ConfigDict(extra="allow")  # any further count feeds.poll reports
    feed: FeedOut
    entries: int
    imported: int
    duplicates: int
    refused: int


class MissingOut(BaseModel):
    missing: list[str]


class VersionOut(BaseModel):
    seq: int
    action: str
    status: str
    at: Stamp
    actor: str | None
    note: str | None
    snapshot: dict[str, Any]


class VersionListOut(BaseModel):
    items: list[VersionOut]


class RecipientPreviewOut(BaseModel):
    """Who a warning would reach: ``source`` (delivery or warnings) and its counts, as that source
    gives them."""

    model_config = ConfigDict(extra="allow")
    source: str

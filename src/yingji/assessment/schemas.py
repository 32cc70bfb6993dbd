"""Input and output shapes of the assessment API and forms."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from yingji.assessment.codes import CauseKind, ResultsState, ScoreRule
from yingji.core.text import StrictInput
from yingji.org import codes

NOTE = 2000
KEY = r"^[a-z][a-z0-9_]{0,39}$"


def _code(value: str) -> str:
    return codes.field_code(value)


_In = StrictInput


# -- the scheme's definition (validated as a whole: keys unique, points add up to the scale) ------
class DeductionDef(_In):
    on: str = Field(min_length=1, max_length=20)
    zh: str = Field(min_length=1, max_length=100)
    en: str | None = Field(default=None, max_length=200)
    points: float = Field(gt=0, le=100)
    per: str = Field(default="occurrence", pattern=r"^(occurrence|share)$")


class IndicatorDef(_In):
    key: str = Field(pattern=KEY)
    zh: str = Field(min_length=1, max_length=200)
    en: str | None = Field(default=None, max_length=200)
    max: float = Field(gt=0, le=100)
    weight: float = Field(default=1, gt=0, le=10)
    rule: ScoreRule
    source: str | None = Field(default=None, max_length=40)
    deductions: list[DeductionDef] = Field(default_factory=list, max_length=10)


class AreaDef(_In):
    key: str = Field(pattern=KEY)
    zh: str = Field(min_length=1, max_length=100)
    en: str | None = Field(default=None, max_length=200)
    indicators: list[IndicatorDef] = Field(min_length=1, max_length=30)


class BandDef(_In):
    code: str = Field(pattern=KEY)
    zh: str = Field(min_length=1, max_length=20)
    en: str | None = Field(default=None, max_length=40)
    min: float = Field(ge=0, le=100)


class VetoDef(_In):
    key: str = Field(pattern=KEY)
    zh: str = Field(min_length=1, max_length=200)
    en: str | None = Field(default=None, max_length=200)
    auto: str | None = Field(default=None, pattern=r"^(accident_grade|late_report|tipoff_concealment)$")
    min_grade: str | None = Field(default=None, pattern=r"^(I|II|III|IV)$")
    categories: list[str] = Field(default_factory=list, max_length=20)
    source: str | None = Field(default=None, max_length=1000)


class DefinitionIn(_In):
    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore")

    scale: float = Field(default=100, gt=0, le=1000)
    floor_per_item: float = Field(default=0, ge=0)
    bands: list[BandDef] = Field(min_length=1, max_length=10)
    veto: list[VetoDef] = Field(default_factory=list, max_length=20)
    areas: list[AreaDef] = Field(min_length=1, max_length=20)
    source: str | None = Field(default=None, max_length=4000)
    local_settings: str | None = Field(default=None, max_length=2000)
    bands_source: str | None = Field(default=None, max_length=1000)
    veto_effect: str = Field(default="zero", pattern=r"^zero$")
    veto_effect_source: str | None = Field(default=None, max_length=1000)
    deduction_modes: str | None = Field(default=None, max_length=2000)


# -- schemes --------------------------------------------------------------------------------------
class SchemeIn(_In):
    year: int = Field(ge=2000, le=2100)
    jurisdiction_code: str  # the assessing body: a city (its counties) or a county (its towns)
    title: str | None = Field(default=None, max_length=200)
    note: str | None = Field(default=None, max_length=NOTE)

    _c = field_validator("jurisdiction_code")(_code)


class PointsIn(_In):
    """A change of one indicator's points (the local settings), by key."""

    indicator: str = Field(pattern=KEY)
    max: float | None = Field(default=None, gt=0, le=100)
    deductions: dict[str, float] | None = None  # on → points


class SchemePatch(_In):
    title: str | None = Field(default=None, max_length=200)
    note: str | None = Field(default=None, max_length=NOTE)
    definition: DefinitionIn | None = None
    points: list[PointsIn] | None = Field(default=None, max_length=50)
    reason: str | None = Field(default=None, max_length=NOTE)  # why, kept in the audit row


class MoveIn(_In):
    to: ResultsState
    note: str | None = Field(default=None, max_length=NOTE)


class HandScoreIn(_In):
    jurisdiction_code: str
    indicator: str = Field(pattern=KEY)
    points: float
    note: str = Field(min_length=1, max_length=NOTE)

    _c = field_validator("jurisdiction_code")(_code)


class VetoIn(_In):
    jurisdiction_code: str
    item: str = Field(pattern=KEY)
    cause_kind: CauseKind | None = None
    cause_ref: str | None = Field(default=None, max_length=64)  # incident id or tip-off id
    note: str | None = Field(default=None, max_length=NOTE)

    _c = field_validator("jurisdiction_code")(_code)


class WithdrawIn(_In):
    reason: str = Field(min_length=1, max_length=NOTE)


# -- outputs --------------------------------------------------------------------------------------
class SchemeOut(BaseModel):
    id: int
    year: int
    version: int
    title: str
    jurisdiction_code: str
    jurisdiction_name: str | None
    unit_level: str
    state: str
    results_state: str
    results_state_label: str
    based_on_id: int | None
    computed_at: datetime | None
    note: str | None
    definition: dict
    units: int
    next_moves: list[str]


class SchemePageOut(BaseModel):
    items: list[SchemeOut]
    total: int


class HandScoreOut(BaseModel):
    id: int
    scheme_id: int
    jurisdiction_code: str
    indicator: str
    points: float
    note: str
    evidence_name: str | None
    evidence_url: str | None
    by_name: str | None
    at: datetime


class VetoOut(BaseModel):
    id: int
    scheme_id: int
    jurisdiction_code: str
    jurisdiction_name: str | None
    item: str
    item_label: str
    cause_kind: str
    cause_kind_label: str
    cause_ref: str
    cause_text: str
    cause_url: str | None
    automatic: bool
    state: str
    note: str | None
    by_name: str | None
    at: datetime
    withdrawn_reason: str | None
    withdrawn_by: str | None
    withdrawn_at: datetime | None


class ResultOut(BaseModel):
    jurisdiction_code: str
    jurisdiction_name: str | None
    rank: int
    total: float
    raw_total: float
    band: str
    band_label: str
    vetoed: bool
    pending: int
    explanation: dict


class RankingOut(BaseModel):
    scheme: SchemeOut
    results: list[ResultOut]


class DefaultSchemeOut(BaseModel):
    """The shipped default scheme (rules/assessment_schemes.json) with its source; its other keys
    (scale, bands, veto, areas …) are the rule file's own and kept as they are."""

    model_config = ConfigDict(extra="allow")
    source: str

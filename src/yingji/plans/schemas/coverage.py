"""Plans: Out models of coverage (which places, units and enterprises have the plans they must have)."""

from __future__ import annotations

from pydantic import BaseModel


class CoverageCellOut(BaseModel):
    total: int
    covered: int
    rate: float | None  # covered / total, None when nothing is required there
    meets_goal: bool | None


class CoverageRuleOut(BaseModel):
    key: str
    label: str
    subject: str  # place, unit, enterprise
    kinds: list[str]
    required: bool
    responsible: str
    law: str
    confidence: str


class CoverageAreaOut(BaseModel):
    code: str
    name: str
    cells: dict[str, CoverageCellOut]  # by rule key
    overall: CoverageCellOut


class CoverageGapOut(BaseModel):
    rule: str
    subject: str
    subject_id: str
    name: str
    place_code: str
    place_name: str
    area_code: str
    responsible: str


class CoverageCategoryOut(BaseModel):
    code: str
    name: str
    counts: dict[str, int]  # plans in force per event category
    uncovered: list[str]


class CoverageOut(BaseModel):
    scope_code: str
    scope_name: str
    goal: float
    rules: list[CoverageRuleOut]
    areas: list[CoverageAreaOut]
    totals: dict[str, CoverageCellOut]
    overall: CoverageCellOut
    gaps: list[CoverageGapOut]
    gaps_total: int
    category_labels: dict[str, str]
    categories: list[CoverageCategoryOut]

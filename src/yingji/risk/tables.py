"""The dual-prevention rule and code tables (``yingji/rules/risk_*.json``), with labels in the
current language. Reading only; the pure rules over them are in ``risk.rules``."""

from __future__ import annotations

from yingji.core.i18n import current_locale
from yingji.rules import load


def lec() -> dict:
    """The LEC table."""
    return load("risk_lec.json")


def ls() -> dict:
    """The risk-matrix (LS) table."""
    return load("risk_ls.json")


def levels() -> dict:
    """The four risk levels and control levels."""
    return load("risk_levels.json")


def industries_table() -> dict:
    """Industries, scales, public-place kinds, major-hazard grades."""
    return load("risk_industries.json")


def enforcement_defaults() -> dict:
    """The national default of the enforcement classification."""
    return load("risk_enforcement.json")


def dangers_table() -> dict:
    """The hidden-danger checklist, plan contents, categories and escalation defaults."""
    return load("risk_dangers.json")


def _label(row: dict) -> str:
    return row.get("en" if current_locale() == "en" else "zh") or row.get("zh", "")


def _codes(rows: list[dict], key: str = "code") -> dict[str, str]:
    return {str(r[key]): _label(r) for r in rows}


def industries() -> dict[str, str]:
    """Industry code → label."""
    return _codes(industries_table()["industries"])


def high_risk_industries() -> frozenset[str]:
    """Industries counted as high-risk."""
    return frozenset(r["code"] for r in industries_table()["industries"] if r["high_risk"])


def scales() -> dict[str, str]:
    """Scale code → label."""
    return _codes(industries_table()["scales"])


def place_kinds() -> dict[str, str]:
    """Public-place kind → label."""
    return _codes(industries_table()["public_place_kinds"])


def major_hazard_grades() -> dict[str, str]:
    """Major-hazard grade → label."""
    return _codes(industries_table()["major_hazard_grades"], "grade")


def categories() -> dict[str, str]:
    """Hidden-danger category code → label."""
    return _codes(dangers_table()["categories"])


def level_rows() -> list[dict]:
    """The risk levels, most serious first."""
    return levels()["levels"]


def level_labels() -> dict[str, str]:
    """Risk level → label."""
    return _codes(level_rows(), "level")


def level_rank(level: str | None) -> int:
    """major 4 … low 1; none 0."""
    return next((r["rank"] for r in level_rows() if r["level"] == level), 0)


def level_colour(level: str | None) -> str | None:
    """The colour (red/orange/yellow/blue) of a level."""
    return next((r["colour"] for r in level_rows() if r["level"] == level), None)


def level_of_rank(rank: int) -> str | None:
    """The level of a rank (4 major … 1 low), None for 0."""
    return next((r["level"] for r in level_rows() if r["rank"] == rank), None)


def control_levels() -> dict[str, str]:
    """Control level → label."""
    return _codes(levels()["control_levels"])


def default_control_level(level: str | None) -> str:
    """The usual responsible level for a risk level."""
    return next((r["control_level"] for r in level_rows() if r["level"] == level), "team")


def criteria() -> list[dict]:
    """The 重大 criteria of the grading checklist, with labels."""
    return [{"code": r["code"], "label": _label(r)} for r in dangers_table()["major_criteria"]]


def plan_fields() -> dict[str, str]:
    """The 重大 plan's fields → label."""
    return _codes(dangers_table()["plan_fields"])


def factor_rows(method: str, factor: str) -> list[dict]:
    """The score rows of one factor (L, E, C for LEC; L, S for LS) with labels."""
    table = lec() if method == "LEC" else ls()
    return [{"value": r["value"], "label": _label(r)} for r in table[factor]]


def mapping_labels() -> dict[str, str]:
    """LEC mapping → label."""
    return {k: _label(v) for k, v in lec()["mappings"].items()}


def banding_labels() -> dict[str, str]:
    """LS banding → label."""
    return {k: _label(v) for k, v in ls()["bandings"].items()}


def band_labels() -> dict[str, str]:
    """LEC danger band → label."""
    return _codes(lec()["bands"], "band")

"""Pure functions over the dual-prevention rule tables: LEC and LS scoring with their bandings, the
一般/重大 grading of a hidden danger, the enforcement class of an enterprise. No I/O."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from yingji.risk import tables


class RuleInputError(ValueError):
    """An input the rule tables do not allow (a score outside the table, an unknown setting)."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Scored:
    method: str
    score: float
    band: str | None  # LEC danger band (extreme … slight); None for LS
    level: str  # major / high / general / low
    banding: str  # which setting produced the level: "LEC:A", "LS:standard"


def _allowed(method: str, factor: str) -> set[float]:
    table = tables.lec() if method == "LEC" else tables.ls()
    return {float(r["value"]) for r in table[factor]}


def _factor(method: str, factor: str, value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise RuleInputError("Choose a value from the table.", factor) from None
    if number not in _allowed(method, factor):
        raise RuleInputError("Choose a value from the table.", factor)
    return number


def lec_band(d: float) -> str:
    """The LEC danger band of D: a band applies when D > min (D ≥ min where inclusive)."""
    for row in tables.lec()["bands"]:
        low = row["min"]
        if low is None or d > low or (row["inclusive"] and d >= low):
            return row["band"]
    return tables.lec()["bands"][-1]["band"]


def lec_level(d: float, mapping: str) -> tuple[str, str]:
    """(band, level) of D under mapping ``A`` or ``B``."""
    mappings = tables.lec()["mappings"]
    if mapping not in mappings:
        raise RuleInputError("Unknown LEC mapping.", "lec_mapping")
    band = lec_band(d)
    return band, mappings[mapping]["levels"][band]


def lec(l_value: Any, e_value: Any, c_value: Any, mapping: str) -> Scored:
    """D = L × E × C, its band and its level; each factor must be a value of the table."""
    factors = [_factor("LEC", "L", l_value), _factor("LEC", "E", e_value), _factor("LEC", "C", c_value)]
    d = round(factors[0] * factors[1] * factors[2], 4)
    band, level = lec_level(d, mapping)
    return Scored("LEC", d, band, level, f"LEC:{mapping}")


def ls_level(r: float, banding: str) -> str:
    """The level of R = L × S under banding ``standard`` or ``alternative`` (R ≥ min)."""
    bandings = tables.ls()["bandings"]
    if banding not in bandings:
        raise RuleInputError("Unknown LS banding.", "ls_banding")
    for row in bandings[banding]["levels"]:
        if r >= row["min"]:
            return row["level"]
    raise RuleInputError("Choose a value from the table.", "score")


def ls(l_value: Any, s_value: Any, banding: str) -> Scored:
    """R = L × S (each 1–5) and its level."""
    r = _factor("LS", "L", l_value) * _factor("LS", "S", s_value)
    return Scored("LS", r, None, ls_level(r, banding), f"LS:{banding}")


def score(method: str, values: dict[str, Any], *, lec_mapping: str, ls_banding: str) -> Scored:
    """Score by ``method`` (LEC or LS) from ``values`` {l, e, c} or {l, s}."""
    if method == "LEC":
        return lec(values.get("l"), values.get("e"), values.get("c"), lec_mapping)
    if method == "LS":
        return ls(values.get("l"), values.get("s"), ls_banding)
    raise RuleInputError("Choose LEC or LS.", "method")


# -- hidden dangers ---------------------------------------------------------------------------------
def grade(answers: dict[str, Any]) -> str:
    """重大 (major) when any 重大 criterion of the checklist holds, else 一般 (general)."""
    codes = {c["code"] for c in tables.criteria()}
    unknown = set(answers) - codes
    if unknown:
        raise RuleInputError("Unknown checklist item.", "checklist")
    return "major" if any(bool(answers.get(code)) for code in codes) else "general"


# -- enforcement classification ---------------------------------------------------------------------
def _holds(when: dict, unit: dict) -> bool:
    for key, expected in when.items():
        if key == "industries" and unit.get("industry") not in expected:
            return False
        if key == "scales" and unit.get("scale") not in expected:
            return False
        if key in ("major_hazard", "hazardous_chemicals") and bool(unit.get(key)) != bool(expected):
            return False
    return True


def classify(unit: dict, classification: dict) -> str:
    """The enforcement class (A–D) of a unit: the first criterion that holds."""
    for criterion in classification["criteria"]:
        if _holds(criterion.get("when", {}), unit):
            return criterion["class"]
    return "D"


def key_classes(classification: dict) -> set[str]:
    """The classes whose every unit goes into the yearly plan."""
    # A class that is not an object is never key (check_classification reports it, not a crash).
    return {c for c, spec in classification["classes"].items() if isinstance(spec, dict) and spec.get("key")}


def sampled(year: int, enterprise_id: int, ratio: float) -> bool:
    """A deterministic share ``ratio`` of the non-key units in a year's plan (same year, same pick)."""
    if ratio >= 1:
        return True
    digest = hashlib.blake2b(f"{year}:{enterprise_id}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") / 2**32 < ratio


def check_classification(data: Any) -> list[dict]:
    """Problems of a local classification (same shape as ``risk_enforcement.json``)."""
    problems: list[dict] = []
    if not isinstance(data, dict) or not isinstance(data.get("classes"), dict):
        return [{"field": "enforcement", "message": "This part of the rule table has the wrong shape."}]
    classes = data["classes"]
    for code, spec in classes.items():
        ratio = spec.get("ratio") if isinstance(spec, dict) else None
        if code not in ("A", "B", "C", "D") or not isinstance(ratio, int | float) or not 0 <= ratio <= 1:
            problems.append({"field": f"enforcement.classes.{code}", "message": "Give a ratio from 0 to 1."})
    if not key_classes(data):
        problems.append({"field": "enforcement.classes", "message": "At least one class must be key."})
    criteria = data.get("criteria")
    if not isinstance(criteria, list) or not criteria:
        problems.append({"field": "enforcement.criteria", "message": "Give at least one criterion."})
        return problems
    known = {"industries", "scales", "major_hazard", "hazardous_chemicals"}
    for i, criterion in enumerate(criteria):
        when = criterion.get("when") if isinstance(criterion, dict) else None
        if not isinstance(when, dict) or set(when) - known or criterion.get("class") not in classes:
            problems.append(
                {
                    "field": f"enforcement.criteria.{i}",
                    "message": "This part of the rule table has the wrong shape.",
                }
            )
    return problems

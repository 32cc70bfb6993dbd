"""The indicators of the quick-report form and the hazards (``rules/disaster_indicators.json``), and
the reporting time limits (``rules/disaster_reporting.json``, overridable per jurisdiction)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy.orm import Session

from yingji.core.i18n import current_locale
from yingji.rules import load

INDICATORS_FILE = "disaster_indicators.json"
REPORTING_TABLE = "disaster_reporting"


@dataclass(frozen=True)
class Indicator:
    code: str
    zh: str
    en: str
    unit: str
    group: str
    parent: str | None
    has_current: bool
    summed: bool
    main: bool
    order: int

    def label(self) -> str:
        return self.en if current_locale() == "en" else self.zh

    @property
    def depth(self) -> int:
        return 1 if self.parent else 0


@cache
def indicators() -> dict[str, Indicator]:
    """Code → indicator, in the form's order."""
    rows = load(INDICATORS_FILE)["indicators"]
    return {
        r["code"]: Indicator(
            r["code"],
            r["zh"],
            r["en"],
            r["unit"],
            r["group"],
            r.get("parent"),
            "current" in r["values"],
            bool(r.get("sum", True)),
            bool(r.get("main")),
            i,
        )
        for i, r in enumerate(rows)
    }


def main_indicators() -> list[Indicator]:
    return [i for i in indicators().values() if i.main]


def groups() -> dict[str, dict]:
    return load(INDICATORS_FILE)["groups"]


@cache
def hazards() -> dict[str, dict]:
    """亚灾种 code → {code, zh, en, parent, parent_zh, parent_en}."""
    out = {}
    for top in load(INDICATORS_FILE)["hazards"]:
        for sub in top["subs"]:
            out[sub["code"]] = sub | {"parent": top["code"], "parent_zh": top["zh"], "parent_en": top["en"]}
    return out


def hazard_label(code: str, *, first_level: bool = False) -> str:
    h = hazards().get(code)
    if h is None:
        return code
    en = current_locale() == "en"
    if first_level:
        return h["parent_en"] if en else h["parent_zh"]
    return h["en"] if en else h["zh"]


def hazard_choices() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(first-level label, code, [(sub code, sub label)]) for a grouped select."""
    en = current_locale() == "en"
    return [
        (
            top["en"] if en else top["zh"],
            top["code"],
            [(s["code"], s["en"] if en else s["zh"]) for s in top["subs"]],
        )
        for top in load(INDICATORS_FILE)["hazards"]
    ]


def relief_measures(values: dict[str, float]) -> dict[str, int]:
    """The grading measures of the relief response table from cumulative figures by indicator."""
    spec = load(INDICATORS_FILE)["relief_measures"]
    out = {}
    for measure, how in spec.items():
        if measure == "note":
            continue
        parts = [values.get(code) or 0 for code in how.get("sum", how.get("max", []))]
        out[measure] = round(max(parts) if "max" in how else sum(parts))
    return out


def reporting_rules(session: Session | None, code: str | None) -> dict:
    """The reporting limits that apply in a place (national table + overrides of it and above)."""
    from yingji.rules import overrides, tables

    if session is None or not code:
        return tables.base(REPORTING_TABLE)
    return overrides.tables_for(session, code)[REPORTING_TABLE]


def rules_version() -> str:
    return str(load(f"{REPORTING_TABLE}.json")["version"])

"""Rule tables as data: the national base tables, per-jurisdiction overlays and their validation.

Pure functions, no I/O beyond reading the packaged JSON files. An override is a partial table of
the same shape as the base table; dictionaries merge key by key, while a *row* (a threshold with
``min`` or a reporting step with ``minutes``) given in an override replaces the base row whole,
so a changed limit never keeps the citation of the limit it replaced.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from typing import Any

from yingji.core.errors import ValidationFailed
from yingji.core.i18n import N_
from yingji.rules import load
from yingji.rules import messages as msg

GRADES = ("I", "II", "III", "IV")
LEVELS = ("town", "county", "city", "province", "national")
CHANNELS = ("report", "phone", "written", "oral", "copy")
MEASURES = (
    "deaths",
    "missing",
    "serious_injuries",
    "direct_loss_cny",
    "threatened_people",
    "potential_loss_cny",
    "dead_or_missing",
    "needing_aid",
    "collapsed_rooms",
    "collapsed_households",
)
# Tables that a jurisdiction may override (file stem → what it holds).
TABLE_NAMES = (
    "grading_production_safety",
    "grading_geological",
    "relief_response",
    "reporting_obligations",
    "drill_frequency",
    "disaster_reporting",  # damage statistics (issue 13): time limits of 初报 / 零报 / 核报
)
GRADING_TABLE_OF_KIND = {
    "production_safety": "grading_production_safety",
    "geological_damage": "grading_geological",
    "geological_threat": "grading_geological",
    "natural_disaster_relief": "relief_response",
}
KINDS = tuple(GRADING_TABLE_OF_KIND)
THRESHOLD_KEYS = frozenset({"min", "law", "article", "confidence", "note"})
STEP_KEYS = frozenset(
    {"to", "after", "minutes", "channel", "grades", "when", "zh", "law", "article", "confidence", "disabled"}
)
RESERVED_TOP = frozenset({"version", "source", "overrides"})

Tables = Mapping[str, dict]


def base(name: str) -> dict:
    """A fresh copy of the national base table ``name`` (no overrides)."""
    if name not in TABLE_NAMES:
        raise ValidationFailed(details=[{"field": "table", "message": "Unknown rule table."}])
    return copy.deepcopy(load(f"{name}.json"))


def table(tables: Tables | None, name: str) -> dict:
    """The table ``name`` from an effective set, falling back to the national base table."""
    if tables is not None and name in tables:
        return tables[name]
    return load(f"{name}.json")


def _is_row(value: Any) -> bool:
    return isinstance(value, dict) and ("min" in value or "minutes" in value or "months" in value)


def _fill_row(row: dict, source: str) -> dict:
    out = dict(row)
    out.setdefault("law", source)
    out.setdefault("article", "")
    out.setdefault("confidence", "local")
    return out


def merge(target: dict, overlay: Mapping[str, Any], source: str) -> dict:
    """Apply an override ``overlay`` onto ``target`` in place (rows replace, dicts merge)."""
    for key, value in overlay.items():
        if _is_row(value):
            target[key] = _fill_row(value, source)
        elif isinstance(value, Mapping) and isinstance(target.get(key), dict):
            merge(target[key], value, source)
        else:
            target[key] = copy.deepcopy(value)
    return target


def effective(name: str, overlays: Iterable[tuple[dict, dict]]) -> dict:
    """Base table ``name`` with ``(overlay data, provenance)`` pairs applied, farthest first.

    The provenance (jurisdiction_code, version, source, id) is listed under ``overrides``.
    """
    result = base(name)
    applied = []
    for data, provenance in overlays:
        merge(result, data, provenance.get("source") or provenance.get("jurisdiction_code", ""))
        applied.append(dict(provenance))
    result["overrides"] = applied
    return result


# -- validation ---------------------------------------------------------------------------------
def _problem(field: str, message: str, **params: Any) -> dict:
    return (
        {"field": field, "message": message, "params": params}
        if params
        else {"field": field, "message": message}
    )


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def check_overlay_shape(data: Any) -> None:
    """Reject an override that is not a JSON object or tries to set the table's own header."""
    if not isinstance(data, dict) or not data:
        raise ValidationFailed(details=[{"field": "data", "message": "Give the override as a JSON object."}])
    bad = sorted(RESERVED_TOP & set(data))
    if bad:
        raise ValidationFailed(
            details=[{"field": f"data.{k}", "message": "Set this in the override's own fields."} for k in bad]
        )


def _validate_grading(tbl: dict) -> list[dict]:
    problems: list[dict] = []
    kinds = tbl.get("kinds")
    if not isinstance(kinds, dict) or not kinds:
        return [_problem("kinds", N_("This rule table has no kinds."))]
    for kind, spec in kinds.items():
        where = f"kinds.{kind}"
        if kind not in KINDS:
            problems.append(_problem(where, N_("Unknown kind.")))
            continue
        if (
            not isinstance(spec, dict)
            or not isinstance(spec.get("settings", {}), dict)
            or not isinstance(spec.get("grades"), dict)
        ):
            problems.append(_problem(where, N_("This part of the rule table has the wrong shape.")))
            continue
        for key, value in spec.get("settings", {}).items():
            if not key.endswith("_basis") and not isinstance(value, bool):
                problems.append(_problem(f"{where}.settings.{key}", N_("Give true or false.")))
        previous: dict[str, int] = {}
        for grade in GRADES:
            row = spec["grades"].get(grade)
            if row is None:
                continue
            thresholds = row.get("thresholds", {}) if isinstance(row, dict) else None
            if not isinstance(thresholds, dict):
                problems.append(
                    _problem(
                        f"{where}.grades.{grade}", N_("This part of the rule table has the wrong shape.")
                    )
                )
                continue
            for measure, limit in thresholds.items():
                field = f"{where}.grades.{grade}.thresholds.{measure}"
                if measure not in MEASURES:
                    problems.append(_problem(field, N_("Not a measure the rules know.")))
                elif not isinstance(limit, dict) or set(limit) - THRESHOLD_KEYS:
                    problems.append(_problem(field, N_("This part of the rule table has the wrong shape.")))
                elif limit.get("min") is not None and not _is_count(limit.get("min")):
                    problems.append(_problem(field, msg.WHOLE_NUMBER))
                elif limit.get("min") is not None:
                    if measure in previous and limit["min"] > previous[measure]:
                        problems.append(
                            _problem(field, N_("A lower grade cannot need more than a higher one."))
                        )
                    previous[measure] = limit["min"]
        problems += [
            _problem(f"{where}.grades.{g}", N_("Unknown grade.")) for g in spec["grades"] if g not in GRADES
        ]
    return problems


def _step_problems(field: str, step: Any, known: set[str]) -> list[dict]:
    if not isinstance(step, dict) or set(step) - STEP_KEYS:
        return [_problem(field, N_("This part of the rule table has the wrong shape."))]
    if step.get("disabled"):
        return []
    problems = []
    if step.get("to") not in LEVELS:
        problems.append(_problem(f"{field}.to", N_("Unknown reporting level.")))
    if step.get("channel", "report") not in CHANNELS:
        problems.append(_problem(f"{field}.channel", N_("Unknown reporting channel.")))
    if not _is_count(step.get("minutes")):
        problems.append(_problem(f"{field}.minutes", msg.WHOLE_NUMBER))
    after = step.get("after", "received")
    if after != "received" and (not isinstance(after, str) or after not in known):
        problems.append(_problem(f"{field}.after", N_("Unknown reporting step.")))
    grades = step.get("grades")
    if grades is not None and (not isinstance(grades, list) or not all(g in GRADES for g in grades)):
        problems.append(_problem(f"{field}.grades", N_("Unknown grade.")))
    when = step.get("when", {})
    if not isinstance(when, dict) or not all(m in MEASURES and _is_count(v) for m, v in when.items()):
        problems.append(_problem(f"{field}.when", N_("Not a measure the rules know.")))
    return problems


def _chain_cycles(steps: dict) -> list[str]:
    cyclic = []
    for start in steps:
        seen, current = set(), start
        while current in steps and current not in seen:
            seen.add(current)
            step = steps[current]
            after = step.get("after") if isinstance(step, dict) else None
            # "received" is the receipt itself, never a step of that name; a malformed step is
            # reported on its own
            current = after if isinstance(after, str) and after != "received" else None
        if current in seen:
            cyclic.append(start)
    return cyclic


def _validate_obligations(tbl: dict) -> list[dict]:
    problems: list[dict] = []
    obligations = tbl.get("obligations", {})
    common = tbl.get("common_steps", {})
    if not isinstance(obligations, dict) or not isinstance(common, dict):
        return [_problem("obligations", N_("This part of the rule table has the wrong shape."))]
    links = tbl.get("kind_obligations", {})
    if not isinstance(links, dict):
        problems.append(_problem("kind_obligations", N_("This part of the rule table has the wrong shape.")))
        links = {}
    for key, target in links.items():
        if key not in KINDS or not isinstance(target, str) or target not in obligations:
            problems.append(_problem(f"kind_obligations.{key}", N_("Unknown kind.")))
    for name, spec in obligations.items():
        steps = spec.get("steps", {}) if isinstance(spec, dict) else None
        if not isinstance(steps, dict):
            problems.append(
                _problem(f"obligations.{name}", N_("This part of the rule table has the wrong shape."))
            )
            continue
        every = {**common, **steps}
        for step_id, step in steps.items():
            problems += _step_problems(f"obligations.{name}.steps.{step_id}", step, set(every))
        problems += [
            _problem(
                f"obligations.{name}.steps.{s}", N_("The reporting steps wait on each other in a circle.")
            )
            for s in _chain_cycles(every)
        ]
    for step_id, step in common.items():
        problems += _step_problems(f"common_steps.{step_id}", step, set(common))
    return problems


DRILL_ROW_KEYS = frozenset({"months", "scope", "law", "article", "confidence", "zh", "note", "disabled"})


def _validate_drill_frequency(tbl: dict) -> list[dict]:
    """Each subject: a whole number of months (1–120), an optional drill scope, or disabled."""
    problems: list[dict] = []
    known = load("drill_frequency.json")["subjects"]
    subjects = tbl.get("subjects") or {}
    if not isinstance(subjects, dict):
        return [_problem("subjects", N_("This part of the rule table has the wrong shape."))]
    for key, row in subjects.items():
        where = f"subjects.{key}"
        if key not in known:
            problems.append(_problem(where, N_("This rule table has no such entry.")))
        elif not isinstance(row, dict) or set(row) - DRILL_ROW_KEYS:
            problems.append(_problem(where, N_("This part of the rule table has the wrong shape.")))
        elif row.get("disabled"):
            continue
        elif not _is_count(row.get("months")) or not 1 <= row["months"] <= 120:
            problems.append(_problem(f"{where}.months", N_("Give a whole number of months from 1 to 120.")))
        elif row.get("scope") not in (None, "single", "comprehensive"):
            problems.append(_problem(f"{where}.scope", N_("Write single or comprehensive.")))
    return problems


DAMAGE_LIMIT_KEYS = frozenset(
    {
        "kind",
        "level",
        "minutes",
        "days",
        "at",
        "from",
        "hazards",
        "zh",
        "law",
        "article",
        "confidence",
        "note",
    }
)


def _validate_disaster_reporting(tbl: dict) -> list[dict]:
    """Each limit of damage reporting: minutes or days a whole number, ``at`` a time HH:MM."""
    problems: list[dict] = []
    known = load("disaster_reporting.json")["limits"]
    limits = tbl.get("limits") or {}
    if not isinstance(limits, dict):
        problems.append(_problem("limits", N_("This part of the rule table has the wrong shape.")))
        limits = {}
    for key, row in limits.items():
        where = f"limits.{key}"
        if key not in known:
            problems.append(_problem(where, N_("This rule table has no such entry.")))
        elif not isinstance(row, dict) or set(row) - DAMAGE_LIMIT_KEYS:
            problems.append(_problem(where, N_("This part of the rule table has the wrong shape.")))
        elif any(k in row and not _is_count(row[k]) for k in ("minutes", "days")):
            problems.append(_problem(where, msg.WHOLE_NUMBER))
        elif "at" in row and not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", str(row["at"])):
            problems.append(_problem(f"{where}.at", N_("Give a time of day as HH:MM.")))
    settings = tbl.get("settings") or {}
    if not isinstance(settings, dict):
        problems.append(_problem("settings", N_("This part of the rule table has the wrong shape.")))
        return problems
    every = settings.get("continued_every_days", 1)
    if not _is_count(every) or not 1 <= every <= 31:
        problems.append(_problem("settings.continued_every_days", msg.WHOLE_NUMBER))
    return problems


def validate(name: str, tbl: dict) -> None:
    """Raise ValidationFailed (with every problem found) unless ``tbl`` is a usable table ``name``."""
    if name == "disaster_reporting":
        problems = _validate_disaster_reporting(tbl)
    elif name == "drill_frequency":
        problems = _validate_drill_frequency(tbl)
    elif name == "reporting_obligations":
        problems = _validate_obligations(tbl)
    else:
        problems = _validate_grading(tbl)
    if problems:
        raise ValidationFailed(details=problems)

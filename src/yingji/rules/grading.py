"""Rules engine: event categories, grading and reporting deadlines (pure functions over rule tables).

Every function reads the national tables shipped in ``yingji/rules/*.json`` unless it is given the
effective tables of a jurisdiction (``yingji.rules.overrides.tables_for``). Results explain
themselves in Chinese with the law and article, and keep the structured facts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from yingji.core.errors import ValidationFailed
from yingji.rules import load
from yingji.rules import messages as msg
from yingji.rules.tables import GRADES, GRADING_TABLE_OF_KIND, KINDS, LEVELS, MEASURES, Tables, table

# Chinese label and unit of each measure, for the explanations.
MEASURE_LABELS = {
    "deaths": ("死亡", "人"),
    "missing": ("失踪", "人"),
    "serious_injuries": ("重伤（含急性工业中毒）", "人"),
    "direct_loss_cny": ("直接经济损失", "元"),
    "threatened_people": ("受威胁人数", "人"),
    "potential_loss_cny": ("潜在经济损失", "元"),
    "dead_or_missing": ("死亡和失踪", "人"),
    "needing_aid": ("紧急转移安置或需紧急生活救助", "人"),
    "collapsed_rooms": ("倒塌和严重损坏房屋", "间"),
    "collapsed_households": ("倒塌和严重损坏房屋", "户"),
}
LEVEL_RANK = {level: i for i, level in enumerate(LEVELS)}


@dataclass(frozen=True)
class GradeResult:
    """The grade an event reaches, its label, the explanation and the facts behind it."""

    grade: str | None
    label: str | None
    basis: list[str]
    facts: list[dict] = field(default_factory=list)

    def as_json(self) -> dict:
        """The public answer: ``{"grade", "label", "basis"}``."""
        return {"grade": self.grade, "label": self.label, "basis": list(self.basis)}


@dataclass(frozen=True)
class DeadlineSpec:
    """One reporting obligation: report to ``to`` by ``due_at`` (through ``channel``)."""

    to: str
    due_at: datetime
    basis: str
    channel: str = "report"
    step: str = ""
    law: str = ""
    article: str = ""


# -- categories ---------------------------------------------------------------------------------
def categories() -> dict:
    """The versioned event-category code table (four categories and their subcategories)."""
    return load("event_categories.json")


def subcategory(code: str) -> dict | None:
    """One subcategory row by code (e.g. ``natural.geological``), with its category code; None if unknown."""
    for category in categories()["categories"]:
        for row in category["subcategories"]:
            if row["code"] == code:
                return {**row, "category": category["code"]}
    return None


# -- input checks -------------------------------------------------------------------------------
def check_kind(kind: Any) -> str:
    """The kind if known, else ValidationFailed."""
    if kind not in KINDS:
        raise ValidationFailed(
            details=[
                {
                    "field": "kind",
                    "message": msg.UNKNOWN_KIND,
                    "params": {"choices": ", ".join(KINDS)},
                }
            ]
        )
    return kind


def check_grade(grade: Any, *, required: bool = True) -> str | None:
    """The grade (I–IV, or None when allowed), else ValidationFailed."""
    if grade is None and not required:
        return None
    if grade is None:
        raise ValidationFailed(details=[{"field": "grade", "message": msg.GRADE_REQUIRED}])
    if grade not in GRADES:
        raise ValidationFailed(details=[{"field": "grade", "message": msg.UNKNOWN_GRADE}])
    return grade


def clean_measures(measures: Mapping[str, Any] | None) -> dict[str, int]:
    """Measures as whole numbers ≥ 0; unknown names, negatives and fractions are errors."""
    problems, out = [], {}
    for name, value in (measures or {}).items():
        if name not in MEASURES:
            problems.append({"field": name, "message": msg.UNKNOWN_FIELD})
            continue
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            problems.append({"field": name, "message": msg.WHOLE_NUMBER})
            continue
        out[name] = value
    if problems:
        raise ValidationFailed(details=problems)
    return out


def _check_aware(received_at: Any, field_name: str = "received_at") -> datetime:
    if not isinstance(received_at, datetime) or received_at.utcoffset() is None:
        raise ValidationFailed(
            details=[
                {
                    "field": field_name,
                    "message": msg.AWARE_TIME,
                }
            ]
        )
    return received_at


# -- grading ------------------------------------------------------------------------------------
def _money(value: int) -> str:
    if value >= 100_000_000 and value % 100_000_000 == 0:
        return f"{value // 100_000_000} 亿元"
    if value >= 10_000 and value % 10_000 == 0:
        return f"{value // 10_000} 万元"
    return f"{value} 元"


def _amount(measure: str, value: int, *, with_unit: bool = True) -> str:
    unit = MEASURE_LABELS[measure][1]
    if unit == "元":
        return _money(value)
    return f"{value} {unit}" if with_unit else str(value)


def _cite(row: Mapping[str, Any]) -> str:
    return " ".join(x for x in (row.get("law", ""), row.get("article", "")) if x)


def _effective_values(kind: str, spec: dict, measures: dict[str, int]) -> tuple[dict[str, int], list[str]]:
    """Values the grading compares (missing counted or not, dead_or_missing derived) and notes."""
    values, notes = dict(measures), []
    settings = spec.get("settings", {})
    deaths, missing = measures.get("deaths", 0), measures.get("missing", 0)
    if kind == "production_safety":
        if settings.get("count_missing_as_deaths"):
            values["deaths"] = deaths + missing
            if missing:
                notes.append(f"死亡 {deaths} 人 + 失踪 {missing} 人计入死亡人数（本地设置）")
        elif missing:
            notes.append(
                f"失踪 {missing} 人：须报告，不计入等级（{spec.get('law', '')} 第十二条；可按辖区设置）"
            )
    derive = settings.get("dead_or_missing_from_parts", True)
    if derive and "dead_or_missing" in spec.get("measures", ()) and "dead_or_missing" not in measures:
        values["dead_or_missing"] = deaths + missing
        if deaths or missing:
            notes.append(f"死亡和失踪 {deaths + missing} 人 = 死亡 {deaths} 人 + 失踪 {missing} 人")
    return values, notes


def _reached(spec: dict, values: dict[str, int]) -> tuple[str | None, list[dict]]:
    """The highest grade any one measure reaches, with the facts that reach it."""
    for grade in GRADES:
        row = spec["grades"].get(grade) or {}
        facts = []
        for measure, limit in row.get("thresholds", {}).items():
            if limit.get("min") is None:
                continue
            value = values.get(measure, 0)
            if value >= limit["min"]:
                facts.append(
                    {
                        "grade": grade,
                        "measure": measure,
                        "value": value,
                        "op": ">=",
                        "threshold": limit["min"],
                        "law": limit.get("law", ""),
                        "article": limit.get("article", ""),
                        "confidence": limit.get("confidence", ""),
                    }
                )
        if facts:
            return grade, facts
    return None, []


def _lowest_thresholds(spec: dict) -> tuple[str | None, dict]:
    """The lowest grade with thresholds (the one a floor or null result stays below)."""
    for grade in reversed(GRADES):
        row = spec["grades"].get(grade) or {}
        if any(v.get("min") is not None for v in row.get("thresholds", {}).values()):
            return grade, row["thresholds"]
    return None, {}


def _below(spec: dict, values: dict[str, int]) -> list[dict]:
    above, thresholds = _lowest_thresholds(spec)
    return [
        {
            "grade": above,
            "measure": measure,
            "value": values.get(measure, 0),
            "op": "<",
            "threshold": limit["min"],
            "law": limit.get("law", ""),
            "article": limit.get("article", ""),
            "confidence": limit.get("confidence", ""),
        }
        for measure, limit in thresholds.items()
        if limit.get("min") is not None
    ]


def _fact_text(fact: dict) -> str:
    zh = MEASURE_LABELS[fact["measure"]][0]
    money = MEASURE_LABELS[fact["measure"]][1] == "元"
    op = "≥" if fact["op"] == ">=" else "<"
    threshold = _amount(fact["measure"], fact["threshold"], with_unit=money)
    return f"{zh} {_amount(fact['measure'], fact['value'])} {op} {threshold}"


def grade(kind: str, measures: Mapping[str, Any] | None, *, tables: Tables | None = None) -> GradeResult:
    """Grade an event of ``kind`` from its measures (absent = 0): the highest grade any measure reaches."""
    check_kind(kind)
    clean = clean_measures(measures)
    spec = table(tables, GRADING_TABLE_OF_KIND[kind])["kinds"][kind]
    values, notes = _effective_values(kind, spec, clean)
    reached, facts = _reached(spec, values)
    if reached is not None:
        label = spec["grades"][reached]["label"]
        basis = [f"{label}: {_fact_text(f)} ({_cite(f)})" for f in facts]
        return GradeResult(reached, label, basis + notes, facts)
    below = _below(spec, values)
    floor = next((g for g in reversed(GRADES) if (spec["grades"].get(g) or {}).get("floor")), None)
    stays = "; ".join(_fact_text(f) for f in below)
    if floor is not None:
        row = spec["grades"][floor]
        above = spec["grades"].get(below[0]["grade"], {}).get("label", "") if below else ""
        basis = [f"{row['label']}: 未达{above}标准 — {stays} ({_cite(row)})"]
        return GradeResult(floor, row["label"], basis + notes, below)
    lowest = spec["grades"].get(below[0]["grade"], {}).get("label", "") if below else ""
    cite = _cite(below[0]) if below else spec.get("law", "")
    return GradeResult(None, None, [f"未达{lowest}标准: {stays} ({cite})", *notes], below)


# -- reporting deadlines ------------------------------------------------------------------------
def _duration(minutes: int) -> str:
    if minutes == 0:
        return "立即"
    hours, rest = divmod(minutes, 60)
    parts = ([f"{hours} 小时"] if hours else []) + ([f"{rest} 分钟"] if rest else [])
    return " ".join(parts)


def _shift(value: datetime, delta: timedelta, zone) -> datetime:
    """``value + delta`` in ``zone``; a time too near the calendar's ends is bad input, not a crash."""
    try:
        return (value + delta).astimezone(zone)
    except OverflowError:
        raise ValidationFailed(details=[{"field": "received_at", "message": msg.OUT_OF_RANGE}]) from None


def _step_offsets(steps: dict) -> dict[str, int]:
    """Minutes from receipt to each step's deadline, following the ``after`` chain."""
    offsets: dict[str, int] = {}

    def offset(step_id: str, depth: int = 0) -> int:
        if step_id in offsets:
            return offsets[step_id]
        step = steps[step_id]
        after = step.get("after", "received")
        start = 0 if after == "received" or depth > len(steps) else offset(after, depth + 1)
        offsets[step_id] = start + step.get("minutes", 0)
        return offsets[step_id]

    for step_id in steps:
        offset(step_id)
    return offsets


def _applies(step: dict, grade_code: str | None, values: dict[str, int]) -> bool:
    if step.get("disabled"):
        return False
    if step.get("grades") is not None and grade_code not in step["grades"]:
        return False
    return all(values.get(m, 0) >= v for m, v in step.get("when", {}).items())


def reporting_deadlines(
    kind: str,
    grade: str | None,
    received_at: datetime,
    jurisdiction: str | None = None,
    *,
    tables: Tables | None = None,
    measures: Mapping[str, Any] | None = None,
) -> list[DeadlineSpec]:
    """Who must have the report by when: one row per level (and channel), ordered by due time.

    ``received_at`` (timezone-aware) starts the clocks — for production safety, when the unit's head
    received the report. ``jurisdiction`` only names the place: pass its effective ``tables``.
    Due times keep ``received_at``'s timezone.
    """
    check_kind(kind)
    obligations = table(tables, "reporting_obligations")
    spec = obligations["obligations"][obligations["kind_obligations"][kind]]
    check_grade(grade, required=spec.get("grade_required", True))
    _check_aware(received_at)
    values, _notes = _effective_values(
        kind, {"measures": ("dead_or_missing",), "settings": {}}, clean_measures(measures)
    )
    steps = {**obligations.get("common_steps", {}), **spec["steps"]}
    offsets = _step_offsets(steps)
    start = _shift(received_at, timedelta(0), UTC)
    best: dict[tuple[str, str], DeadlineSpec] = {}
    for step_id, step in steps.items():
        if not _applies(step, grade, values):
            continue
        due = _shift(start, timedelta(minutes=offsets[step_id]), received_at.tzinfo)
        total = "立即" if offsets[step_id] == 0 else f"最迟 接报后 {_duration(offsets[step_id])}"
        basis = f"{step.get('zh', step_id)}（{total}）({_cite(step)})"
        channel = step.get("channel", "report")
        row = DeadlineSpec(
            step["to"], due, basis, channel, step_id, step.get("law", ""), step.get("article", "")
        )
        key = (row.to, channel)
        if key not in best or row.due_at < best[key].due_at:
            best[key] = row
    return sorted(best.values(), key=lambda r: (r.due_at, LEVEL_RANK.get(r.to, 99), r.channel))


# -- later deadlines (days) ---------------------------------------------------------------------
def end_of_period(start: datetime, days: int) -> datetime:
    """The end (24:00 local) of a period of ``days`` days counted from the day after ``start``."""
    _check_aware(start, "start")
    rule = load("reporting_obligations.json")["period_counting"]
    zone = ZoneInfo(rule["timezone"])
    try:
        last_day: date = start.astimezone(zone).date() + timedelta(days=days + 1)
        return datetime.combine(last_day, time(0), tzinfo=zone).astimezone(start.tzinfo)
    except OverflowError:
        raise ValidationFailed(details=[{"field": "start", "message": msg.OUT_OF_RANGE}]) from None


def supplementary_days(category_code: str) -> int:
    """Days of the 补报 window for a category or subcategory (7 for road traffic and fire, else 30)."""
    row = subcategory(category_code)
    if row is not None:
        return row["supplementary_days"]
    if any(c["code"] == category_code for c in categories()["categories"]):
        return load("reporting_obligations.json")["supplementary_report"]["days_default"]
    raise ValidationFailed(details=[{"field": "category", "message": msg.UNKNOWN_CATEGORY}])


def supplementary_deadline(category_code: str, final_report_at: datetime) -> datetime:
    """End of the 补报 window: 30 days (7 for road traffic and fire) counted from the day after the
    instant given (493号令 第十三条 counts from the day the accident happened: pass that to follow it)."""
    return end_of_period(final_report_at, supplementary_days(category_code))


def investigation_deadline(grade: str | None, occurred_at: datetime, *, extension_days: int = 0) -> datetime:
    """When the investigation report is due: 60 days from the accident, plus an approved extension
    of at most 60 days (493号令 第二十九条); the same for every grade (None allowed)."""
    check_grade(grade, required=False)
    rule = load("reporting_obligations.json")["investigation_report"]
    if not isinstance(extension_days, int) or not 0 <= extension_days <= rule["max_extension_days"]:
        raise ValidationFailed(
            details=[
                {
                    "field": "extension_days",
                    "message": msg.EXTENSION_TOO_LONG,
                    "params": {"days": rule["max_extension_days"]},
                }
            ]
        )
    return end_of_period(occurred_at, rule["days"] + extension_days)


def investigation_authority(grade: str) -> str:
    """Which level investigates an accident of this grade (493号令 第十九条): national … county."""
    check_grade(grade)
    return load("reporting_obligations.json")["investigation_report"]["authority"][grade]

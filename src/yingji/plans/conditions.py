"""A plan level's trigger conditions as data, checked against an incident: the grade it has, the
grade its figures reach under the law's grading tables (``grading.grading`` over the effective tables
of the incident's place), and the plan's own figures. The proposal is the highest level reached;
every line of the explanation says why, with the law's citation where a grading table decided.

Conditions (``PlanLevel.conditions``) are validated by ``plans.schemas.Conditions``:
``{"grades": ["II"], "rule": {"kind": "geological_damage", "grade": "II"},
"figures": [{"measure": "deaths", "min": 3}]}`` — any one condition starts the level.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from yingji.core.i18n import N_
from yingji.incidents.assess import GRADE_RANK, measures_of
from yingji.incidents.models import Incident
from yingji.plans.models import PlanLevel
from yingji.plans.schemas import Conditions
from yingji.response.common import zh
from yingji.rules import grading
from yingji.rules.overrides import tables_for
from yingji.rules.tables import Tables

LEVEL_LABELS = {1: "Ⅰ级", 2: "Ⅱ级", 3: "Ⅲ级", 4: "Ⅳ级"}
GRADE_LABELS = {"I": "Ⅰ级（特别重大）", "II": "Ⅱ级（重大）", "III": "Ⅲ级（较大）", "IV": "Ⅳ级（一般）"}
FIGURE_LABELS = {
    "deaths": ("死亡", "人"),
    "missing": ("失踪", "人"),
    "serious_injuries": ("重伤", "人"),
    "injuries": ("受伤", "人"),
    "trapped": ("被困", "人"),
    "direct_loss_cny": ("直接经济损失", "元"),
    "relocated": ("紧急转移安置", "人"),
    "affected": ("受灾", "人"),
    "needing_aid": ("需紧急生活救助", "人"),
    "collapsed_rooms": ("倒塌和严重损坏房屋", "间"),
    "collapsed_households": ("倒塌和严重损坏房屋", "户"),
    "threatened_people": ("受威胁", "人"),
    "potential_loss_cny": ("潜在经济损失", "元"),
}
KIND_LABELS = {
    "production_safety": "生产安全事故等级",
    "geological_damage": "地质灾害灾情等级",
    "geological_threat": "地质灾害险情等级",
    "natural_disaster_relief": "自然灾害救助响应等级",
}


def amount(measure: str, value: float) -> str:
    """A figure as people read it: 3 人, 500 万元, 1 亿元."""
    unit = FIGURE_LABELS[measure][1]
    value = int(value)
    if unit == "元":
        if value >= 100_000_000 and value % 100_000_000 == 0:
            return f"{value // 100_000_000} 亿元"
        if value >= 10_000 and value % 10_000 == 0:
            return f"{value // 10_000} 万元"
    return f"{value} {unit}"


@dataclass
class LevelCheck:
    level: int
    reached: bool
    reasons: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return LEVEL_LABELS[self.level]


@dataclass
class Proposal:
    level: int | None
    reasons: list[str]
    checks: list[LevelCheck]


def describe(conditions: dict) -> list[str]:
    """The conditions in words (for the document and the editor)."""
    c = Conditions.model_validate(conditions or {})
    lines = []
    if c.grades:
        lines.append("事件等级为" + "或".join(GRADE_LABELS[g] for g in c.grades))
    if c.rule is not None:
        lines.append(f"按{KIND_LABELS[c.rule.kind]}标准达到{GRADE_LABELS[c.rule.grade]}及以上")
    for f in c.figures:
        lines.append(f"{FIGURE_LABELS[f.measure][0]}达到 {amount(f.measure, f.min)}")
    return lines


def check_level(
    level: PlanLevel, incident: Incident, figures: dict[str, int], tables: Tables, graded: dict
) -> LevelCheck:
    """Does the incident reach this level? ``graded`` caches the rules engine's answer per kind."""
    c = Conditions.model_validate(level.conditions or {})
    out = LevelCheck(level.level, False)
    if c.grades:
        if incident.grade in c.grades:
            out.reached = True
            out.reasons.append(zh(N_("The incident is graded {grade}."), grade=GRADE_LABELS[incident.grade]))
        else:
            shown = GRADE_LABELS.get(incident.grade or "", zh(N_("not graded")))
            out.reasons.append(
                zh(N_("The incident's grade ({grade}) is not one of this level's."), grade=shown)
            )
    if c.rule is not None:
        kind = c.rule.kind
        if kind not in graded:
            graded[kind] = grading.grade(kind, measures_of(figures), tables=tables)
        result = graded[kind]
        if GRADE_RANK[result.grade] >= GRADE_RANK[c.rule.grade]:
            out.reached = True
            out.reasons.append(
                zh(
                    N_("By the {table} the figures reach {grade}: {basis}"),
                    table=KIND_LABELS[kind],
                    grade=GRADE_LABELS[result.grade],
                    basis="；".join(result.basis),
                )
            )
        else:
            out.reasons.append(
                zh(
                    N_("By the {table} the figures do not reach {grade}."),
                    table=KIND_LABELS[kind],
                    grade=GRADE_LABELS[c.rule.grade],
                )
            )
    for f in c.figures:
        value = figures.get(f.measure, 0)
        name = FIGURE_LABELS[f.measure][0]
        if value >= f.min:
            out.reached = True
            out.reasons.append(f"{name} {amount(f.measure, value)} ≥ {amount(f.measure, f.min)}")
    if not (c.grades or c.rule or c.figures):
        out.reasons.append(zh(N_("No trigger condition is recorded as data for this level.")))
    return out


def propose(
    session: Session, levels: list[PlanLevel], incident: Incident, tables: Tables | None = None
) -> Proposal:
    """The highest level (Ⅰ before Ⅳ) whose conditions the incident reaches, with the reasons.
    ``tables``: the effective rule tables of the incident's place, when the caller has them."""
    figures = incident.figures()
    tables = tables if tables is not None else tables_for(session, incident.jurisdiction_code)
    graded: dict = {}
    checks = [
        check_level(lv, incident, figures, tables, graded) for lv in sorted(levels, key=lambda x: x.level)
    ]
    reached = [c for c in checks if c.reached]
    if not levels:
        return Proposal(None, [zh(N_("The plan has no response levels yet."))], [])
    if not reached:
        return Proposal(None, [zh(N_("The incident reaches no level's trigger conditions yet."))], checks)
    best = reached[0]
    lead = zh(N_("{level} response proposed."), level=best.label)
    return Proposal(best.level, [lead, *[r for r in best.reasons]], checks)


def from_rules(kind: str, tables: Tables | None = None) -> dict[int, dict]:
    """Levels 1–4 tied to a grading table of the law: level n starts when the figures reach grade n
    (Ⅰ … Ⅳ); the trigger text spells the thresholds out with their citations."""
    spec = grading.table(tables, grading.GRADING_TABLE_OF_KIND[kind])["kinds"][kind]
    out = {}
    for n, grade in enumerate(("I", "II", "III", "IV"), start=1):
        row = spec["grades"].get(grade) or {}
        parts, cites = [], []
        for measure, limit in row.get("thresholds", {}).items():
            if limit.get("min") is None:
                continue
            parts.append(f"{FIGURE_LABELS[measure][0]} {amount(measure, limit['min'])}以上")
            cite = " ".join(x for x in (limit.get("law", ""), limit.get("article", "")) if x)
            if cite and cite not in cites:
                cites.append(cite)
        label = row.get("label", GRADE_LABELS[grade])
        if parts:
            text = f"发生{label}{spec.get('zh', '')}（{'，或'.join(parts)}），启动{LEVEL_LABELS[n]}响应。"
        else:
            cite = " ".join(x for x in (row.get("law", ""), row.get("article", "")) if x)
            cites.append(cite) if cite else None
            text = f"发生{label}{spec.get('zh', '')}，启动{LEVEL_LABELS[n]}响应。"
        if cites:
            text += f"依据：{'；'.join(cites)}。"
        out[n] = {
            "trigger_text": text,
            "conditions": {"grades": [], "rule": {"kind": kind, "grade": grade}, "figures": []},
        }
    return out

"""Drill frequency compliance (RULES2 §9.4): who had to drill, when they last did, when the next
drill is due, who is overdue.

The minimum intervals are data (``rules/drill_frequency.json``, with sources); a jurisdiction may set
a stricter local rule as an override of that table (page /rules), which applies in its subtree
(nearest wins) — seed 002's comprehensive drill of every special plan at least every two years is
such an override. Subjects:

- plans in force of kind special, department and onsite_procedure: drills exercising the plan;
- each town (street): the town's own drills (held with the town as the drill's place);
- each disaster-prone village (at least the configured number of active hazard points): drills held
  in the village or its groups;
- each active enterprise of the risk register: drills of the enterprise (``enterprise_id``); the
  units 条例708 第八条 lists (by industry, or flagged as handling hazardous chemicals) every six
  months, the others yearly.

Only held drills (ended, evaluated) on or before ``as_of`` count. A subject never drilled is due
from its plan's issue day, or at once (places and enterprises). Set-based: one query per subject kind.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal
from yingji.core import clock
from yingji.core.i18n import gettext
from yingji.drills import labels
from yingji.drills.models import Drill, DrillPlan
from yingji.monitoring.models import HazardPoint, PointStatus
from yingji.org import codes as division_codes
from yingji.org import places
from yingji.org.models import Jurisdiction
from yingji.plans.codes import IN_FORCE
from yingji.plans.models import Plan
from yingji.risk.models import Enterprise, EnterpriseStatus
from yingji.rules import load, tables
from yingji.rules.models import RuleOverride

TABLE = "drill_frequency"
PLAN_SUBJECT = {
    "special": "special_plan",
    "department": "department_plan",
    "onsite_procedure": "onsite_procedure",
}
SUBJECT_ORDER = tuple(labels.SUBJECT)


@dataclass
class Row:
    subject: str
    key: str
    name: str
    jurisdiction_code: str
    months: int
    last_drill_on: date | None
    last_drill_id: int | None
    due_on: date | None
    overdue: bool
    rule: str


def add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class Frequencies:
    """The effective drill_frequency table of any place: national table + ancestors' overrides."""

    def __init__(self, session: Session, at: datetime) -> None:
        latest: dict[str, RuleOverride] = {}
        rows = session.scalars(
            select(RuleOverride)
            .where(RuleOverride.table_name == TABLE, RuleOverride.valid_from <= at)
            .order_by(RuleOverride.valid_from, RuleOverride.id)
        )
        for row in rows:
            latest[row.jurisdiction_code] = row
        self.overrides = sorted(latest.values(), key=lambda r: len(r.jurisdiction_code))
        self.memo: dict[tuple[int, ...], dict] = {}

    def subjects(self, code: str) -> dict:
        chosen = [r for r in self.overrides if code.startswith(r.jurisdiction_code)]
        key = tuple(r.id for r in chosen)
        if key not in self.memo:
            overlays = [
                (r.data, {"source": r.source, "jurisdiction_code": r.jurisdiction_code}) for r in chosen
            ]
            self.memo[key] = tables.effective(TABLE, overlays)["subjects"]
        return self.memo[key]


def _day(starts_at: datetime | None, planned_on: date | None) -> date | None:
    return clock.to_local(starts_at).date() if starts_at is not None else planned_on


def _latest(pairs, as_of: date, scope_rule: str | None = None) -> dict:
    """key → (day, drill id) of the latest drill held on or before ``as_of``; ``pairs`` = (key, id,
    starts_at, planned_on, scope)."""
    out: dict = {}
    for key, drill_id, starts_at, planned_on, scope in pairs:
        if scope_rule and scope != scope_rule:
            continue
        day = _day(starts_at, planned_on)
        if day is not None and day <= as_of and (key not in out or day > out[key][0]):
            out[key] = (day, drill_id)
    return out


def _row(subject, key, name, code, rule, last, base_day, as_of) -> Row | None:
    if rule.get("disabled"):
        return None
    months = int(rule["months"])
    last_day, last_id = last or (None, None)
    start = last_day or base_day
    due = add_months(start, months) if start else None
    cite = " ".join(x for x in (rule.get("law", ""), rule.get("article", "")) if x)
    return Row(subject, key, name, code, months, last_day, last_id, due, due is None or due < as_of, cite)


def _bounds(scope_code: str):
    return division_codes.subtree_bounds(scope_code) if scope_code else ("", "\uffff")


def compute(session: Session, scope_code: str, as_of: date | None = None) -> list[Row]:
    """Every subject in the subtree of ``scope_code`` with its last drill and due day."""
    as_of = as_of or clock.to_local(clock.now()).date()
    freq = Frequencies(session, clock.now())
    low, high = _bounds(scope_code)
    held = Drill.state.in_(labels.HELD)
    rows: list[Row] = []

    # plans in force
    plans = session.execute(
        select(Plan.id, Plan.title, Plan.kind, Plan.jurisdiction_code, Plan.issued_on).where(
            Plan.jurisdiction_code >= low,
            Plan.jurisdiction_code < high,
            Plan.kind.in_(tuple(PLAN_SUBJECT)),
            Plan.state.in_([s.value for s in IN_FORCE]),
        )
    ).all()
    plan_drills = session.execute(
        select(DrillPlan.plan_id, Drill.id, Drill.starts_at, Drill.planned_on, Drill.scope)
        .join(Drill, Drill.id == DrillPlan.drill_id)
        .join(Plan, Plan.id == DrillPlan.plan_id)
        .where(Plan.jurisdiction_code >= low, Plan.jurisdiction_code < high, held)
    ).all()
    drills_of_plan: dict[int, list] = {}
    for d in plan_drills:
        drills_of_plan.setdefault(d[0], []).append(d)
    for p in plans:
        subject = PLAN_SUBJECT[p.kind]
        rule = freq.subjects(p.jurisdiction_code)[subject]
        last = _latest(drills_of_plan.get(p.id, []), as_of, rule.get("scope"))
        row = _row(
            subject, f"plan:{p.id}", p.title, p.jurisdiction_code, rule, last.get(p.id), p.issued_on, as_of
        )
        if row:
            rows.append(row)

    # towns and disaster-prone villages
    place_rows = session.execute(
        select(Jurisdiction.code, Jurisdiction.name, Jurisdiction.level).where(
            Jurisdiction.code >= low, Jurisdiction.code < high, Jurisdiction.level.in_(("town", "village"))
        )
    ).all()
    threshold = int(load(f"{TABLE}.json")["disaster_prone_village"]["hazard_points"])
    prone = set(
        session.scalars(
            select(HazardPoint.jurisdiction_code)
            .where(HazardPoint.jurisdiction_code >= low, HazardPoint.jurisdiction_code < high)
            .where(HazardPoint.status == PointStatus.ACTIVE)
            .group_by(HazardPoint.jurisdiction_code)
            .having(func.count() >= threshold)
        )
    )
    prone_villages = {c[:12] for c in prone if len(c) >= 12}
    place_drills = session.execute(
        select(Drill.jurisdiction_code, Drill.id, Drill.starts_at, Drill.planned_on, Drill.scope).where(
            Drill.jurisdiction_code >= low,
            Drill.jurisdiction_code < high,
            Drill.enterprise_id.is_(None),
            held,
        )
    ).all()
    town_last = _latest(place_drills, as_of)
    village_last = _latest([(c[:12], *rest) for c, *rest in place_drills if len(c) >= 12], as_of)
    for code, name, level in place_rows:
        if level == "town":
            rule = freq.subjects(code)["town"]
            row = _row("town", f"place:{code}", name, code, rule, town_last.get(code), None, as_of)
        elif code in prone_villages:
            rule = freq.subjects(code)["village"]
            row = _row("village", f"place:{code}", name, code, rule, village_last.get(code), None, as_of)
        else:
            row = None
        if row:
            rows.append(row)

    # enterprises
    spec = load(f"{TABLE}.json")["high_risk_industries"]
    risky = set(spec["codes"])
    ents = session.execute(
        select(
            Enterprise.id,
            Enterprise.name,
            Enterprise.jurisdiction_code,
            Enterprise.industry,
            Enterprise.hazardous_chemicals,
        ).where(
            Enterprise.jurisdiction_code >= low,
            Enterprise.jurisdiction_code < high,
            Enterprise.status == EnterpriseStatus.ACTIVE,
        )
    ).all()
    ent_drills = session.execute(
        select(Drill.enterprise_id, Drill.id, Drill.starts_at, Drill.planned_on, Drill.scope)
        .join(Enterprise, Enterprise.id == Drill.enterprise_id)
        .where(Enterprise.jurisdiction_code >= low, Enterprise.jurisdiction_code < high, held)
    ).all()
    ent_last = _latest(ent_drills, as_of)
    for e in ents:
        high_risk = e.industry in risky or (spec.get("hazardous_chemicals") and e.hazardous_chemicals)
        subject = "enterprise_high_risk" if high_risk else "enterprise"
        rule = freq.subjects(e.jurisdiction_code)[subject]
        row = _row(
            subject, f"enterprise:{e.id}", e.name, e.jurisdiction_code, rule, ent_last.get(e.id), None, as_of
        )
        if row:
            rows.append(row)
    rows.sort(key=lambda r: (SUBJECT_ORDER.index(r.subject), r.jurisdiction_code, r.key))
    return rows


def summary(rows: list[Row]) -> list[dict]:
    """Per subject: how many, compliant, overdue, the rate (null when there is none)."""
    out = []
    for subject in SUBJECT_ORDER:
        mine = [r for r in rows if r.subject == subject]
        if not mine:
            continue
        overdue = sum(r.overdue for r in mine)
        months = sorted({r.months for r in mine})
        out.append(
            {
                "subject": subject,
                "subject_label": gettext(labels.SUBJECT[subject]),
                "months": months[0],
                "total": len(mine),
                "compliant": len(mine) - overdue,
                "overdue": overdue,
                "rate": round((len(mine) - overdue) / len(mine), 4),
            }
        )
    return out


def row_out(row: Row, names: dict[str, str]) -> dict:
    return {
        "subject": row.subject,
        "subject_label": gettext(labels.SUBJECT[row.subject]),
        "key": row.key,
        "name": row.name,
        "jurisdiction_code": division_codes.division_code_12(row.jurisdiction_code),
        "jurisdiction_name": names.get(row.jurisdiction_code),
        "months": row.months,
        "last_drill_on": row.last_drill_on,
        "last_drill_id": row.last_drill_id,
        "due_on": row.due_on,
        "overdue": row.overdue,
        "rule": row.rule,
    }


def for_principal(
    session: Session, principal: Principal, within: str | None, as_of: date | None = None
) -> dict:
    """The compliance table of the principal's scope (or a place in it: 404 outside)."""
    code = within or principal.jurisdiction_code
    if within:
        places.within(session, principal, within)
    as_of = as_of or clock.to_local(clock.now()).date()
    rows = compute(session, code, as_of)
    names = places.names(session, [r.jurisdiction_code for r in rows])
    out_rows = [row_out(r, names) for r in rows]
    return {
        "scope_code": division_codes.division_code_12(code) if code else "",
        "as_of": as_of,
        "summary": summary(rows),
        "overdue": [r for r in out_rows if r["overdue"]],
        "rows": out_rows,
    }

"""Plan coverage (预案覆盖): which places, units and enterprises have the plans they must have, by
the must-have rules of ``rules/plan_coverage.json`` (each with its law), counting only plans in force
(``IN_FORCE``). The rate per area (county; the city and province for their own bodies) and per rule,
against the goal of seed 001 (97 %), the gaps with the unit responsible, and which event categories
no special or department plan in force covers.

Set-based: per rule one grouped count and one list of gaps, each a single SQL statement with an
indexed EXISTS on ``plans``; the event categories are read from the plans in force of the scope once.
All of Guizhou takes well under the 2 s goal (bench/plans.py ``coverage_s``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from sqlalchemy import and_, case, exists, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from yingji.core.i18n import current_locale
from yingji.org import codes as division_codes
from yingji.org.models import Jurisdiction, Unit, UnitMembership
from yingji.plans.codes import IN_FORCE
from yingji.plans.models import Plan
from yingji.risk.models import Enterprise
from yingji.rules import load

GAP_LIMIT = 2000
_IN_FORCE = sorted(s.value for s in IN_FORCE)


@cache
def rules() -> dict:
    return load("plan_coverage.json")


@dataclass(frozen=True)
class Rule:
    key: str
    zh: str
    en: str
    subject: str
    kinds: tuple[str, ...]
    required: bool
    spec: dict

    @property
    def label(self) -> str:
        return self.zh if current_locale().startswith("zh") else self.en

    @property
    def responsible_label(self) -> str:
        r = self.spec.get("responsible", {})
        return r.get("zh", "") if current_locale().startswith("zh") else r.get("en", "")


def all_rules() -> list[Rule]:
    return [
        Rule(r["key"], r["zh"], r["en"], r["subject"], tuple(r["kinds"]), bool(r.get("required", True)), r)
        for r in rules()["requirements"]
    ]


def goal() -> float:
    return float(rules()["goal"]["rate"])


@dataclass
class Cell:
    total: int = 0
    covered: int = 0

    @property
    def rate(self) -> float | None:
        return self.covered / self.total if self.total else None

    def add(self, other: Cell) -> None:
        self.total += other.total
        self.covered += other.covered


@dataclass
class Area:
    code: str
    name: str
    cells: dict[str, Cell] = field(default_factory=dict)

    @property
    def overall(self) -> Cell:
        out = Cell()
        for c in self.cells.values():
            out.add(c)
        return out


@dataclass
class Gap:
    rule: str
    subject: str  # place, unit, enterprise
    subject_id: str  # a division code, a unit id or an enterprise id
    name: str
    place_code: str
    place_name: str
    area_code: str
    responsible: str


@dataclass
class Result:
    scope_code: str
    goal: float
    rules: list[Rule]
    areas: list[Area]
    totals: dict[str, Cell]
    gaps: list[Gap]
    gaps_total: int
    categories: list[dict]  # per area: {"code", "name", "counts": {category: n}}

    @property
    def overall(self) -> Cell:
        out = Cell()
        for c in self.totals.values():
            out.add(c)
        return out

    def meets_goal(self, cell: Cell) -> bool | None:
        return None if cell.rate is None else cell.rate >= self.goal


# -- one rule as SQL ---------------------------------------------------------------------------
def _area(code_col):
    """The area a subject counts in: its county, or the city / province itself for their bodies."""
    return case((func.length(code_col) >= 6, func.substr(code_col, 1, 6)), else_=code_col)


def _bounds(scope_code: str):
    return division_codes.subtree_bounds(scope_code) if scope_code else ("", "\uffff")


def _in_force(rule: Rule):
    return and_(Plan.kind.in_(rule.kinds), Plan.state.in_(_IN_FORCE))


def _lengths(levels: list[str]) -> list[int]:
    return [division_codes.LEVEL_LENGTH[lv] for lv in levels]


def _first_unit(kinds: list[str]):
    """Per place, the first unit of these kinds (a grouped subquery: joined, never correlated, so
    that a planner cannot walk every unit of a kind for every place)."""
    return (
        select(Unit.jurisdiction_code.label("code"), func.min(Unit.name).label("name"))
        .where(Unit.kind.in_(kinds))
        .group_by(Unit.jurisdiction_code)
        .subquery()
    )


def _subjects(rule: Rule, scope_code: str):
    """(code column, id column, name column, where clauses, covered clause, responsible column,
    outer joins for the responsible column)."""
    low, high = _bounds(scope_code)
    spec = rule.spec
    if rule.subject == "place":
        j = Jurisdiction
        where = [j.level.in_(spec["levels"]), j.code >= low, j.code < high]
        covered = exists().where(Plan.jurisdiction_code == j.code, _in_force(rule))
        own = _first_unit(spec["responsible"]["unit_kinds"])
        joins = [(own, own.c.code == j.code)]
        responsible = own.c.name
        fallback_kinds = spec["responsible"].get("fallback_town_kinds")
        if fallback_kinds:
            town = _first_unit(fallback_kinds)
            joins.append((town, town.c.code == j.parent_code))
            responsible = func.coalesce(own.c.name, town.c.name)
        return j.code, j.code, j.name, where, covered, responsible, joins
    if rule.subject == "unit":
        u = Unit
        where = [u.kind.in_(spec["unit_kinds"]), u.jurisdiction_code >= low, u.jurisdiction_code < high]
        if spec.get("levels"):
            where.append(func.length(u.jurisdiction_code).in_(_lengths(spec["levels"])))
        for suffix in spec.get("exclude_name_suffixes", []):
            where.append(~u.name.endswith(suffix, autoescape=True))
        links = [getattr(Plan, col) == u.id for col in spec["match"]]
        covered = exists().where(or_(*links), _in_force(rule))
        if spec["responsible"].get("lead_unit"):
            lead = aliased(Unit)
            responsible = (
                select(lead.name)
                .join(UnitMembership, UnitMembership.member_id == lead.id)
                .where(UnitMembership.hq_id == u.id, UnitMembership.role == "lead")
                .limit(1)
                .scalar_subquery()
            )
        else:
            responsible = u.name
        return u.jurisdiction_code, u.id, u.name, where, covered, responsible, []
    e = Enterprise
    risky = [
        e.industry.in_(spec["industries"]),
        *(getattr(e, flag).is_(True) for flag in spec.get("flags", [])),
    ]
    where = [
        or_(*risky),
        e.status.in_(spec["statuses"]),
        e.jurisdiction_code >= low,
        e.jurisdiction_code < high,
    ]
    covered = exists().where(Plan.enterprise_id == e.id, _in_force(rule))
    responsible = func.coalesce(e.principal_name, literal(""))
    return e.jurisdiction_code, e.id, e.name, where, covered, responsible, []


def _counts(session: Session, rule: Rule, scope_code: str) -> dict[str, Cell]:
    code, _id, _name, where, covered, _resp, _joins = _subjects(rule, scope_code)
    area = _area(code).label("area")
    stmt = select(area, func.count(), func.sum(case((covered, 1), else_=0))).where(*where).group_by(area)
    return {a: Cell(int(n), int(c or 0)) for a, n, c in session.execute(stmt)}


def _gaps(session: Session, rule: Rule, scope_code: str, limit: int) -> list[Gap]:
    code, ident, name, where, covered, responsible, joins = _subjects(rule, scope_code)
    place = aliased(Jurisdiction)
    stmt = select(code, ident, name, place.name, responsible).join(place, place.code == code)
    for target, onclause in joins:
        stmt = stmt.outerjoin(target, onclause)
    stmt = stmt.where(*where, ~covered).order_by(code, name).limit(limit)
    fallback = rule.responsible_label
    return [
        Gap(
            rule=rule.key,
            subject=rule.subject,
            subject_id=str(i),
            name=n,
            place_code=c,
            place_name=p,
            area_code=c[:6] if len(c) >= 6 else c,
            responsible=_responsible(rule, r, n, fallback),
        )
        for c, i, n, p, r in session.execute(stmt)
    ]


def _responsible(rule: Rule, value, name: str, fallback: str) -> str:
    if rule.subject == "enterprise":
        who = f"{name}（{value}）" if value else name
        return who
    return value or fallback


# -- event categories --------------------------------------------------------------------------
@cache
def top_categories() -> list[tuple[str, str, str]]:
    return [(c["code"], c["zh"], c["en"]) for c in load("event_categories.json")["categories"]]


def _categories(session: Session, scope_code: str, area_codes: list[str]) -> list[dict]:
    """Per area, how many special and department plans in force cover each of the four categories."""
    low, high = _bounds(scope_code)
    kinds = rules()["categories"]["kinds"]
    stmt = select(Plan.jurisdiction_code, Plan.event_categories).where(
        Plan.kind.in_(kinds),
        Plan.state.in_(_IN_FORCE),
        Plan.jurisdiction_code >= low,
        Plan.jurisdiction_code < high,
    )
    tops = [c for c, _, _ in top_categories()]
    counts: dict[str, dict[str, int]] = {a: dict.fromkeys(tops, 0) for a in area_codes}
    for code, cats in session.execute(stmt):
        area = code[:6] if len(code) >= 6 else code
        row = counts.setdefault(area, dict.fromkeys(tops, 0))
        for top in {str(c).split(".", 1)[0] for c in (cats or [])}:
            if top in row:
                row[top] += 1
    return [{"code": a, "counts": counts[a]} for a in area_codes]


# -- the whole computation ---------------------------------------------------------------------
def compute(
    session: Session,
    scope_code: str,
    *,
    optional: tuple[str, ...] | set[str] = (),
    gap_limit: int = GAP_LIMIT,
    rule_keys: tuple[str, ...] | None = None,
) -> Result:
    """Coverage within ``scope_code`` (a division code; "" for everything): required rules, plus the
    optional ones named in ``optional`` (e.g. ``{"village"}``)."""
    chosen = [
        r
        for r in all_rules()
        if (r.required or r.key in optional) and (rule_keys is None or r.key in rule_keys)
    ]
    per_rule = {r.key: _counts(session, r, scope_code) for r in chosen}
    area_codes = sorted({a for cells in per_rule.values() for a in cells})
    names = dict(
        session.execute(
            select(Jurisdiction.code, Jurisdiction.name).where(Jurisdiction.code.in_(area_codes))
        ).all()
    )
    areas = [
        Area(a, names.get(a, a), {k: per_rule[k][a] for k in per_rule if a in per_rule[k]})
        for a in area_codes
    ]
    totals: dict[str, Cell] = {}
    for r in chosen:
        cell = Cell()
        for c in per_rule[r.key].values():
            cell.add(c)
        totals[r.key] = cell
    gaps: list[Gap] = []
    for r in chosen:
        if len(gaps) >= gap_limit:
            break
        gaps += _gaps(session, r, scope_code, gap_limit - len(gaps))
    gaps_total = sum(c.total - c.covered for c in totals.values())
    categories = _categories(session, scope_code, area_codes)
    for row in categories:
        row["name"] = names.get(row["code"], row["code"])
    return Result(scope_code, goal(), chosen, areas, totals, gaps, gaps_total, categories)

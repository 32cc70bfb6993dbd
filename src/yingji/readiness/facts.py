"""The computed rules of the scorecards, set-based: for every town and village in a range of codes
at once, each rule is one (or two) grouped queries answering "which places meet it". Never a query
per place: all of Guizhou (1,510 towns, 17,964 villages) is a dozen statements
(``bench/scorecards.py``).

Each rule's answer is the set of place codes that meet it; rules whose data do not exist in this
installation (training before its domain) are ``unavailable`` and the items that use them fall back
to a confirmation by hand. Rules over "every village of the town" are folded from the villages'
answers in Python (18,000 codes, milliseconds).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, distinct, exists, func, select
from sqlalchemy.orm import Session

from yingji.damage.models import DisasterOfficer
from yingji.drills.codes import DrillState
from yingji.drills.models import Drill
from yingji.duty import gaps as duty_gaps
from yingji.duty import oncall
from yingji.duty.models import Roster
from yingji.forces.models import Team, TeamMember
from yingji.org.models import (
    GridAssignment,
    GridCell,
    Jurisdiction,
    Position,
    Responsibility,
    Unit,
    UnitMembership,
)
from yingji.plans import coverage
from yingji.plans.codes import IN_FORCE
from yingji.plans.models import Plan
from yingji.readiness import codes
from yingji.readiness.models import Meeting
from yingji.supplies.models import Balance, Warehouse

TOWN_LEN, VILLAGE_LEN = 9, 12
HQ_KIND = "emergency_committee"
# The town HQ's own units whose responsibility lists (863 (2), (9)) are checked, with its member units.
HQ_UNIT_KINDS = ("emergency_committee", "committee_office", "working_group")
HELD_DRILL_STATES = (DrillState.RUNNING.value, DrillState.ENDED.value, DrillState.EVALUATED.value)
VILLAGE_TEAM_KIND = "village_volunteer"
BRIGADE_KIND = "town_brigade"


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    level: str
    parent_code: str | None
    lon: float | None
    lat: float | None


@dataclass
class Facts:
    year: int
    today: date
    places: list[Place]
    met: dict[str, set[str]] = field(default_factory=dict)
    unavailable: set[str] = field(default_factory=set)
    meeting_quarters: dict[str, int] = field(default_factory=dict)  # town → quarters with a meeting
    quarters_due: int = 0


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def _training_helper():
    """The training domain's set-based answer, when it is merged: ``yingji.training.readiness.
    towns_trained(session, low, high, year)`` → codes of the places with training held that year."""
    try:
        module = importlib.import_module("yingji.training.readiness")
    except ImportError:
        return None
    return getattr(module, "towns_trained", None)


def _len(col, n: int):
    return func.length(col) == n


def _range(col, low: str, high: str):
    return and_(col >= low, col < high)


def _codes(session: Session, stmt) -> set[str]:
    return {c for (c,) in session.execute(stmt)}


def places(session: Session, low: str, high: str) -> list[Place]:
    j = Jurisdiction
    stmt = (
        select(j.code, j.name, j.level, j.parent_code, j.lon, j.lat)
        .where(j.level.in_(codes.LEVELS), _range(j.code, low, high))
        .order_by(j.code)
    )
    return [Place(*row) for row in session.execute(stmt)]


# -- the town HQ -------------------------------------------------------------------------------
def hq_unit(session: Session, low: str, high: str) -> set[str]:
    u = Unit
    return _codes(
        session,
        select(u.jurisdiction_code)
        .distinct()
        .where(
            u.kind == HQ_KIND, _len(u.jurisdiction_code, TOWN_LEN), _range(u.jurisdiction_code, low, high)
        ),
    )


def hq_chiefs(session: Session, low: str, high: str) -> set[str]:
    need = codes.threshold("hq_chiefs")
    stmt = (
        select(Unit.jurisdiction_code)
        .join(Position, Position.unit_id == Unit.id)
        .where(
            Unit.kind == HQ_KIND,
            Position.role == "chief",
            _len(Unit.jurisdiction_code, TOWN_LEN),
            _range(Unit.jurisdiction_code, low, high),
        )
        .group_by(Unit.jurisdiction_code)
        .having(func.count(distinct(Position.person_id)) >= need)
    )
    return _codes(session, stmt)


def office_director(session: Session, low: str, high: str) -> set[str]:
    stmt = (
        select(Unit.jurisdiction_code)
        .distinct()
        .join(Position, Position.unit_id == Unit.id)
        .where(
            Unit.kind == "committee_office",
            Position.role == "director",
            _len(Unit.jurisdiction_code, TOWN_LEN),
            _range(Unit.jurisdiction_code, low, high),
        )
    )
    return _codes(session, stmt)


def responsibilities(session: Session, low: str, high: str, hq: set[str]) -> set[str]:
    """Towns whose HQ units (committee, office, working groups) and HQ member units all have a list."""
    has_list = exists().where(Responsibility.unit_id == Unit.id)
    own = (
        select(Unit.jurisdiction_code)
        .where(
            Unit.kind.in_(HQ_UNIT_KINDS),
            _len(Unit.jurisdiction_code, TOWN_LEN),
            _range(Unit.jurisdiction_code, low, high),
        )
        .group_by(Unit.jurisdiction_code)
        .having(func.sum(case((has_list, 0), else_=1)) > 0)
    )
    lacking = _codes(session, own)
    hq_unit_ = Unit.__table__.alias("hq")
    member_list = exists().where(Responsibility.unit_id == UnitMembership.member_id)
    members = (
        select(hq_unit_.c.jurisdiction_code)
        .select_from(UnitMembership)
        .join(hq_unit_, hq_unit_.c.id == UnitMembership.hq_id)
        .where(
            hq_unit_.c.kind == HQ_KIND,
            _len(hq_unit_.c.jurisdiction_code, TOWN_LEN),
            _range(hq_unit_.c.jurisdiction_code, low, high),
        )
        .group_by(hq_unit_.c.jurisdiction_code)
        .having(func.sum(case((member_list, 0), else_=1)) > 0)
    )
    lacking |= _codes(session, members)
    return hq - lacking


# -- meetings, plans, drills, stores, teams ----------------------------------------------------
def meeting_quarters(session: Session, low: str, high: str, year: int, today: date) -> dict[str, int]:
    stmt = (
        select(Meeting.jurisdiction_code, func.count(distinct(Meeting.quarter)))
        .where(
            Meeting.year == year,
            Meeting.held_on <= today,
            Meeting.quarter <= quarter_of(today),
            _range(Meeting.jurisdiction_code, low, high),
        )
        .group_by(Meeting.jurisdiction_code)
    )
    return {c: int(n) for c, n in session.execute(stmt)}


def township_plan(session: Session, low: str, high: str) -> set[str]:
    kinds = next(r.kinds for r in coverage.all_rules() if r.key == "township")
    stmt = (
        select(Plan.jurisdiction_code)
        .distinct()
        .where(
            Plan.kind.in_(kinds),
            Plan.state.in_(sorted(s.value for s in IN_FORCE)),
            _len(Plan.jurisdiction_code, TOWN_LEN),
            _range(Plan.jurisdiction_code, low, high),
        )
    )
    return _codes(session, stmt)


def drills_held(session: Session, low: str, high: str, year: int) -> set[str]:
    """Towns with a drill held at the town, villages with one in the village or its groups."""
    place = case(
        (
            func.length(Drill.jurisdiction_code) >= VILLAGE_LEN,
            func.substr(Drill.jurisdiction_code, 1, VILLAGE_LEN),
        ),
        else_=Drill.jurisdiction_code,
    )
    stmt = (
        select(place)
        .distinct()
        .where(
            Drill.year == year,
            Drill.state.in_(HELD_DRILL_STATES),
            func.length(Drill.jurisdiction_code) >= TOWN_LEN,
            _range(Drill.jurisdiction_code, low, high),
        )
    )
    return _codes(session, stmt)


def store_stock(session: Session, low: str, high: str) -> set[str]:
    w = Warehouse
    stmt = (
        select(w.jurisdiction_code)
        .join(Balance, Balance.warehouse_id == w.id)
        .where(w.active, w.level.in_(codes.LEVELS), _range(w.jurisdiction_code, low, high))
        .group_by(w.jurisdiction_code)
        .having(func.sum(Balance.qty) > 0)
    )
    return _codes(session, stmt)


def teams_with(session: Session, low: str, high: str, kind: str, minimum: int) -> set[str]:
    """Places with an active team of ``kind`` of at least ``minimum`` members (counted, not cached)."""
    per_team = (
        select(Team.jurisdiction_code.label("code"))
        .join(TeamMember, TeamMember.team_id == Team.id)
        .where(Team.kind == kind, Team.active, _range(Team.jurisdiction_code, low, high))
        .group_by(Team.id, Team.jurisdiction_code)
        .having(func.count(TeamMember.id) >= minimum)
        .subquery()
    )
    return _codes(session, select(per_team.c.code).distinct())


# -- grid, duty, officers, stations ------------------------------------------------------------
def grid_leaders(session: Session, low: str, high: str) -> tuple[set[str], set[str]]:
    """(towns whose level-1 cell has a leader, villages whose own cell and all group cells have one)."""
    led = (
        select(GridAssignment.grid_cell_id.label("cid"))
        .distinct()
        .where(GridAssignment.role == "leader", _range(GridAssignment.jurisdiction_code, low, high))
        .subquery()
    )
    towns = _codes(
        session,
        select(GridCell.jurisdiction_code)
        .distinct()
        .join(led, led.c.cid == GridCell.id)
        .where(GridCell.level == 1, _range(GridCell.jurisdiction_code, low, high)),
    )
    village = func.substr(GridCell.jurisdiction_code, 1, VILLAGE_LEN)
    stmt = (
        select(village, func.count(GridCell.id), func.count(led.c.cid), func.min(GridCell.level))
        .outerjoin(led, led.c.cid == GridCell.id)
        .where(GridCell.level.in_((2, 3)), _range(GridCell.jurisdiction_code, low, high))
        .group_by(village)
    )
    villages = {v for v, n, with_leader, top in session.execute(stmt) if n == with_leader and top == 2}
    return towns, villages


def duty_without_gaps(session: Session, low: str, high: str) -> set[str]:
    """Towns with an active duty roster whose coming shifts all have their leader and officer
    (``duty.gaps.find`` over every roster at once: its shift resolution is a few queries in all)."""
    rosters = list(
        session.scalars(
            select(Roster)
            .options(*oncall.LIGHT)
            .where(
                Roster.active,
                _len(Roster.jurisdiction_code, TOWN_LEN),
                _range(Roster.jurisdiction_code, low, high),
            )
        ).unique()
    )
    with_gaps = {g.jurisdiction_code for g in duty_gaps.find(session, rosters)}
    return {r.jurisdiction_code for r in rosters} - with_gaps


def village_officers(session: Session, low: str, high: str, today: date) -> set[str]:
    o = DisasterOfficer
    stmt = (
        select(func.substr(o.jurisdiction_code, 1, VILLAGE_LEN))
        .distinct()
        .where(
            o.active,
            func.length(o.jurisdiction_code) >= VILLAGE_LEN,
            (o.until.is_(None)) | (o.until >= today),
            _range(o.jurisdiction_code, low, high),
        )
    )
    return _codes(session, stmt)


def service_stations(session: Session, low: str, high: str) -> set[str]:
    return _codes(
        session,
        select(Unit.jurisdiction_code)
        .distinct()
        .where(
            Unit.kind == "service_station",
            _len(Unit.jurisdiction_code, VILLAGE_LEN),
            _range(Unit.jurisdiction_code, low, high),
        ),
    )


def _every_village(towns: list[Place], villages_by_town: dict[str, list[str]], met: set[str]) -> set[str]:
    """Towns all of whose villages meet a village rule (a town without villages does not)."""
    return {
        t.code
        for t in towns
        if villages_by_town.get(t.code) and all(v in met for v in villages_by_town[t.code])
    }


def compute(session: Session, scope_code: str, today: date) -> Facts:
    """Every rule for every town and village under ``scope_code`` ("" = everything)."""
    low, high = (
        ("", "\uffff") if not scope_code else (scope_code, scope_code[:-1] + chr(ord(scope_code[-1]) + 1))
    )
    year = today.year
    facts = Facts(year=year, today=today, places=places(session, low, high))
    towns = [p for p in facts.places if p.level == "town"]
    villages_by_town: dict[str, list[str]] = {}
    for p in facts.places:
        if p.level == "village":
            villages_by_town.setdefault(p.code[:TOWN_LEN], []).append(p.code)
    met = facts.met
    met["hq_unit"] = hq_unit(session, low, high)
    met["hq_chiefs"] = hq_chiefs(session, low, high)
    met["office_director"] = office_director(session, low, high)
    met["responsibilities"] = responsibilities(session, low, high, met["hq_unit"])
    facts.quarters_due = quarter_of(today)
    facts.meeting_quarters = meeting_quarters(session, low, high, year, today)
    met["quarterly_meetings"] = {c for c, n in facts.meeting_quarters.items() if n >= facts.quarters_due}
    met["township_plan"] = township_plan(session, low, high)
    met["drill_this_year"] = drills_held(session, low, high, year)
    met["store_stock"] = store_stock(session, low, high)
    met["town_brigade"] = teams_with(session, low, high, BRIGADE_KIND, 1)
    met["village_team"] = teams_with(
        session, low, high, VILLAGE_TEAM_KIND, codes.threshold("volunteer_team_members")
    )
    met["village_teams"] = _every_village(towns, villages_by_town, met["village_team"])
    town_leaders, village_leaders = grid_leaders(session, low, high)
    met["grid_leaders"] = village_leaders | (
        town_leaders & _every_village(towns, villages_by_town, village_leaders)
    )
    met["duty_roster"] = duty_without_gaps(session, low, high)
    met["village_officer"] = village_officers(session, low, high, today)
    met["village_officers"] = _every_village(towns, villages_by_town, met["village_officer"])
    met["service_station"] = service_stations(session, low, high)
    helper = _training_helper()
    if helper is None:
        facts.unavailable.add("training_held")
    else:  # the training domain's own set-based answer (towns with training held this year)
        met["training_held"] = set(helper(session, low, high, year))
    return facts

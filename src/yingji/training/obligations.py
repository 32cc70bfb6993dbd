"""Training obligations per role (rules/training_obligations.json) and who has not met them.

Each role with an obligation is one set-based query: the people obliged (with their place and the
hours they need) left-joined to what they did in the window (hours and trainings counted from the
training file; failed assessments do not count). Two kinds of obligation:

- ``hours`` (enterprise heads and safety managers, 安全培训规定 第九条): the yearly refresher hours of
  the calendar year, 16 instead of 12 in the high-risk sectors. The initial hours (32 / 48) are shown
  beside them: whether a person is new in the post is not recorded, so they are not checked.
- ``regular`` (town and village staff, 灾害信息员): at least one training within the last
  ``YINGJI_TRAINING_STAFF_MONTHS`` / ``YINGJI_TRAINING_OFFICER_MONTHS`` months (default 12) before the
  end of the year (or today, in the current year): the law says 定期 and no more. Officers' own training
  records (``disaster_officer_trainings``, kept by the damage domain) count as trainings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Float, and_, case, cast, func, literal, null, or_, select, union_all
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from yingji.config import env_float
from yingji.core import clock
from yingji.core.i18n import gettext
from yingji.damage.models import DisasterOfficer, OfficerTraining
from yingji.org.models import Person, Position, Unit
from yingji.risk.models import Enterprise, EnterpriseStatus
from yingji.rules import load
from yingji.training.codes import Result, Role
from yingji.training.models import TrainingParticipant as P

RULES = "training_obligations.json"
STAFF_UNIT_KINDS = {
    Role.TOWN_STAFF: (("emergency_committee", "committee_office", "working_group"), 9),
    Role.VILLAGE_STAFF: (("service_station",), 12),
}
OBLIGED_ROLES = (
    Role.TOWN_STAFF,
    Role.VILLAGE_STAFF,
    Role.INFO_OFFICER,
    Role.ENTERPRISE_HEAD,
    Role.SAFETY_MANAGER,
)


def rules() -> dict:
    return load(RULES)


def interval_months(role: str) -> int:
    setting = rules()["roles"][role]["interval_setting"]
    return int(env_float(setting, 12, 1, 120))


@dataclass(frozen=True)
class Window:
    start: date
    end: date


def _months_back(day: date, months: int) -> date:
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    m += 1
    last = [
        31,
        29 if y % 4 == 0 and (y % 100 or y % 400 == 0) else 28,
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ]
    return date(y, m, min(day.day, last[m - 1]))


def window(role: str, year: int, today: date | None = None) -> Window:
    today = today or clock.now().date()
    if rules()["roles"][role]["kind"] == "hours":
        return Window(date(year, 1, 1), date(year, 12, 31))
    end = min(date(year, 12, 31), max(today, date(year, 1, 1)))
    return Window(_months_back(end, interval_months(role)), end)


def _bounds(where, column, bounds: tuple[str, str] | None):
    return where if bounds is None else and_(where, column >= bounds[0], column < bounds[1])


def _counted(w: Window):
    return and_(P.held_on >= w.start, P.held_on <= w.end, P.result != Result.FAILED.value)


def obliged(session: Session, role: str, year: int, bounds: tuple[str, str] | None, today=None) -> Select:
    """One role's people obliged with (key, name, home_code, unit, needed, done_hours, done_count)."""
    w = window(role, year, today)
    role = Role(role)
    if role in STAFF_UNIT_KINDS:
        kinds, length = STAFF_UNIT_KINDS[role]
        people = (
            select(
                Position.person_id.label("key"),
                func.min(Person.name).label("name"),
                func.min(Unit.jurisdiction_code).label("home_code"),
                func.min(Unit.name).label("unit"),
            )
            .join(Unit, Unit.id == Position.unit_id)
            .join(Person, Person.id == Position.person_id)
            .where(
                _bounds(
                    and_(Unit.kind.in_(kinds), func.length(Unit.jurisdiction_code) == length, Person.active),
                    Unit.jurisdiction_code,
                    bounds,
                )
            )
            .group_by(Position.person_id)
            .subquery()
        )
        done = (
            select(P.person_id.label("key"), func.sum(P.hours).label("h"), func.count().label("n"))
            .where(P.person_id.is_not(None), _counted(w))
            .group_by(P.person_id)
            .subquery()
        )
        needed = cast(null(), Float)
    elif role is Role.INFO_OFFICER:
        people = (
            select(
                DisasterOfficer.id.label("key"),
                DisasterOfficer.name.label("name"),
                DisasterOfficer.jurisdiction_code.label("home_code"),
                DisasterOfficer.position.label("unit"),
            )
            .where(_bounds(DisasterOfficer.active, DisasterOfficer.jurisdiction_code, bounds))
            .subquery()
        )
        o = DisasterOfficer
        # A session row counts for an officer signed in as the officer or as the officer's person. Two
        # equi-joins (the second skipping rows the first took), not one OR join: an OR condition
        # cannot be hashed and PostgreSQL ran it as a nested loop over every training row.
        as_officer = (
            select(o.id.label("key"), P.hours.label("h"))
            .join(P, P.officer_id == o.id)
            .where(_counted(w), _bounds(o.active, o.jurisdiction_code, bounds))
        )
        as_person = (
            select(o.id.label("key"), P.hours.label("h"))
            .join(P, P.person_id == o.person_id)
            .where(
                _counted(w),
                _bounds(o.active, o.jurisdiction_code, bounds),
                o.person_id.is_not(None),
                or_(P.officer_id.is_(None), P.officer_id != o.id),
            )
        )
        own = select(
            OfficerTraining.officer_id.label("key"), func.coalesce(OfficerTraining.hours, 0).label("h")
        ).where(
            OfficerTraining.on >= w.start,
            OfficerTraining.on <= w.end,
            or_(OfficerTraining.passed.is_(None), OfficerTraining.passed),
            _bounds(literal(True), OfficerTraining.jurisdiction_code, bounds),
        )
        both = union_all(as_officer, as_person, own).subquery()
        done = (
            select(both.c.key, func.sum(both.c.h).label("h"), func.count().label("n"))
            .group_by(both.c.key)
            .subquery()
        )
        needed = cast(null(), Float)
    else:
        named = Enterprise.principal_name if role is Role.ENTERPRISE_HEAD else Enterprise.safety_manager_name
        high = rules()["high_risk_industries"]
        risky = Enterprise.industry.in_(high["codes"])
        if high.get("hazardous_chemicals_flag"):
            risky = or_(risky, Enterprise.hazardous_chemicals)
        spec = rules()["roles"][role.value]
        people = (
            select(
                Enterprise.id.label("key"),
                named.label("name"),
                Enterprise.jurisdiction_code.label("home_code"),
                Enterprise.name.label("unit"),
                case((risky, spec["high_risk"]["yearly_hours"]), else_=spec["yearly_hours"]).label("needed"),
            )
            .where(
                _bounds(
                    and_(named.is_not(None), named != "", Enterprise.status == EnterpriseStatus.ACTIVE),
                    Enterprise.jurisdiction_code,
                    bounds,
                )
            )
            .subquery()
        )
        done = (
            select(P.enterprise_id.label("key"), func.sum(P.hours).label("h"), func.count().label("n"))
            # an enterprise's rows carry its place as home_code: the (home_code, year) index narrows them
            .where(
                _bounds(P.year == year, P.home_code, bounds),
                P.enterprise_id.is_not(None),
                P.role == role.value,
                _counted(w),
            )
            .group_by(P.enterprise_id)
            .subquery()
        )
        needed = people.c.needed
    done_h = func.coalesce(done.c.h, 0.0)
    done_n = func.coalesce(done.c.n, 0)
    # "regular" roles need one training in the window; "hours" roles their yearly hours
    met = (done_h >= needed) if rules()["roles"][role.value]["kind"] == "hours" else (done_n >= 1)
    return select(
        literal(role.value).label("role"),
        people.c.key,
        people.c.name,
        people.c.home_code,
        people.c.unit,
        needed.label("needed"),
        done_h.label("done_hours"),
        done_n.label("done_count"),
        case((met, 1), else_=0).label("met"),
    ).outerjoin(done, done.c.key == people.c.key)


def all_obliged(session: Session, year: int, bounds, roles=OBLIGED_ROLES, today=None):
    """Every obligation of the place as one subquery (a UNION ALL of the roles)."""
    return union_all(*(obliged(session, r, year, bounds, today) for r in roles)).subquery()


def _scope_bounds(session: Session, principal, within: str | None):
    from yingji.org import places
    from yingji.org.codes import subtree_bounds

    if within:
        return places.within(session, principal, within)
    return subtree_bounds(principal.jurisdiction_code) if principal.jurisdiction_code else None


def summary(session: Session, principal, year: int, within: str | None = None, today=None) -> list[dict]:
    """Per role: people obliged and met, the rule and its source, the window counted."""
    from yingji.training import labels

    bounds = _scope_bounds(session, principal, within)
    out = []
    for role in OBLIGED_ROLES:
        q = obliged(session, role, year, bounds, today).subquery()
        n, met = session.execute(select(func.count(), func.coalesce(func.sum(q.c.met), 0))).one()
        spec = rules()["roles"][role.value]
        w = window(role.value, year, today)
        if spec["kind"] == "hours":
            h = spec["high_risk"]
            rule = gettext(
                "Yearly at least {y} h (high-risk sectors {yh} h); initially {i} h ({ih} h)",
                y=spec["yearly_hours"],
                yh=h["yearly_hours"],
                i=spec["initial_hours"],
                ih=h["initial_hours"],
            )
        else:
            rule = gettext("At least one training every {m} months", m=interval_months(role.value))
        out.append(
            {
                "role": role.value,
                "role_label": labels.label(labels.ROLE, role.value),
                "kind": spec["kind"],
                "obliged": n,
                "met": int(met),
                "rule": rule,
                "source": f"{spec['law']} — {spec['source']}",
                "window_start": w.start,
                "window_end": w.end,
            }
        )
    return out


def overdue(
    session: Session,
    principal,
    year: int,
    *,
    role: str | None = None,
    within: str | None = None,
    include_met: bool = False,
    page: int = 1,
    size: int = 50,
    today=None,
) -> tuple[list[dict], int]:
    """The people who have not met their obligation (or everyone obliged), by place then name."""
    from yingji.training import labels

    bounds = _scope_bounds(session, principal, within)
    roles = (Role(role),) if role else OBLIGED_ROLES
    every = all_obliged(session, year, bounds, roles, today)
    stmt = select(every)
    if not include_met:
        stmt = stmt.where(every.c.met == 0)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    size = min(max(size, 1), 10_000)
    rows = session.execute(
        stmt.order_by(every.c.home_code, every.c.role, every.c.name, every.c.key)
        .limit(size)
        .offset((max(page, 1) - 1) * size)
    ).all()
    return [
        {
            "role": r.role,
            "role_label": labels.label(labels.ROLE, r.role),
            "key": r.key,
            "name": r.name,
            "home_code": r.home_code,
            "unit": r.unit,
            "needed_hours": r.needed,
            "done_hours": float(r.done_hours or 0),
            "done_count": int(r.done_count or 0),
            "met": bool(r.met),
        }
        for r in rows
    ], total

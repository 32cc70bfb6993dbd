"""The platform's own records as assessment counts: one function per named source, each answering for
all assessed units at once (one grouped query over the assessor's subtree, or one computation of the
domain's own helper), ``{unit code: {count name: n}}``. The deduction rules of a scheme name these
count names (``on``); the other counts are shown in the explanation.

Sources from other domains (training, readiness, work tasks) are imported when asked for: on a
platform without them the indicator is scored by hand (``available`` says which exist)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, case, func, literal_column, select
from sqlalchemy.orm import Session

from yingji.core import clock
from yingji.core.i18n import N_
from yingji.incidents.codes import DeadlineState
from yingji.org.codes import subtree_bounds
from yingji.risk.danger_models import DangerStatus


@dataclass(frozen=True)
class Window:
    """The assessed year up to today: local dates and their UTC bounds."""

    year: int
    first: date
    last: date  # the last day counted (year end, or yesterday in the current year)

    @property
    def start_utc(self) -> datetime:
        return clock.to_utc(datetime.combine(self.first, time(0), tzinfo=clock.LOCAL_TZ)).replace(tzinfo=None)

    @property
    def end_utc(self) -> datetime:
        nxt = datetime.combine(self.last + timedelta(days=1), time(0), tzinfo=clock.LOCAL_TZ)
        return clock.to_utc(nxt).replace(tzinfo=None)


def window(year: int, today: date | None = None) -> Window:
    today = today or clock.to_local(clock.now()).date()
    last = min(date(year, 12, 31), today - timedelta(days=1))
    return Window(year, date(year, 1, 1), max(last, date(year, 1, 1)))


def unit_of(column, length: int):
    """The assessed unit (first ``length`` digits) of a row's code, as SQL; the bounds are inline
    literals so PostgreSQL sees the same expression in SELECT and GROUP BY."""
    return func.substr(column, literal_column("1"), literal_column(str(length)))


def _in(column, scope: str):
    low, high = subtree_bounds(scope)
    return and_(column >= low, column < high)


# -- the sources on main ------------------------------------------------------------------------
def duty_routine(session: Session, scope: str, units: list[str], win: Window) -> dict[str, dict]:
    """The unit's own daily/zero reports (日报告 / 零报告) in the year: late ones, and missing days —
    days since the platform's reporting began at that level (its first report) without one."""
    from yingji.duty.models import RoutineReport as R

    length = len(units[0])
    level = "county" if length == 6 else "town"
    rows = session.execute(
        select(
            R.jurisdiction_code,
            func.count(),
            func.count(func.distinct(R.report_date)),
            func.sum(case((R.late.is_(True), 1), else_=0)),
        )
        .where(R.jurisdiction_code.in_(units), R.report_date >= win.first, R.report_date <= win.last)
        .group_by(R.jurisdiction_code)
    ).all()
    began = session.scalar(
        select(func.min(R.report_date)).where(
            R.level == level, R.report_date >= win.first, _in(R.jurisdiction_code, scope)
        )
    )
    days = (win.last - began).days + 1 if began and began <= win.last else 0
    got = {code: (n, d, int(late or 0)) for code, n, d, late in rows}
    out = {}
    for code in units:
        n, d, late = got.get(code, (0, 0, 0))
        out[code] = {"submitted": n, "late": late, "missing": max(0, days - d), "days": days}
    return out


def incident_deadlines(session: Session, scope: str, units: list[str], win: Window) -> dict[str, dict]:
    """Reporting deadlines of incidents in the unit's place that fell due in the year: met, late
    (迟报), missed (漏报); waived ones do not count."""
    from yingji.incidents.models import ReportingDeadline as D

    u = unit_of(D.jurisdiction_code, len(units[0]))
    rows = session.execute(
        select(u, D.state, func.count())
        .where(_in(D.jurisdiction_code, scope), D.due_at >= win.start_utc, D.due_at < win.end_utc)
        .where(D.state.in_((DeadlineState.MET, DeadlineState.LATE, DeadlineState.MISSED)))
        .group_by(u, D.state)
    ).all()
    out = {code: {"met": 0, "late": 0, "missed": 0} for code in units}
    for code, state, n in rows:
        if code in out:
            out[code][state] = n
    return out


def drills_compliance(session: Session, scope: str, units: list[str], win: Window) -> dict[str, dict]:
    """Drill subjects (places, units, enterprises) of the unit and whether each is overdue at the end
    of the window (drills/compliance.py, its frequency rules and overrides)."""
    from yingji.drills import compliance

    out = {code: {"required": 0, "overdue": 0} for code in units}
    length = len(units[0])
    for row in compliance.compute(session, scope, win.last):
        code = row.jurisdiction_code[:length]
        if code in out:
            out[code]["required"] += 1
            out[code]["overdue"] += int(row.overdue)
    return out


def plans_coverage(session: Session, scope: str, units: list[str], win: Window) -> dict[str, dict]:
    """Required plans in force (plans/coverage.py): its areas are counties, so a city's counties are
    one computation; a county's towns are one computation each (a town's subtree)."""
    from yingji.plans import coverage

    out = {code: {"required": 0, "uncovered": 0} for code in units}
    if len(units[0]) == 6:
        result = coverage.compute(session, scope, gap_limit=0)
        for area in result.areas:
            if area.code in out:
                cell = area.overall
                out[area.code] = {"required": cell.total, "uncovered": cell.total - cell.covered}
        return out
    for code in units:
        cell = coverage.compute(session, code, gap_limit=0).overall
        out[code] = {"required": cell.total, "uncovered": cell.total - cell.covered}
    return out


def risk_dangers(session: Session, scope: str, units: list[str], win: Window) -> dict[str, dict]:
    """Hidden dangers whose rectification deadline fell in the year: closed (accepted) by the deadline,
    or overdue (accepted after it, or still open after it). Dismissed ones do not count."""
    from yingji.risk.danger_models import Danger as D

    u = unit_of(D.jurisdiction_code, len(units[0]))
    done_at = func.coalesce(D.accepted_at, D.closed_at)
    deadline_end = win.last  # deadlines up to the window's last day
    rows = session.execute(
        select(u, D.deadline, done_at)
        .where(_in(D.jurisdiction_code, scope), D.status != DangerStatus.DISMISSED)
        .where(D.deadline >= win.first, D.deadline <= deadline_end)
    ).all()
    out = {code: {"due": 0, "on_time": 0, "overdue": 0} for code in units}
    for code, deadline, done in rows:
        if code not in out:
            continue
        out[code]["due"] += 1
        ok = done is not None and clock.to_local(clock.to_utc(done)).date() <= deadline
        out[code]["on_time" if ok else "overdue"] += 1
    return out


def _pairs(module: str, function: str, with_year: bool, names: tuple[str, str, str]):
    """A source from another domain's helper, ``fn(session, codes[, year]) -> {code: (met, total)}``."""
    met_name, total_name, short_name = names

    def run(session: Session, scope: str, units: list[str], win: Window) -> dict[str, dict]:
        fn = getattr(importlib.import_module(module), function)
        got = fn(session, units, win.year) if with_year else fn(session, units)
        out = {}
        for code in units:
            met, total = got.get(code, (0, 0))
            out[code] = {
                met_name: int(met),
                total_name: int(total),
                short_name: max(0, int(total) - int(met)),
            }
        return out

    run.module, run.function = module, function  # type: ignore[attr-defined]
    return run


@dataclass(frozen=True)
class Source:
    key: str
    label: str  # message id
    counts: tuple[str, ...]  # count names a deduction may use
    fn: Callable
    base: str | None = None  # the count a share is taken of (deductions ``per: share``)


SOURCES: dict[str, Source] = {
    s.key: s
    for s in (
        Source("duty.routine", N_("Duty: daily and zero reports"), ("late", "missing"), duty_routine),
        Source(
            "incidents.deadlines",
            N_("Incidents: reporting deadlines"),
            ("late", "missed"),
            incident_deadlines,
        ),
        Source(
            "drills.compliance", N_("Drills held as required"), ("overdue",), drills_compliance, "required"
        ),
        Source(
            "plans.coverage", N_("Plans in force as required"), ("uncovered",), plans_coverage, "required"
        ),
        Source("risk.dangers", N_("Hidden dangers closed on time"), ("overdue",), risk_dangers, "due"),
        Source(
            "training.coverage",
            N_("Training coverage"),
            ("untrained",),
            _pairs("yingji.training.coverage", "share", True, ("trained", "obliged", "untrained")),
            "obliged",
        ),
        Source(
            "readiness.scorecards",
            N_("Readiness scorecards"),
            ("unmet",),
            _pairs("yingji.readiness.scorecards", "share", False, ("met_items", "total", "unmet")),
            "total",
        ),
        Source(
            "governance.progress",
            N_("Work tasks done"),
            ("undone",),
            _pairs("yingji.governance.progress", "completion", True, ("done", "due", "undone")),
            "due",
        ),
    )
}

COUNT_LABELS = {
    "submitted": N_("reports submitted"),
    "late": N_("late"),
    "missing": N_("missing"),
    "days": N_("days counted"),
    "met": N_("on time"),
    "met_items": N_("met"),
    "trained": N_("trained"),
    "missed": N_("missed"),
    "required": N_("required"),
    "overdue": N_("overdue"),
    "uncovered": N_("missing"),
    "due": N_("due"),
    "on_time": N_("closed on time"),
    "obliged": N_("obliged"),
    "untrained": N_("not trained"),
    "total": N_("items"),
    "unmet": N_("not met"),
    "done": N_("done"),
    "undone": N_("not done"),
}


def available(key: str | None) -> bool:
    """Whether the source exists on this platform (another domain's helper may not be installed)."""
    source = SOURCES.get(key or "")
    if source is None:
        return False
    module = getattr(source.fn, "module", None)
    if module is None:
        return True
    try:
        return hasattr(importlib.import_module(module), source.fn.function)
    except ImportError:
        return False


def counts(session: Session, key: str, scope: str, units: list[str], win: Window) -> dict[str, dict]:
    return SOURCES[key].fn(session, scope, units, win)

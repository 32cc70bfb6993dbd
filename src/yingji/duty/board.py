"""The duty board's content: who is on now at the principal's level and the level below, and
the gaps ahead in those rosters; today's routine reports and leaders away today in the whole
scope — one call for the page and the API."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal, in_scope
from yingji.core import clock
from yingji.core.pagecache import ScopedCache
from yingji.duty import gaps, leave, oncall, routine
from yingji.duty.codes import ReportStatus
from yingji.duty.models import Leave, Roster
from yingji.org.codes import CHILD_LEVEL, LEVEL_LENGTH, level_of, subtree_bounds
from yingji.org.models import Unit

# The board of one jurisdiction is the same for every officer of it: built once per scope and kept
# BOARD_SECONDS at most within its minute (how long another worker process can lag behind a write
# there; shift changes and deadlines fall on whole minutes, so the minute key keeps them on time).
# Any commit that writes to these tables in this process drops the overlapping scopes at once.
BOARD_SECONDS = 20.0
BOARD_TABLES = {
    "duty_rosters",
    "duty_rotations",
    "duty_overrides",
    "duty_leaves",
    "duty_report_settings",
    "duty_special_periods",
    "duty_routine_reports",
    "people",
    "units",
    "unit_memberships",
    "positions",
    "jurisdictions",
}
cache = ScopedCache("duty.board", BOARD_TABLES, BOARD_SECONDS)
# The board as rendered (all but "my items"): per board (its time of computing), phone rights and
# language; dropped with the board.
parts = ScopedCache("duty.board.parts", BOARD_TABLES, BOARD_SECONDS)


@dataclass
class Board:
    day: date
    at: datetime
    own: list[oncall.OnDuty]
    below: list[oncall.OnDuty]
    reports: routine.DaySummary
    away: list[Leave]
    gaps: list[gaps.Gap]
    # computed with the board (shared), not per request: a province has 1,600 reporting places
    late: list[routine.ReporterDay] = field(default_factory=list)  # missing or late, worst first
    counts: dict[str, int] = field(default_factory=dict)


def _levels(code: str) -> tuple[int, int]:
    """Code lengths of the principal's own level and the level below."""
    if not code:
        return 2, 4
    level = level_of(code)
    child = CHILD_LEVEL.get(level)
    return len(code), LEVEL_LENGTH[child] if child else len(code)


def rosters_near(session: Session, principal: Principal) -> tuple[list[Roster], list[Roster]]:
    """Active rosters at the principal's level and the level below, in scope."""
    own_len, child_len = _levels(principal.jurisdiction_code)
    rows = session.scalars(
        select(Roster)
        .join(Unit, Unit.id == Roster.unit_id)
        .options(*oncall.LIGHT)
        .where(
            Roster.active,
            in_scope(Roster.jurisdiction_code, principal),
            func.length(Roster.jurisdiction_code).in_({own_len, child_len}),
        )
        .order_by(Roster.jurisdiction_code, Unit.sort, Unit.id)
    ).unique()
    own, below = [], []
    for r in rows:
        (own if len(r.jurisdiction_code) == own_len else below).append(r)
    return own, below


def build(session: Session, principal: Principal, at: datetime | None = None) -> Board:
    """Everything the board shows, for one principal: shared by every principal of the same
    jurisdiction for a few seconds (``at`` given: computed afresh, not cached)."""
    if at is not None:
        return compute(session, principal, at)
    now = clock.now()
    # Keyed by the minute too: deadlines and shift changes fall on whole minutes, so a cached board
    # never shows a period as pending past its deadline minute.
    minute = now.replace(second=0, microsecond=0)
    return cache.get_or_build(
        principal.jurisdiction_code,
        lambda: _detached(session, compute(session, principal, now)),
        key=minute,
    )


def _detached(session: Session, b: Board) -> Board:
    """The board's ORM rows out of the request's session, so that its commit does not expire them
    for the other requests that read the cached board (every attribute shown is loaded)."""
    rows: list = [lv for lv in b.away]
    rows += [x for lv in b.away for x in (lv.person, lv.deputy, lv.unit) if x is not None]
    rows += [s.report for r in b.reports.rows for s in r.slots if s.report is not None]
    for obj in rows:
        if obj in session:
            session.expunge(obj)
    return b


def compute(session: Session, principal: Principal, at: datetime | None = None) -> Board:
    """The board computed now (no cache)."""
    at = at or clock.now()
    own, below = rosters_near(session, principal)
    shifts = oncall.current_shifts(session, own + below, at)
    by_roster = {s.roster_id: s for s in shifts}
    code = principal.jurisdiction_code
    low, high = subtree_bounds(code) if code else ("", "\uffff")
    day = routine.today(at)
    reports = routine.summarise(session, routine.reporters(session, low, high), day, at=at)
    late = [r for r in reports.rows if r.status in (ReportStatus.MISSING, ReportStatus.LATE)]
    return Board(
        day=day,
        at=at,
        own=[by_roster[r.id] for r in own if r.id in by_roster],
        below=[by_roster[r.id] for r in below if r.id in by_roster],
        reports=reports,
        away=leave.away_on(session, principal, at),
        gaps=gaps.find(session, own + below, at=at),
        late=routine.attention_first(late),
        counts=reports.counts(),
    )

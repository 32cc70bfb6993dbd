"""The duty board's content: who is on now at the principal's level and the level below, and
the gaps ahead in those rosters; today's routine reports and leaders away today in the whole
scope — one call for the page and the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal, in_scope
from yingji.core import clock
from yingji.duty import gaps, leave, oncall, routine
from yingji.duty.models import Leave, Roster
from yingji.org.codes import CHILD_LEVEL, LEVEL_LENGTH, level_of, subtree_bounds
from yingji.org.models import Unit


@dataclass
class Board:
    day: date
    at: datetime
    own: list[oncall.OnDuty]
    below: list[oncall.OnDuty]
    reports: routine.DaySummary
    away: list[Leave]
    gaps: list[gaps.Gap]


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
    """Everything the board shows, for one principal."""
    at = at or clock.now()
    own, below = rosters_near(session, principal)
    shifts = oncall.current_shifts(session, own + below, at)
    by_roster = {s.roster_id: s for s in shifts}
    code = principal.jurisdiction_code
    low, high = subtree_bounds(code) if code else ("", "\uffff")
    day = routine.today(at)
    return Board(
        day=day,
        at=at,
        own=[by_roster[r.id] for r in own if r.id in by_roster],
        below=[by_roster[r.id] for r in below if r.id in by_roster],
        reports=routine.summarise(session, routine.reporters(session, low, high), day, at=at),
        away=leave.away_on(session, principal, at),
        gaps=gaps.find(session, own + below, at=at),
    )

"""The two long duty lists a city duty officer pages through — rosters and the day's routine reports
(191 rows each in a city) — filtered by county, status, date and typed text, and paged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal, in_scope
from yingji.core import clock
from yingji.core.pagination import Page, paginate
from yingji.duty import oncall, routine
from yingji.duty.models import Roster
from yingji.org import places
from yingji.org.models import Jurisdiction, Unit

ROSTER_STATUSES = ("active", "inactive")
REPORT_STATUSES = routine.STATUS_ORDER  # missing, late, pending, received
PAGE_SIZE = 30


def counties(session: Session, principal: Principal) -> list[tuple[str, str]]:
    """(code, name) of the counties in scope — the county filter's choices (none for a town)."""
    return list(
        session.execute(
            select(Jurisdiction.code, Jurisdiction.name)
            .where(Jurisdiction.level == "county", in_scope(Jurisdiction.code, principal))
            .order_by(Jurisdiction.code)
        ).all()
    )


def _bounds(session: Session, principal: Principal, county: str | None) -> tuple[str, str] | None:
    return places.within(session, principal, county) if county else None


def rosters_page(
    session: Session,
    principal: Principal,
    *,
    county: str | None = None,
    status: str | None = None,
    q: str = "",
    page: int = 1,
    size: int = PAGE_SIZE,
) -> Page[Roster]:
    """Rosters in scope, by place then unit order; ``q`` matches the roster, unit or place name."""
    stmt = (
        select(Roster)
        .join(Unit, Unit.id == Roster.unit_id)
        .join(Jurisdiction, Jurisdiction.code == Roster.jurisdiction_code)
        .options(*oncall.LIGHT)
        .where(in_scope(Roster.jurisdiction_code, principal))
    )
    if bounds := _bounds(session, principal, county):
        stmt = stmt.where(Roster.jurisdiction_code >= bounds[0], Roster.jurisdiction_code < bounds[1])
    if status in ROSTER_STATUSES:
        stmt = stmt.where(Roster.active.is_(status == "active"))
    q = (q or "").strip()[:60]
    if q:
        stmt = stmt.where(
            or_(
                Roster.name.contains(q, autoescape=True),
                Unit.name.contains(q, autoescape=True),
                Jurisdiction.name.contains(q, autoescape=True),
            )
        )
    return paginate(session, stmt.order_by(Roster.jurisdiction_code, Unit.sort, Unit.id), page, size)


def on_duty(session: Session, rosters: list[Roster], day: date | None) -> dict[int, oncall.OnDuty]:
    """Who is on each roster's shift now, or on ``day``'s shift (its last minute lies in it)."""
    at = None
    if day is not None:
        at = datetime.combine(day, time(23, 59), clock.LOCAL_TZ)
    return {d.roster_id: d for d in oncall.current_shifts(session, rosters, at)}


@dataclass
class ReportRow:
    """A place's reporting day with its county (for the county column)."""

    day: routine.ReporterDay
    county: str

    def __getattr__(self, name):  # the template reads row.name, row.status, row.slots …
        return getattr(self.day, name)


def reports_page(
    session: Session,
    principal: Principal,
    day: date,
    *,
    county: str | None = None,
    status: str | None = None,
    q: str = "",
    page: int = 1,
    size: int = PAGE_SIZE,
    at: datetime | None = None,
) -> tuple[routine.DaySummary, Page[ReportRow]]:
    """The day's summary in scope (``county`` narrows it; the tiles count this), and one page of
    its rows: missing first, then late, then the rest, each by place code; ``status`` and ``q``
    (a place or county name) filter the rows."""
    summary = routine.day_summary(session, principal, day, within=county or None, at=at)
    county_names = dict(counties(session, principal))
    own = places.root(session, principal)
    if own is not None and own.level == "county":
        county_names.setdefault(own.code, own.name)
    rows = [ReportRow(r, county_names.get(r.code[:6], "")) for r in summary.rows]
    if status in REPORT_STATUSES:
        rows = [r for r in rows if r.day.status == status]
    q = (q or "").strip()
    if q:
        rows = [r for r in rows if q in r.day.name or q in r.county]
    order = routine.ATTENTION
    rows.sort(key=lambda r: (order.get(r.day.status, 2), r.day.code))
    page = max(1, page)
    size = max(1, size)
    return summary, Page(rows[(page - 1) * size : page * size], len(rows), page, size)

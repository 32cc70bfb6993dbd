"""The working-day calendar of the legal clocks (备案、公布 within 20 working days of issue).

A year's days off and make-up workdays come from the official holiday notice: a notice an
administrator loaded (table ``work_calendar_years``) wins; otherwise the ``chinese-calendar``
package, which knows the years it was released with. A year known to neither is never guessed:
:class:`CalendarUnknown` names it, and the clock waits until its notice is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar
from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, require
from yingji.core.errors import ValidationFailed
from yingji.core.i18n import N_
from yingji.plans.models import WorkCalendarYear

UNKNOWN_YEAR = N_(
    "The holidays of {year} are not known yet: an administrator must load that year's official "
    "holiday notice first."
)


class CalendarUnknown(ValidationFailed):
    code = "calendar_unknown"
    message = UNKNOWN_YEAR


@dataclass(frozen=True)
class Notice:
    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]
    source: str


class Calendar:
    """Working days, reading loaded notices once per instance (one request, one job)."""

    def __init__(self, notices: dict[int, Notice] | None = None) -> None:
        self.notices = notices or {}
        self._days: dict[date, bool] = {}

    @classmethod
    def of(cls, session: Session | None) -> Calendar:
        if session is None:
            return cls()
        rows = session.scalars(select(WorkCalendarYear)).all()
        return cls({r.year: _notice(r) for r in rows})

    def knows(self, year: int) -> bool:
        if year in self.notices:
            return True
        try:
            chinese_calendar.is_workday(date(year, 6, 1))
        except NotImplementedError:
            return False
        return True

    def source_of(self, year: int) -> str:
        if year in self.notices:
            return self.notices[year].source
        return f"chinese-calendar {chinese_calendar.__version__}" if self.knows(year) else ""

    def is_workday(self, day: date) -> bool:
        known = self._days.get(day)
        if known is None:
            known = self._days[day] = self._is_workday(day)
        return known

    def _is_workday(self, day: date) -> bool:
        notice = self.notices.get(day.year)
        if notice is not None:
            if day in notice.workdays:
                return True
            return day.weekday() < 5 and day not in notice.holidays
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            raise CalendarUnknown(year=day.year) from None

    def add_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start`` (``start`` itself not counted)."""
        day, left = start, n
        while left > 0:
            day += timedelta(days=1)
            if self.is_workday(day):
                left -= 1
        return day

    def sub_working_days(self, end: date, n: int) -> date:
        """The ``n``-th working day before ``end``."""
        day, left = end, n
        while left > 0:
            day -= timedelta(days=1)
            if self.is_workday(day):
                left -= 1
        return day


def _notice(row: WorkCalendarYear) -> Notice:
    return Notice(
        row.year,
        frozenset(date.fromisoformat(d) for d in row.holidays),
        frozenset(date.fromisoformat(d) for d in row.workdays),
        row.source,
    )


def add_years(day: date, years: int) -> date:
    """Same month and day ``years`` later (29 February → 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


# -- loading a notice --------------------------------------------------------------------------------
def _dates(field: str, values: list[str], year: int) -> list[date]:
    out = []
    for v in values:
        try:
            d = date.fromisoformat(str(v).strip())
        except ValueError:
            raise ValidationFailed(
                details=[{"field": field, "message": "Write dates as YYYY-MM-DD."}]
            ) from None
        if d.year != year and not (field == "workdays" and abs(d.year - year) == 1):
            raise ValidationFailed(
                details=[{"field": field, "message": "A date lies outside the year of the notice."}]
            )
        out.append(d)
    return sorted(set(out))


def load_notice(
    session: Session,
    principal: Principal,
    year: int,
    holidays: list[str],
    workdays: list[str],
    source: str,
) -> WorkCalendarYear:
    """Keep (or replace) a year's notice; clocks waiting for that year are computed at once."""
    require(principal, Perm.USERS_MANAGE)  # the calendar is national: administrators only
    if not 2000 <= year <= 2100:
        raise ValidationFailed(details=[{"field": "year", "message": "Not a year."}])
    if not holidays:
        raise ValidationFailed(details=[{"field": "holidays", "message": "A notice lists its days off."}])
    days_off = _dates("holidays", holidays, year)
    make_up = _dates("workdays", workdays, year)
    if set(days_off) & set(make_up):
        raise ValidationFailed(
            details=[{"field": "workdays", "message": "A day cannot be both a day off and a workday."}]
        )
    if any(d.weekday() < 5 for d in make_up):
        raise ValidationFailed(
            details=[{"field": "workdays", "message": "Make-up workdays fall on a Saturday or Sunday."}]
        )
    row = session.get(WorkCalendarYear, year, with_for_update=True)
    values = {
        "holidays": [d.isoformat() for d in days_off],
        "workdays": [d.isoformat() for d in make_up],
        "source": source.strip()[:200],
        "loaded_by": principal.display_name[:120],
    }
    if row is None:
        row = WorkCalendarYear(year=year, **values)
        session.add(row)
    else:
        for k, v in values.items():
            setattr(row, k, v)
    session.flush()
    from yingji.plans import clocks  # the clocks read the calendar: imported late

    clocks.recompute_waiting(session)
    return row


def years(session: Session) -> list[WorkCalendarYear]:
    return list(session.scalars(select(WorkCalendarYear).order_by(WorkCalendarYear.year.desc())))

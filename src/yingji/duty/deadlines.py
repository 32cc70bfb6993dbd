"""When routine reports (日报告 / 零报告) are due: settings per level, special periods, slots.

Seeds 001/002/004 and RULES.md §4 ask for a daily (24 h) zero report; no national text fixes the
hour, so the hours are **settings, not law**. Defaults, used where no setting row applies:

- towns / streets report to the county by 16:00 Asia/Shanghai, reminded 60 minutes before;
- counties report to the city by 17:00 Asia/Shanghai, reminded 60 minutes before.

A ``ReportSetting`` row for a jurisdiction changes this for its whole subtree (the most specific
row wins; ``active = false`` switches reporting off there). A ``SpecialPeriod`` (holiday, flood
season 汛期, sensitive period) covering a day replaces the day's deadlines with its own list —
two deadlines mean two reports a day. Each deadline of a day is a *slot* (0, 1, …).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, writable
from yingji.core.clock import LOCAL_TZ
from yingji.core.errors import NotFound, ValidationFailed
from yingji.duty import rotation
from yingji.duty.models import ReportSetting, SpecialPeriod
from yingji.duty.schemas import ReportSettingIn, SpecialPeriodIn
from yingji.org.codes import level_of
from yingji.org.models import Jurisdiction


@dataclass(frozen=True)
class LevelDefault:
    deadline_minute: int
    remind_minutes: int


DEFAULTS = {
    "town": LevelDefault(deadline_minute=16 * 60, remind_minutes=60),
    "county": LevelDefault(deadline_minute=17 * 60, remind_minutes=60),
}


@dataclass(frozen=True)
class Slot:
    """One report due from one place: the ``slot``-th deadline of ``day``."""

    code: str
    level: str
    day: date
    slot: int
    deadline_at: datetime
    remind_at: datetime | None
    period: str | None = None  # the special period's name, if one applies


class Rules:
    """All settings and special periods (small tables), loaded once, asked per place and day."""

    def __init__(self, settings: list[ReportSetting], periods: list[SpecialPeriod]) -> None:
        self.settings = {(s.jurisdiction_code, s.level): s for s in settings}
        self.periods = periods
        # A province board asks for 1,600 places at once: look only at the prefix lengths settings
        # use, and sort a day's periods once (most specific, then latest first), not per place.
        self._lengths = sorted({len(code) for code, _ in self.settings}, reverse=True)
        self._day_periods: dict[tuple[str, date], list[SpecialPeriod]] = {}
        self._instants: dict[tuple[date, int], datetime] = {}

    @classmethod
    def load(cls, session: Session) -> Rules:
        return cls(
            list(session.scalars(select(ReportSetting))),
            list(session.scalars(select(SpecialPeriod).order_by(SpecialPeriod.starts_on, SpecialPeriod.id))),
        )

    def setting(self, code: str, level: str) -> tuple[int, int, bool]:
        """(deadline minute, remind minutes, active) of the most specific setting."""
        for n in self._lengths:
            s = self.settings.get((code[:n], level)) if n <= len(code) else None
            if s is not None:
                return s.deadline_minute, s.remind_minutes, s.active
        d = DEFAULTS[level]
        return d.deadline_minute, d.remind_minutes, True

    def period(self, code: str, level: str, day: date) -> SpecialPeriod | None:
        """The special period ruling ``day`` at ``code``: the most specific, then the latest."""
        ranked = self._day_periods.get((level, day))
        if ranked is None:
            ranked = sorted(
                (p for p in self.periods if p.starts_on <= day <= p.ends_on and level in p.deadlines),
                key=lambda p: (len(p.jurisdiction_code), p.starts_on, p.id),
                reverse=True,
            )
            self._day_periods[(level, day)] = ranked
        return next((p for p in ranked if code.startswith(p.jurisdiction_code)), None)

    def slots(self, code: str, level: str, day: date) -> list[Slot]:
        """The reports due from ``code`` on ``day``, earliest first (none where switched off)."""
        deadline, remind, active = self.setting(code, level)
        if not active:
            return []
        special = self.period(code, level, day)
        minutes = sorted(special.deadlines[level]) if special else [deadline]
        out = []
        for i, minute in enumerate(minutes):
            at = self._instants.get((day, minute))
            if at is None:
                at = self._instants[(day, minute)] = rotation.local_instant(day, minute, LOCAL_TZ)
            out.append(
                Slot(
                    code,
                    level,
                    day,
                    i,
                    at,
                    at - timedelta(minutes=remind) if remind else None,
                    special and special.name,
                )
            )
        return out


def reporting_level(code: str) -> str | None:
    """ "town" or "county" for places that send routine reports, else None."""
    try:
        level = level_of(code)
    except ValueError:
        return None
    return level if level in ("town", "county") else None


# -- settings and special periods (DUTY_MANAGE in scope) -------------------------------------
def list_settings(session: Session, principal: Principal) -> list[ReportSetting]:
    """Deadline settings in scope."""
    return list(
        session.scalars(
            select(ReportSetting)
            .where(in_scope(ReportSetting.jurisdiction_code, principal))
            .order_by(ReportSetting.jurisdiction_code, ReportSetting.level)
        )
    )


def _place(session: Session, principal: Principal, code: str) -> Jurisdiction:
    place = session.get(Jurisdiction, code)
    if place is None:
        raise ValidationFailed(details=[{"field": "jurisdiction_code", "message": "Unknown jurisdiction."}])
    writable(principal, code, Perm.DUTY_MANAGE)
    return place


def put_setting(session: Session, principal: Principal, data: ReportSettingIn) -> ReportSetting:
    """Create or change the deadline of a level under a jurisdiction."""
    _place(session, principal, data.jurisdiction_code)
    row = session.scalar(
        select(ReportSetting)
        .where(ReportSetting.jurisdiction_code == data.jurisdiction_code, ReportSetting.level == data.level)
        .with_for_update()
    )
    if row is None:
        row = ReportSetting(jurisdiction_code=data.jurisdiction_code, level=data.level)
        session.add(row)
    row.deadline_minute = data.deadline
    row.remind_minutes = data.remind_minutes
    row.active = data.active
    row.note = data.note
    session.flush()
    return row


def delete_setting(session: Session, principal: Principal, setting_id: int) -> None:
    """Remove a setting (DUTY_MANAGE in its jurisdiction)."""
    row = session.get(ReportSetting, setting_id)
    if row is None:
        raise NotFound()
    writable(principal, row.jurisdiction_code, Perm.DUTY_MANAGE)
    session.delete(row)
    session.flush()


def list_periods(
    session: Session, principal: Principal, *, on_or_after: date | None = None
) -> list[SpecialPeriod]:
    """Special periods in scope (optionally those not over before a date)."""
    stmt = select(SpecialPeriod).where(in_scope(SpecialPeriod.jurisdiction_code, principal))
    if on_or_after:
        stmt = stmt.where(SpecialPeriod.ends_on >= on_or_after)
    return list(session.scalars(stmt.order_by(SpecialPeriod.starts_on, SpecialPeriod.id)))


def add_period(session: Session, principal: Principal, data: SpecialPeriodIn) -> SpecialPeriod:
    """Add a special period (DUTY_MANAGE in its jurisdiction)."""
    _place(session, principal, data.jurisdiction_code)
    row = SpecialPeriod(**data.model_dump())
    session.add(row)
    session.flush()
    return row


def delete_period(session: Session, principal: Principal, period_id: int) -> None:
    """Remove a special period (DUTY_MANAGE in its jurisdiction)."""
    row = session.get(SpecialPeriod, period_id)
    if row is None:
        raise NotFound()
    writable(principal, row.jurisdiction_code, Perm.DUTY_MANAGE)
    session.delete(row)
    session.flush()

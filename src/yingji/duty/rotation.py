"""Pure functions of rosters: shift windows in local time (zoneinfo) and who is on turn.

A shift belongs to the local date on which it starts: the 2026-11-24 shift of a roster starting
at 08:30 Asia/Shanghai runs from 2026-11-24 08:30 to 2026-11-25 08:30 local time. The end is the
next day's start on the wall clock, so a zone with daylight saving still gets one shift a day.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from yingji.core.clock import LOCAL_TZ, to_utc


@cache
def zone(name: str) -> ZoneInfo:
    """The zone of a roster; an unknown name is a ValueError (checked when a roster is saved)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}") from None


def minute_to_text(minute: int) -> str:
    """510 → "08:30"."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


def text_to_minute(text: str) -> int:
    """ "08:30" or "8:30" → 510; raises ValueError for anything else."""
    hours, sep, minutes = (text or "").strip().partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit() or len(minutes) != 2:
        raise ValueError(f"not a time of day: {text!r}")
    h, m = int(hours), int(minutes)
    if not (0 <= h < 24 and 0 <= m < 60):
        raise ValueError(f"not a time of day: {text!r}")
    return h * 60 + m


def local_instant(day: date, minute: int, tz: ZoneInfo) -> datetime:
    """The UTC instant of ``minute`` after local midnight of ``day``."""
    return to_utc(datetime.combine(day, time(minute // 60, minute % 60), tzinfo=tz))


def shift_window(day: date, start_minute: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) in UTC of the shift of ``day``."""
    return local_instant(day, start_minute, tz), local_instant(day + timedelta(days=1), start_minute, tz)


def shift_date_at(at: datetime, start_minute: int, tz: ZoneInfo) -> date:
    """The date of the shift on duty at the instant ``at`` (before the start time of a local day,
    the previous day's shift is still on)."""
    local = to_utc(at).astimezone(tz)
    day = local.date()
    if local.hour * 60 + local.minute < start_minute:
        day -= timedelta(days=1)
    return day


def local_today(at: datetime, tz: ZoneInfo) -> date:
    """The local date of an instant."""
    return to_utc(at).astimezone(tz).date()


@dataclass(frozen=True)
class Turns:
    """One rotation: ``members`` in order from ``starts_on``, ``per_shift`` at a time, each turn
    lasting ``days_per_turn`` shifts."""

    role: str
    starts_on: date
    members: tuple[int, ...]
    days_per_turn: int = 1
    per_shift: int = 1

    def on(self, day: date) -> list[int]:
        """Who this rotation puts on the shift of ``day`` (nobody before it starts)."""
        if day < self.starts_on or not self.members:
            return []
        turn = (day - self.starts_on).days // self.days_per_turn
        n = len(self.members)
        take = min(self.per_shift, n)
        return [self.members[(turn * self.per_shift + i) % n] for i in range(take)]


def current_rotation(rotations: Iterable[Turns], role: str, day: date) -> Turns | None:
    """The rotation of ``role`` in force on ``day``: the one that started last, on or before it."""
    best = None
    for r in rotations:
        if r.role == role and r.starts_on <= day and (best is None or r.starts_on > best.starts_on):
            best = r
    return best


def apply_overrides(people: Sequence[int], changes: Iterable[tuple[int | None, int | None]]) -> list[int]:
    """Apply (person, replaces) pairs in order: replace in place, add (replaces None) or take
    off (person None). A replacement of someone not on the shift adds the person."""
    out = list(people)
    for person, replaces in changes:
        if replaces is not None and replaces in out:
            i = out.index(replaces)
            if person is None or person in out:
                out.pop(i)
            else:
                out[i] = person
        elif person is not None and person not in out:
            out.append(person)
    return out


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Do [a_start, a_end) and [b_start, b_end) overlap?"""
    return a_start < b_end and b_start < a_end


def month_days(year: int, month: int) -> list[date]:
    """Every date of a month (month ends and leap years by the calendar)."""
    first = date(year, month, 1)
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return [first + timedelta(days=i) for i in range((nxt - first).days)]


def to_local_text(at: datetime, tz: ZoneInfo | None = None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An instant as local wall-clock text (Asia/Shanghai unless given)."""
    return to_utc(at).astimezone(tz or LOCAL_TZ).strftime(fmt)

"""When a damage report is due (RULES2 §10.3, ``rules/disaster_reporting.json`` as it applies in the
event's place). Pure functions of the rules, the event and the report.

- 初报: village and town from the disaster (a local example, overridable), county 2 h after it; the
  city and province 2 h after the report from below, each level assumed to use its whole allowance.
- 24 小时零报告: every ``continued_every_days`` day while open, by the level's time of day (county
  09:00, city 10:00, province 12:00, Asia/Shanghai), with figures to 24:00 of the day before; a
  drought process reports every 10 days from its start instead.
- 核报: ``days`` after the process became stable.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from yingji.core.clock import LOCAL_TZ, to_local
from yingji.damage.codes import ReportKind
from yingji.org import codes as division_codes

CHAIN = ("village", "town", "county", "city", "province")


def level_of(code: str) -> str:
    return division_codes.level_of(code)


def _limit(rules: dict, kind: str, level: str) -> dict | None:
    return rules["limits"].get(f"{kind}.{level}")


def initial_due(rules: dict, level: str, occurred_at: datetime) -> datetime | None:
    row = _limit(rules, "initial", level)
    if row is None:
        return None
    if row.get("from") == "received" and level in CHAIN:
        below = CHAIN[CHAIN.index(level) - 1]
        start = initial_due(rules, below, occurred_at)
        if start is None:
            return None
        return start + timedelta(minutes=row["minutes"])
    return occurred_at + timedelta(minutes=row["minutes"])


def zero_due(rules: dict, level: str, report_date: date) -> datetime | None:
    row = _limit(rules, "zero", level)
    if row is None:
        return None
    hh, mm = (int(x) for x in row["at"].split(":"))
    return datetime.combine(report_date, time(hh, mm), LOCAL_TZ)


def zero_as_of(report_date: date) -> datetime:
    """Figures of a zero report run to 24:00 of the day before: local midnight of its day."""
    return datetime.combine(report_date, time(0, 0), LOCAL_TZ)


def final_due(rules: dict, level: str, stable_at: datetime | None) -> datetime | None:
    row = _limit(rules, "final", level)
    if row is None or stable_at is None:
        return None
    return stable_at + timedelta(days=row["days"])


def drought_every(rules: dict, hazard: str) -> int | None:
    """Days between 续报 of a drought process (None for other hazards)."""
    for row in rules["limits"].values():
        if row.get("kind") == ReportKind.CONTINUED and hazard in (row.get("hazards") or []):
            return int(row["days"])
    return None


def zero_days(rules: dict, hazard: str, occurred_at: datetime, until: datetime) -> list[date]:
    """The days a zero report is due from the day after the disaster to ``until`` (inclusive)."""
    every = int((rules.get("settings") or {}).get("continued_every_days", 1) or 1)
    if drought_every(rules, hazard):
        return []
    first = to_local(occurred_at).date() + timedelta(days=1)
    last = to_local(until).date()
    out, day = [], first
    while day <= last:
        out.append(day)
        day += timedelta(days=every)
    return out


def continued_due(rules: dict, hazard: str, occurred_at: datetime, serial: int) -> datetime | None:
    """A drought 续报 number ``serial`` (1, 2 …) is due ``serial × 10`` days after the start."""
    every = drought_every(rules, hazard)
    return occurred_at + timedelta(days=every * serial) if every else None


def is_major(rules: dict, dead_or_missing: int) -> bool:
    """≥ 10 dead and missing: the county reports to the province and the ministry at once."""
    major = rules.get("major") or {}
    return bool(major) and dead_or_missing >= int(major.get("dead_or_missing", 10**9))


def photos_needed(rules: dict, response_launched: bool) -> int:
    photos = rules.get("photos") or {}
    return int(photos.get("min", 0)) if response_launched and photos.get("when") == "response_launched" else 0

"""The monitoring data tables (packaged in ``yingji/rules/monitoring_*.json``, each with its source) and
the settings derived from them: hazard-point kinds, sensor kinds and plausible ranges, default alarm
rules, patrol schedules and seasons, the raw-reading window. Pure functions, no I/O besides the
packaged files and the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

from yingji.core.clock import to_local
from yingji.rules import load

BUCKET_S = 300  # the sliding rain windows work on 5-minute sums
RING = 288  # 24 h of 5-minute buckets
WINDOWS = {"sum_1h": 12, "sum_3h": 36, "sum_24h": 288}  # buckets per window
LEVEL_RANK = {"blue": 1, "yellow": 2, "orange": 3, "red": 4}
METRICS_ORDER = ("value", "rate_h", "sum_1h", "sum_3h", "sum_24h")


def hazard_kinds() -> list[dict]:
    """The kinds of hazard point (地质灾害隐患点, 山洪沟 …) with their season, category and template."""
    return load("monitoring_hazard_kinds.json")["kinds"]


@cache
def hazard_kind(code: str) -> dict | None:
    """One hazard-point kind by code, or None."""
    return next((k for k in hazard_kinds() if k["code"] == code), None)


def sensor_kinds() -> list[dict]:
    """Sensor kinds with unit, plausible range and the metrics rules may watch."""
    return load("monitoring_sensor_kinds.json")["kinds"]


@cache
def sensor_kind(code: str) -> dict | None:
    """One sensor kind by code, or None."""
    return next((k for k in sensor_kinds() if k["code"] == code), None)


def default_rules() -> list[dict]:
    """The packaged default alarm rules (replaced per kind and metric by a place's or a point's own)."""
    return load("monitoring_alarm_defaults.json")["rules"]


@dataclass(frozen=True)
class IngestSettings:
    future_tolerance: timedelta
    raw_retention: timedelta


def ingest_settings() -> IngestSettings:
    """Tolerance for sensor clocks running ahead and the raw-reading window (env overrides the data)."""
    data = load("monitoring_sensor_kinds.json")["ingest"]
    days = int(os.environ.get("YINGJI_READINGS_RAW_DAYS") or data["raw_retention_days"])
    future = int(os.environ.get("YINGJI_READINGS_FUTURE_S") or data["future_tolerance_s"])
    return IngestSettings(timedelta(seconds=future), timedelta(days=days))


# -- patrols --------------------------------------------------------------------------------------
def _patrol() -> dict:
    return load("monitoring_patrol.json")


def _month_day(text: str) -> tuple[int, int]:
    month, day = text.split("-")
    return int(month), int(day)


def in_season(season: str, day: date) -> bool:
    """Whether ``day`` lies in the season's [from, to] (a range may wrap over the new year)."""
    row = _patrol()["seasons"].get(season)
    if row is None:
        return False
    start, end, today = _month_day(row["from"]), _month_day(row["to"]), (day.month, day.day)
    if start <= end:
        return start <= today <= end
    return today >= start or today <= end


def patrol_every_days(kind: str, at: datetime, override: int | None = None) -> int:
    """Days between patrols of a point of ``kind`` at ``at`` (local date): more often in its season."""
    if override:
        return override
    row = _patrol()["every_days"].get(kind) or {"season": 7, "otherwise": 30}
    season = (hazard_kind(kind) or {}).get("season", "flood")
    local = to_local(at)
    return row["season"] if local is not None and in_season(season, local.date()) else row["otherwise"]


def next_patrol_due(kind: str, last: datetime, override: int | None = None) -> datetime:
    """When the next patrol is due after one at ``last``."""
    return last + timedelta(days=patrol_every_days(kind, last, override))


def seasons() -> dict:
    """The seasons (汛期, 森林防火期 …) and their date ranges."""
    return _patrol()["seasons"]


def gps_warn_distance_m() -> float:
    """How far from the point a patrol's GPS fix is shown as a warning."""
    return float(_patrol()["gps_warn_distance_m"])

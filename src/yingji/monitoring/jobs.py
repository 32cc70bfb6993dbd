"""Monitoring jobs: an alarm's actions (queued by the ingest), the rain-window sweep, rollups and
retention of readings, missed patrols and the seasonal patrol schedule."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy.orm import Session

from yingji.auth import audit
from yingji.jobs.registry import JobContext, handler
from yingji.monitoring import actions, patrol_watch, rollups, sweep

log = logging.getLogger("yingji.monitoring")


@handler("monitoring.alarm", max_attempts=8, backoff_base_s=5.0)
def alarm_actions(session: Session, ctx: JobContext) -> None:
    """Notify, and draft a warning or file an incident report, for one alarm."""
    actions.run(session, int(ctx.payload["alarm_id"]))


@handler("monitoring.sweep", period=timedelta(minutes=5), max_attempts=3)
def sweep_windows(session: Session, ctx: JobContext) -> None:
    """Slide the rain windows of open sum alarms to now; clear those back below their level."""
    result = sweep.sweep(session)
    if result["cleared"]:
        log.info("rain sweep: %s", result)


@handler("monitoring.rollup", period=timedelta(hours=1), max_attempts=3, lease_s=600.0)
def roll_up(session: Session, ctx: JobContext) -> None:
    """Hourly and daily rollups up to the last complete hour."""
    log.info("rollups: %s", rollups.run_rollups(session))


@handler("monitoring.retention", period=timedelta(days=1), max_attempts=3, lease_s=900.0)
def retention(session: Session, ctx: JobContext) -> None:
    """Partitions ahead; raw readings beyond the raw window (rolled up) removed."""
    result = rollups.run_retention(session)
    audit.record(session, "monitoring.retention", "sensor_readings", None, after=result)


@handler("monitoring.patrols", period=timedelta(hours=1), max_attempts=3)
def missed_patrols(session: Session, ctx: JobContext) -> None:
    """Tell the monitors of newly overdue points, and each town once a day."""
    patrol_watch.missed(session)


@handler("monitoring.patrol_schedule", period=timedelta(days=1), max_attempts=3, lease_s=300.0)
def patrol_schedule(session: Session, ctx: JobContext) -> None:
    """Due times follow the season's schedule (derived field, summarised in the audit log)."""
    moved = patrol_watch.reschedule(session)
    if moved:
        audit.record(session, "monitoring.reschedule", "hazard_points", None, after={"moved": moved})

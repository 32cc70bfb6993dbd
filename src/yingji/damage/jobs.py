"""Damage jobs: every 15 minutes, the day's zero-report drafts of each open process, and overdue
reports marked late with one inbox reminder to the reporting place and the level above (once per
report: the notification key)."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.core import clock
from yingji.damage import labels, processes
from yingji.damage.codes import EventState, ReportState
from yingji.damage.models import DamageReport, DisasterEvent
from yingji.events.publish import publish
from yingji.jobs.registry import JobContext, handler
from yingji.notify.inbox import notify_level
from yingji.org import codes as division_codes

log = logging.getLogger("yingji.damage")


def sweep(session: Session) -> dict[str, int]:
    """Make the zero reports due so far, mark overdue reports late and remind once."""
    made = 0
    for event in session.scalars(select(DisasterEvent).where(DisasterEvent.state == EventState.OPEN.value)):
        made += processes.ensure_zero_reports(session, event)
    overdue = session.scalars(
        select(DamageReport).where(
            DamageReport.state.in_((ReportState.DRAFT.value, ReportState.RETURNED.value)),
            DamageReport.due_at < clock.now(),
            DamageReport.late.is_(False),
        )
    ).all()
    for report in overdue:
        report.late = True
        subject = f"灾情报告逾期: {labels.label(labels.KIND, report.kind)}"
        link = f"/damage/{report.event_id}"
        targets = [report.jurisdiction_code, *division_codes.ancestors(report.jurisdiction_code)[-1:]]
        for code in targets:
            notify_level(
                session,
                code,
                subject=subject,
                link=link,
                category="damage",
                severity="warning",
                key=f"damage-overdue:{report.id}",
                perm=Perm.DAMAGE_REPORT,
            )
        publish(
            session,
            "damage.changed",
            report.jurisdiction_code,
            {"event_id": report.event_id, "report_id": report.id, "what": "overdue"},
        )
    session.flush()
    return {"zero_reports": made, "overdue": len(overdue)}


@handler("damage.sweep", period=timedelta(minutes=15), max_attempts=3)
def damage_sweep(session: Session, ctx: JobContext) -> None:
    done = sweep(session)
    if done["overdue"]:
        log.info("damage reports: %s", done)

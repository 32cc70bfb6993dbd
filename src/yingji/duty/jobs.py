"""Duty jobs (timers are rows): gap warnings, and the routine-report clock.

``duty.plan_reports`` (hourly) lays out today's and tomorrow's report deadlines as job rows: one
``duty.report_remind`` before each distinct deadline and one ``duty.report_overdue`` just after it,
each with a dedupe key, so planning again adds nothing. When a reminder or overdue job runs, it
looks again at who has reported (a report sent in the meantime cancels the message by state), and
each inbox message carries its own key, so a retried job tells nobody twice.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.core import clock
from yingji.core.i18n import DEFAULT_LOCALE, translate
from yingji.duty import gaps, rotation, routine
from yingji.duty.deadlines import Rules, Slot
from yingji.events import publish
from yingji.jobs import queue
from yingji.jobs.registry import JobContext, handler
from yingji.notify import inbox
from yingji.org.models import Jurisdiction

OVERDUE_GRACE = timedelta(minutes=1)  # a report sent on the deadline minute is on time
EVERYWHERE = ("", "\uffff")


@handler("duty.check_gaps", period=timedelta(hours=1), max_attempts=3)
def check_gaps(session: Session, ctx: JobContext) -> None:
    """Warn units of shifts ahead that nobody covers."""
    gaps.warn(session, gaps.find(session, gaps.active_rosters(session)))


@handler("duty.plan_reports", period=timedelta(hours=1), max_attempts=3)
def plan_reports_job(session: Session, ctx: JobContext) -> None:
    """Hourly: lay out the coming report deadlines as job rows."""
    plan_reports(session)


def plan_reports(session: Session, at: datetime | None = None) -> int:
    """Enqueue the reminder and overdue jobs of today's and tomorrow's deadlines; returns how
    many job rows were new."""
    now = at or clock.now()
    rules = Rules.load(session)
    today = routine.today(now)
    groups: set[tuple[str, date, int, datetime, datetime | None]] = set()
    for place in routine.reporters(session, *EVERYWHERE):
        for day in (today, today + timedelta(days=1)):
            for s in rules.slots(place.code, place.level, day):
                groups.add((s.level, s.day, s.slot, s.deadline_at, s.remind_at))
    made = 0
    for level, day, slot, deadline_at, remind_at in sorted(groups, key=lambda g: (g[3], g[0], g[2])):
        payload = {"level": level, "day": day.isoformat(), "slot": slot, "deadline": deadline_at.isoformat()}
        stamp = f"{level}:{day.isoformat()}:{slot}:{int(deadline_at.timestamp())}"
        if remind_at is not None and deadline_at > now:
            made += (
                queue.enqueue(
                    session,
                    "duty.report_remind",
                    payload,
                    due_at=remind_at,
                    dedupe_key=f"duty.remind:{stamp}",
                )
                is not None
            )
        made += (
            queue.enqueue(
                session,
                "duty.report_overdue",
                payload,
                due_at=deadline_at + OVERDUE_GRACE,
                dedupe_key=f"duty.overdue:{stamp}",
            )
            is not None
        )
    return made


def _unreported(session: Session, payload: dict, at: datetime) -> list[tuple[Jurisdiction, Slot]]:
    """Places whose period in ``payload`` still has no report (status looked up now)."""
    level, day, slot_no = payload["level"], date.fromisoformat(payload["day"]), int(payload["slot"])
    deadline = datetime.fromisoformat(payload["deadline"])
    rules = Rules.load(session)
    due = []
    for place in routine.reporters(session, *EVERYWHERE, level):
        slot = next((s for s in rules.slots(place.code, level, day) if s.slot == slot_no), None)
        if slot is not None and slot.deadline_at == deadline:
            due.append(place)
    summary = routine.summarise(session, due, day, rules=rules, at=at)
    by_code = {p.code: p for p in due}
    return [
        (by_code[row.code], s.slot)
        for row in summary.rows
        for s in row.slots
        if s.slot.slot == slot_no and s.report is None
    ]


def _when(slot: Slot) -> str:
    return rotation.to_local_text(slot.deadline_at, fmt="%m-%d %H:%M")


@handler("duty.report_remind", max_attempts=5)
def remind(session: Session, ctx: JobContext) -> None:
    """Before a deadline: remind each place that has not reported yet."""
    now = clock.now()
    if datetime.fromisoformat(ctx.payload["deadline"]) < now:
        return  # too late to remind; the overdue job speaks now
    for place, slot in _unreported(session, ctx.payload, now):
        inbox.notify_level(
            session,
            place.code,
            subject=translate(
                "{place}: send the daily or zero report by {time}",
                DEFAULT_LOCALE,
                place=place.name,
                time=_when(slot),
            ),
            link="/duty/reports",
            category="duty.report_due",
            severity="info",
            key=f"duty.remind:{place.code}:{slot.day.isoformat()}:{slot.slot}",
            perm=Perm.DUTY_REPORT,
        )


@handler("duty.report_overdue", max_attempts=5)
def overdue(session: Session, ctx: JobContext) -> None:
    """After a deadline: tell each place that missed it, and the level above who is missing."""
    now = clock.now()
    missing = [(p, s) for p, s in _unreported(session, ctx.payload, now) if now > s.deadline_at]
    upward: dict[str, list[tuple[Jurisdiction, Slot]]] = defaultdict(list)
    for place, slot in missing:
        inbox.notify_level(
            session,
            place.code,
            subject=translate(
                "{place}: the routine report due {time} is overdue",
                DEFAULT_LOCALE,
                place=place.name,
                time=_when(slot),
            ),
            link="/duty/reports",
            category="duty.report_overdue",
            severity="warning",
            key=f"duty.overdue:{place.code}:{slot.day.isoformat()}:{slot.slot}",
            perm=Perm.DUTY_REPORT,
        )
        publish(
            session,
            "deadline.overdue",
            place.code,
            {"routine_report": slot.day.isoformat(), "slot": slot.slot, "place": place.name},
        )
        if place.parent_code:
            upward[place.parent_code].append((place, slot))
    for parent, rows in upward.items():
        slot = rows[0][1]
        names = "、".join(p.name for p, _ in rows)
        inbox.notify_level(
            session,
            parent,
            subject=translate(
                "Routine reports due {time} still missing: {count}",
                DEFAULT_LOCALE,
                count=len(rows),
                time=_when(slot),
            ),
            body=names,
            link=f"/duty/reports?day={slot.day.isoformat()}",
            category="duty.report_overdue",
            severity="warning",
            key=f"duty.overdue.up:{parent}:{slot.day.isoformat()}:{slot.slot}:{int(slot.deadline_at.timestamp())}",
            perm=Perm.DUTY_MANAGE,
        )

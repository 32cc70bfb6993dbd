"""Rows of the demo plan registry's clocks and their job rows (bulk inserts for ``plans/demo.py``):
due dates on the working-day calendar, past ones already escalated, open ones with their reminder
and escalation jobs as the lifecycle would have queued them."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from yingji.core import clock
from yingji.jobs.models import Job
from yingji.plans import clocks as plan_clocks
from yingji.plans.calendar import Calendar, CalendarUnknown, add_years
from yingji.plans.codes import ClockState
from yingji.plans.models import PlanClock


def moment(day: date):
    """A working-hours moment of ``day`` (Beijing time) for the history of demo plans."""
    return clock.to_utc(datetime.combine(day, time(10), tzinfo=clock.LOCAL_TZ))


def clock_rows(cal: Calendar, plan: dict, pid: int, today: date) -> list[dict]:
    rows = []
    s = plan_clocks.settings()
    issued = plan["issued_on"]
    specs = [("filing", issued, plan["filed_on"]), ("publish", issued, plan["published_on"])]
    specs.append(("evaluation", plan["evaluated_on"] or issued, None))
    for kind, starts, met in specs:
        due = remind = None
        try:
            if kind == "evaluation":
                due = add_years(starts, int(s["evaluation_years"]))
                remind = due - timedelta(days=int(s["remind_days_before_evaluation"]))
            else:
                due = cal.add_working_days(starts, int(s["filing_working_days"]))
                remind = cal.sub_working_days(due, int(s["remind_working_days_before"]))
        except CalendarUnknown:
            pass
        state = (
            ClockState.MET
            if met
            else ClockState.WAITING
            if due is None
            else (ClockState.MISSED if due < today else ClockState.OPEN)
        )
        rows.append(
            {
                "plan_id": pid,
                "version_no": 1,
                "kind": kind,
                "starts_on": starts,
                "due_on": due,
                "remind_on": remind,
                "state": state,
                "met_on": met,
                "reminded_at": clock.now() if state == ClockState.MISSED else None,
                "escalated_at": clock.now() if state == ClockState.MISSED else None,
                "jurisdiction_code": plan["jurisdiction_code"],
            }
        )
    return rows


def jobs(session, top: str) -> None:
    """The reminder and escalation job rows of the open clocks."""
    now = clock.now()
    rows = []
    open_clocks = session.execute(
        select(PlanClock.id, PlanClock.due_on, PlanClock.remind_on).where(
            PlanClock.jurisdiction_code.startswith(top), PlanClock.state == ClockState.OPEN
        )
    ).all()
    for cid, due, remind in open_clocks:
        remind = remind or due
        payload = {"clock_id": cid, "due_on": due.isoformat()}
        key = f"plans.clock:{cid}:{due.isoformat()}"
        common = {
            "payload": payload,
            "state": "queued",
            "priority": 0,
            "attempts": 0,
            "max_attempts": 5,
            "created_at": now,
            "updated_at": now,
        }
        rows.append(
            common
            | {
                "kind": plan_clocks.REMIND_JOB,
                "due_at": plan_clocks._at(remind),
                "dedupe_key": f"{key}:remind",
            }
        )
        rows.append(
            common
            | {
                "kind": plan_clocks.ESCALATE_JOB,
                "due_at": plan_clocks._at(due + timedelta(days=1)),
                "dedupe_key": f"{key}:escalate",
            }
        )
    for i in range(0, len(rows), 5000):
        session.execute(Job.__table__.insert(), rows[i : i + 5000])

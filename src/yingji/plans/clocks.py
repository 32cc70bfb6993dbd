"""The legal clocks of a plan version as rows with their jobs: filing and publication 20 working
days after issue (the issue day not counted), evaluation 3 years after issue (or the last
evaluation). Each open clock has two job rows: a reminder some working days before it falls due
and the escalation the day after — each job re-reads its clock and does nothing when the clock was
met, moved or cancelled. A daily sweep repairs what a lost job would leave undone."""

from __future__ import annotations

import os
from datetime import date, datetime, time, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.core import clock
from yingji.core.i18n import N_, translate
from yingji.jobs import queue
from yingji.notify import inbox
from yingji.org import codes as division_codes
from yingji.plans.calendar import Calendar, CalendarUnknown, add_years
from yingji.plans.codes import DUE_CLOCKS, UNSETTLED_CLOCKS, ClockState
from yingji.plans.labels import CLOCK_LABELS, rules
from yingji.plans.models import Plan, PlanClock

REMIND_JOB = "plans.clock_remind"
ESCALATE_JOB = "plans.clock_escalate"
KINDS = ("filing", "publish", "evaluation")
NOTIFY_HOUR = 9  # local time the reminders and escalations go out


def settings() -> dict:
    got = dict(rules()["clocks"]) | dict(rules()["settings"])
    env = os.environ.get("YINGJI_PLANS_REMIND_WORKING_DAYS")
    if env and env.isdigit():
        got["remind_working_days_before"] = int(env)
    return got


def today() -> date:
    return clock.to_local(clock.now()).date()


def _at(day: date) -> datetime:
    """``day`` at the notification hour, Beijing time, as UTC."""
    return clock.to_utc(datetime.combine(day, time(NOTIFY_HOUR), tzinfo=clock.LOCAL_TZ))


def due_dates(cal: Calendar, issued_on: date) -> dict[str, date]:
    """The answer of ``yingji plans due``: raises CalendarUnknown for a year nobody knows."""
    s = settings()
    return {
        "filing_due": cal.add_working_days(issued_on, int(s["filing_working_days"])),
        "publish_due": cal.add_working_days(issued_on, int(s["publish_working_days"])),
        "evaluation_due": add_years(issued_on, int(s["evaluation_years"])),
    }


def _schedule(cal: Calendar, kind: str, starts_on: date) -> tuple[date | None, date | None]:
    """(due_on, remind_on) of a clock, or (None, None) while a year's calendar is unknown."""
    s = settings()
    try:
        if kind == "evaluation":
            due = add_years(starts_on, int(s["evaluation_years"]))
            return due, due - timedelta(days=int(s["remind_days_before_evaluation"]))
        n = int(s["filing_working_days" if kind == "filing" else "publish_working_days"])
        due = cal.add_working_days(starts_on, n)
        return due, max(starts_on, cal.sub_working_days(due, int(s["remind_working_days_before"])))
    except CalendarUnknown:
        return None, None


def enqueue_jobs(session: Session, c: PlanClock) -> None:
    """The reminder and escalation job rows of an open clock (one each per due date)."""
    if c.state != ClockState.OPEN or c.due_on is None:
        return
    payload = {"clock_id": c.id, "due_on": c.due_on.isoformat()}
    key = f"plans.clock:{c.id}:{c.due_on.isoformat()}"
    if c.remind_on is not None and c.reminded_at is None:
        queue.enqueue(session, REMIND_JOB, payload, due_at=_at(c.remind_on), dedupe_key=f"{key}:remind")
    queue.enqueue(
        session, ESCALATE_JOB, payload, due_at=_at(c.due_on + timedelta(days=1)), dedupe_key=f"{key}:escalate"
    )


def start(session: Session, plan: Plan, version_no: int, kinds: tuple[str, ...], starts_on: date) -> None:
    """Open the clocks ``kinds`` of a version (replacing earlier clocks of the same kinds)."""
    cal = Calendar.of(session)
    for kind in kinds:
        due, remind = _schedule(cal, kind, starts_on)
        c = session.scalar(
            select(PlanClock).where(
                PlanClock.plan_id == plan.id, PlanClock.version_no == version_no, PlanClock.kind == kind
            )
        )
        if c is None:
            c = PlanClock(
                plan_id=plan.id, version_no=version_no, kind=kind, jurisdiction_code=plan.jurisdiction_code
            )
            session.add(c)
        c.starts_on, c.due_on, c.remind_on = starts_on, due, remind
        c.state = ClockState.OPEN if due is not None else ClockState.WAITING
        c.met_on = c.reminded_at = c.escalated_at = None
        session.flush()
        enqueue_jobs(session, c)


def start_next_evaluation(session: Session, plan: Plan, evaluated_on: date) -> None:
    """After an evaluation that keeps the plan, the next one falls due 3 years later."""
    start(session, plan, plan.version_no, ("evaluation",), evaluated_on)


def meet(session: Session, plan: Plan, kind: str, on: date) -> None:
    """The clock ``kind`` of the version in force was met on ``on`` (late or not)."""
    session.execute(
        update(PlanClock)
        .where(
            PlanClock.plan_id == plan.id,
            PlanClock.version_no == plan.version_no,
            PlanClock.kind == kind,
            PlanClock.state.in_(UNSETTLED_CLOCKS),
        )
        .values(state=ClockState.MET, met_on=on)
        .execution_options(synchronize_session="fetch")
    )


def cancel_all(session: Session, plan: Plan, kinds: tuple[str, ...] = KINDS) -> None:
    for c in session.scalars(
        select(PlanClock).where(
            PlanClock.plan_id == plan.id,
            PlanClock.kind.in_(kinds),
            PlanClock.state.in_(UNSETTLED_CLOCKS),
        )
    ):
        c.state = ClockState.CANCELLED


def recompute_waiting(session: Session) -> int:
    """Clocks that waited for a year's notice get their dates (and jobs) once it is known."""
    cal = Calendar.of(session)
    n = 0
    for c in session.scalars(select(PlanClock).where(PlanClock.state == ClockState.WAITING)):
        due, remind = _schedule(cal, c.kind, c.starts_on)
        if due is not None:
            c.due_on, c.remind_on, c.state = due, remind, ClockState.OPEN
            session.flush()
            enqueue_jobs(session, c)
            n += 1
    return n


def late(c: PlanClock, on: date | None = None) -> bool:
    if c.due_on is None:
        return False
    if c.state == ClockState.MET:
        return c.met_on is not None and c.met_on > c.due_on
    return c.state in DUE_CLOCKS and (on or today()) > c.due_on


# -- the jobs --------------------------------------------------------------------------------------
def _zh(msg: str, **params) -> str:
    return translate(msg, "zh_CN", **params)


def _tell(
    session: Session, code: str, plan: Plan, c: PlanClock, subject: str, severity: str, step: str
) -> None:
    inbox.notify_level(
        session,
        code,
        subject=subject,
        body=_zh(
            N_("{plan} ({code}): due on {due}."), plan=plan.title, code=plan.code, due=c.due_on.isoformat()
        ),
        link=f"/plans/{plan.id}",
        category="plans",
        severity=severity,
        key=f"plans.clock:{c.id}:{c.due_on.isoformat()}:{step}:{code}",
        perm=Perm.PLANS_MANAGE,
    )


def _current(session: Session, clock_id: int, due_on: str | None) -> PlanClock | None:
    c = session.get(PlanClock, clock_id, with_for_update=True, populate_existing=True)
    if c is None or c.state != ClockState.OPEN or c.due_on is None:
        return None
    if due_on is not None and c.due_on.isoformat() != due_on:
        return None  # moved since: the job of the new date does it
    return c


def remind(session: Session, clock_id: int, due_on: str | None = None) -> bool:
    c = _current(session, clock_id, due_on)
    if c is None or c.reminded_at is not None:
        return False
    plan = session.get(Plan, c.plan_id)
    what = _zh(CLOCK_LABELS[c.kind])
    _tell(
        session,
        plan.jurisdiction_code,
        plan,
        c,
        _zh(N_("Plan {what} falls due soon"), what=what),
        "info",
        "remind",
    )
    c.reminded_at = clock.now()
    return True


def escalate(session: Session, clock_id: int, due_on: str | None = None, on: date | None = None) -> bool:
    """Past the due date and still open: the clock is missed; the plan's level and the level above
    are told."""
    c = _current(session, clock_id, due_on)
    if c is None or (on or today()) <= c.due_on:
        return False
    plan = session.get(Plan, c.plan_id)
    what = _zh(CLOCK_LABELS[c.kind])
    subject = _zh(N_("Plan {what} overdue"), what=what)
    _tell(session, plan.jurisdiction_code, plan, c, subject, "warning", "escalate")
    above = division_codes.ancestors(plan.jurisdiction_code)
    if above:
        parent = above[-1]
        _tell(session, parent, plan, c, subject, "warning", "escalate")
    c.state, c.escalated_at = ClockState.MISSED, clock.now()
    return True


def sweep(session: Session, on: date | None = None) -> dict[str, int]:
    """Daily repair: remind and escalate what is due (the jobs' work if they were lost)."""
    on = on or today()
    done = {"reminded": 0, "escalated": 0}
    overdue = session.scalars(
        select(PlanClock.id).where(PlanClock.state == ClockState.OPEN, PlanClock.due_on < on).limit(5000)
    ).all()
    for cid in overdue:
        done["escalated"] += escalate(session, cid, on=on)
    soon = session.scalars(
        select(PlanClock.id)
        .where(PlanClock.state == ClockState.OPEN, PlanClock.remind_on <= on, PlanClock.reminded_at.is_(None))
        .limit(5000)
    ).all()
    for cid in soon:
        done["reminded"] += remind(session, cid)
    return done

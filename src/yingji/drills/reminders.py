"""Reminders of drills, through the in-app inbox of the place's drill planners (drills.manage there):
a drill of the yearly plan coming up, a follow-up task coming due, a follow-up task overdue. Each
message lands once (its key names the drill or problem and the day concerned). How many days ahead
is a setting (``YINGJI_DRILL_REMIND_DAYS``, default 7): an operating choice, no law gives one.

A revision trigger is told to the plan's owners (plans.manage where the plan is) when it is raised
(``tell_plan_owners``, called by the evaluation in the same transaction)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.core.i18n import N_, translate
from yingji.drills.codes import DrillState, ProblemState
from yingji.drills.models import Drill, DrillProblem
from yingji.notify.inbox import notify_level
from yingji.plans.models import PlanTrigger

DEFAULT_DAYS = 7


def days_of(settings) -> int:
    try:
        return max(0, int(settings.extra.get("drill_remind_days", DEFAULT_DAYS)))
    except (TypeError, ValueError):
        return DEFAULT_DAYS


def _zh(message: str, **params) -> str:
    return translate(message, "zh_CN", **params)


def run(session: Session, today: date, days: int = DEFAULT_DAYS) -> dict[str, int]:
    """Send what is due today; returns how many drills and problems were told about."""
    ahead = today + timedelta(days=days)
    upcoming = session.execute(
        select(Drill.id, Drill.title, Drill.planned_on, Drill.jurisdiction_code).where(
            Drill.state.in_((DrillState.PLANNED.value, DrillState.PREPARED.value)),
            Drill.planned_on >= today,
            Drill.planned_on <= ahead,
        )
    ).all()
    for d in upcoming:
        notify_level(
            session,
            d.jurisdiction_code,
            subject=_zh(
                N_("Drill {title} is planned for {day}"), title=d.title, day=d.planned_on.isoformat()
            ),
            link=f"/drills/{d.id}",
            category="drills.upcoming",
            key=f"drill-upcoming:{d.id}:{d.planned_on:%Y%m%d}",
            perm=Perm.DRILLS_MANAGE,
        )
    problems = session.execute(
        select(
            DrillProblem.id,
            DrillProblem.drill_id,
            DrillProblem.description,
            DrillProblem.due_on,
            DrillProblem.jurisdiction_code,
        ).where(DrillProblem.state == ProblemState.OPEN, DrillProblem.due_on <= ahead)
    ).all()
    late = 0
    for p in problems:
        overdue = p.due_on < today
        late += overdue
        message = (
            N_("Follow-up of a drill overdue since {day}: {text}")
            if overdue
            else N_("Follow-up of a drill due on {day}: {text}")
        )
        notify_level(
            session,
            p.jurisdiction_code,
            subject=_zh(message, day=p.due_on.isoformat(), text=p.description[:80]),
            link=f"/drills/{p.drill_id}#problems",
            category="drills.followup",
            severity="warning" if overdue else "info",
            key=f"drill-followup-{'late' if overdue else 'due'}:{p.id}:{p.due_on:%Y%m%d}",
            perm=Perm.DRILLS_MANAGE,
        )
    return {"upcoming": len(upcoming), "followups": len(problems), "overdue": late}


def tell_plan_owners(session: Session, trigger: PlanTrigger, plan_title: str) -> None:
    notify_level(
        session,
        trigger.jurisdiction_code,
        subject=_zh(N_("A drill proposes revising the plan {title}"), title=plan_title),
        body=trigger.detail,
        link=f"/plans/{trigger.plan_id}",
        category="plans.revision",
        severity="warning",
        key=f"plan-revision-trigger:{trigger.id}",
        perm=Perm.PLANS_MANAGE,
    )

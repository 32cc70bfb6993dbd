"""Where each measure stands (done, on track, at risk, overdue), computed from its deadline, its
reporting period and the reports of its units; and ``completion`` for the assessment.

- A dated measure is overdue past its date unless done; at risk when the date is within
  ``labels.at_risk_days()`` and no report came in the current period.
- A long-term measure (长期坚持) owes a report every period, due by ``labels.report_day()`` of the
  next period (RULES2 §12.3: monthly by the 5th): overdue when the last ended period's report is
  missing past that day, at risk when the current period ends within the at-risk days without one.
  Periods that ended before the plan was issued owe nothing.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.core import clock
from yingji.governance import labels
from yingji.governance.codes import DeadlineKind, Flag, MeasureState, Period
from yingji.governance.models import Measure, MeasureUnit, ProgressReport, TaskPlan
from yingji.org.codes import subtree_bounds


def period_of(period: str, day: date) -> tuple[str, date, date]:
    """(key, first day, last day) of the period holding ``day``."""
    y, m = day.year, day.month
    if period == Period.MONTH:
        return f"{y}-{m:02d}", date(y, m, 1), date(y, m, calendar.monthrange(y, m)[1])
    if period == Period.QUARTER:
        q = (m - 1) // 3
        end_m = q * 3 + 3
        return f"{y}-Q{q + 1}", date(y, q * 3 + 1, 1), date(y, end_m, calendar.monthrange(y, end_m)[1])
    if period == Period.HALF_YEAR:
        h = 0 if m <= 6 else 1
        return f"{y}-H{h + 1}", date(y, 1 if h == 0 else 7, 1), date(y, 6, 30) if h == 0 else date(y, 12, 31)
    return str(y), date(y, 1, 1), date(y, 12, 31)


def previous_period(period: str, day: date) -> tuple[str, date, date]:
    _key, first, _last = period_of(period, day)
    return period_of(period, first - timedelta(days=1))


@dataclass
class Standing:
    flag: Flag
    period_key: str  # the period whose report is missing (or the current one)
    missing_units: list[int]  # units owing a report (or, dated, the units not finished)


def _start(plan: TaskPlan) -> date:
    if plan.issued_on:
        return plan.issued_on
    return clock.to_local(plan.created_at).date() if plan.created_at else date(plan.year, 1, 1)


def standings(
    session: Session, plan: TaskPlan, measures: list[Measure], today: date | None = None
) -> dict[int, Standing]:
    """The standing of each measure of a plan, with one query for the units and one for the reports."""
    today = today or clock.to_local(clock.now()).date()
    ids = [m.id for m in measures]
    if not ids:
        return {}
    units: dict[int, list[int]] = {i: [] for i in ids}
    for mid, uid in session.execute(
        select(MeasureUnit.measure_id, MeasureUnit.unit_id).where(MeasureUnit.measure_id.in_(ids))
    ):
        units[mid].append(uid)
    reported: set[tuple[int, int, str]] = set()
    last: dict[int, date] = {}
    for mid, uid, key, at in session.execute(
        select(
            ProgressReport.measure_id, ProgressReport.unit_id, ProgressReport.period_key, ProgressReport.at
        ).where(ProgressReport.measure_id.in_(ids))
    ):
        reported.add((mid, uid, key))
        d = clock.to_local(at).date()
        last[mid] = max(last.get(mid, d), d)
    risk = timedelta(days=labels.at_risk_days())
    grace = labels.report_day()
    start = _start(plan)
    out = {}
    for m in measures:
        cur_key, _first, cur_last = period_of(m.period, today)
        if m.state == MeasureState.DONE:
            out[m.id] = Standing(Flag.DONE, cur_key, [])
            continue
        if m.state == MeasureState.CLOSED:
            out[m.id] = Standing(Flag.CLOSED, cur_key, [])
            continue
        carriers = units[m.id]
        missing_now = [u for u in carriers if (m.id, u, cur_key) not in reported]
        if m.deadline_kind == DeadlineKind.DATE and m.due_on is not None:
            if m.due_on < today:
                out[m.id] = Standing(Flag.OVERDUE, m.due_on.isoformat(), carriers)
            elif m.due_on - today <= risk and missing_now:
                out[m.id] = Standing(Flag.AT_RISK, cur_key, missing_now)
            else:
                out[m.id] = Standing(Flag.ON_TRACK, cur_key, [])
            continue
        prev_key, _pf, prev_last = previous_period(m.period, today)
        owed = prev_last >= start and today > prev_last + timedelta(days=grace)
        missing_prev = [u for u in carriers if (m.id, u, prev_key) not in reported] if owed else []
        if missing_prev:
            out[m.id] = Standing(Flag.OVERDUE, prev_key, missing_prev)
        elif missing_now and cur_last - today <= risk and cur_last >= start:
            out[m.id] = Standing(Flag.AT_RISK, cur_key, missing_now)
        else:
            out[m.id] = Standing(Flag.ON_TRACK, cur_key, [])
    return out


def last_reports(session: Session, ids: list[int]) -> dict[int, tuple[int, object]]:
    """(number of reports, time of the last) per measure."""
    out: dict[int, tuple[int, object]] = {}
    if not ids:
        return out
    for mid, at in session.execute(
        select(ProgressReport.measure_id, ProgressReport.at).where(ProgressReport.measure_id.in_(ids))
    ):
        n, prev = out.get(mid, (0, None))
        out[mid] = (n + 1, at if prev is None or at > prev else prev)
    return out


def completion(session: Session, jurisdiction_codes: list[str], year: int) -> dict[str, tuple[int, int]]:
    """Per jurisdiction code (its subtree): (measures done or on track, measures counted) of the task
    plans of that year in the subtree. Every measure of those plans is counted; a closed measure counts
    as done only if it was completed (``done_at``) before it closed. For the assessment helper."""
    out: dict[str, tuple[int, int]] = {}
    today = clock.to_local(clock.now()).date()
    for code in jurisdiction_codes:
        low, high = subtree_bounds(code)
        good = total = 0
        plans = session.scalars(
            select(TaskPlan).where(
                TaskPlan.jurisdiction_code >= low, TaskPlan.jurisdiction_code < high, TaskPlan.year == year
            )
        ).all()
        for plan in plans:
            measures = list(session.scalars(select(Measure).where(Measure.plan_id == plan.id)))
            total += len(measures)
            flags = standings(session, plan, measures, today)
            for m in measures:
                flag = flags[m.id].flag
                if flag in (Flag.DONE, Flag.ON_TRACK) or (flag == Flag.CLOSED and m.done_at is not None):
                    good += 1
        out[code] = (good, total)
    return out

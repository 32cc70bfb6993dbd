"""Labels of the work-task codes and the limits of supervision (rules/governance.json, each a
setting: RULES2 §12.3 says "all limits are settings")."""

from __future__ import annotations

from functools import cache

from yingji.config import env_float
from yingji.core.i18n import N_, gettext
from yingji.governance.codes import (
    DeadlineKind,
    Flag,
    MeasureState,
    NoticeKind,
    NoticeLevel,
    NoticeState,
    Period,
    PlanState,
    UnitRole,
)
from yingji.rules import load

PLAN_STATE = {PlanState.ACTIVE: N_("In progress"), PlanState.CLOSED: N_("Plan closed")}
MEASURE_STATE = {
    MeasureState.PENDING: N_("Not started"),
    MeasureState.ONGOING: N_("Under way"),
    MeasureState.DONE: N_("Measure completed"),
    MeasureState.CLOSED: N_("Closed, no more reports"),
}
FLAG = {
    Flag.DONE: N_("Measure completed"),
    Flag.ON_TRACK: N_("On track"),
    Flag.AT_RISK: N_("At risk"),
    Flag.OVERDUE: N_("Measure overdue"),
    Flag.CLOSED: N_("Closed, no more reports"),
}
DEADLINE = {DeadlineKind.DATE: N_("By a date"), DeadlineKind.LONG_TERM: N_("Long-term")}
PERIOD = {
    Period.MONTH: N_("Monthly"),
    Period.QUARTER: N_("Quarterly"),
    Period.HALF_YEAR: N_("Half-yearly"),
    Period.YEAR: N_("Yearly"),
}
ROLE = {UnitRole.LEAD: N_("Lead unit"), UnitRole.CO: N_("Co-operating unit")}
NOTICE_KIND = {
    NoticeKind.REMINDER: N_("Reminder to report"),
    NoticeKind.SUPERVISION: N_("Supervision notice"),
}
LEVEL = {
    NoticeLevel.BLUE: N_("Blue notice"),
    NoticeLevel.ORANGE: N_("Orange notice"),
    NoticeLevel.RED: N_("Red notice"),
}
NOTICE_STATE = {
    NoticeState.OPEN: N_("Waiting for feedback"),
    NoticeState.ANSWERED: N_("Feedback given"),
    NoticeState.CLOSED: N_("Closed by the office"),
    NoticeState.SUPERSEDED: N_("Escalated"),
}


def label(table: dict, code: str | None) -> str:
    if not code:
        return ""
    msgid = table.get(code)
    return gettext(msgid) if msgid else code


@cache
def rules() -> dict:
    return load("governance.json")


def limit(name: str, low: float, high: float) -> int:
    row = rules()[name]
    return int(env_float(row["setting"], float(row["default"]), low, high))


def at_risk_days() -> int:
    return limit("at_risk_days", 1, 180)


def report_day() -> int:
    return limit("report_day", 1, 28)


def reply_days(urgent: bool) -> int:
    return limit("urgent_reply_days" if urgent else "reply_days", 1, 90)


def escalate_days() -> int:
    return limit("escalate_days", 1, 90)

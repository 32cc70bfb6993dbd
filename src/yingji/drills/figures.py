"""The figures a drill's evaluation starts from: the exercise mode's measurements of the players
(``drills.measure.measurements(session, drill_id)``: time to receive, grade, send the 首报, activate
the response, acknowledge tasks, each against its limit) shown on the drill and evaluation pages,
and summed up as the opening text of the section 应急人员的处置情况 of a new evaluation.

Exercise mode is a piece of its own (``drills/measure.py``); a drill held without it (a tabletop or
a field drill outside the platform) simply has no figures."""

from __future__ import annotations

from collections import Counter

from sqlalchemy.orm import Session

from yingji.core.i18n import gettext
from yingji.drills.exercise_codes import Outcome

try:  # exercise mode (drills/measure.py and its code tables) is merged beside this module
    from yingji.drills import measure
    from yingji.drills.exercise_codes import METRIC_LABELS, OUTCOME_LABELS
except ImportError:  # pragma: no cover - the drills piece alone
    measure, METRIC_LABELS, OUTCOME_LABELS = None, {}, {}

OUTCOME_ZH = {
    "met": "按时",
    "late": "超时",
    "overdue": "逾期未完成",
    "pending": "未完成",
    "done": "已完成",
    "not_done": "未完成",
}
METRIC_ZH = {
    "receive": "接报签收",
    "grade": "研判定级",
    "first_report": "首报上报",
    "response": "启动响应",
    "task_ack": "任务签收",
    "alarm_ack": "报警确认",
    "warning_ack": "预警签收",
}


def of_drill(session: Session, drill_id: int) -> list:
    """The measurements of a drill (the caller has checked who may read it); [] without exercise mode."""
    return list(measure.measurements(session, drill_id)) if measure is not None else []


def _minutes(seconds: int | None) -> str:
    if seconds is None:
        return "—"
    return f"{seconds / 60:.1f}" if seconds < 600 else f"{round(seconds / 60)}"


def rows(measurements: list) -> list[dict]:
    """The measurements as table rows for the pages (labels in the reader's language)."""
    out = []
    for m in measurements:
        metric, outcome = str(m.metric), str(m.outcome)
        out.append(
            {
                "metric": metric,
                "metric_label": gettext(METRIC_LABELS[metric]) if metric in METRIC_LABELS else metric,
                "subject": m.subject,
                "inject_title": m.inject_title,
                "minutes": _minutes(m.seconds),
                "limit_minutes": _minutes(m.limit_seconds),
                "outcome": outcome,
                "outcome_label": gettext(OUTCOME_LABELS[outcome]) if outcome in OUTCOME_LABELS else outcome,
                "basis": m.basis,
            }
        )
    return out


def responders_text(measurements: list) -> str:
    """The opening of 应急人员的处置情况 from the figures (Chinese, like the report itself)."""
    if not measurements:
        return ""
    outcomes = Counter(str(m.outcome) for m in measurements)
    lines = [
        f"平台共测评{len(measurements)}项处置动作：按时{outcomes['met']}项，超时{outcomes['late']}项，"
        f"逾期未完成{outcomes['overdue']}项，未设时限{outcomes['done'] + outcomes['not_done']}项。"
    ]
    by_metric: dict[str, list] = {}
    for m in measurements:
        by_metric.setdefault(str(m.metric), []).append(m)
    for metric, items in by_metric.items():
        timed = [m.seconds for m in items if m.seconds is not None]
        worst = [m for m in items if m.outcome in (Outcome.LATE, Outcome.OVERDUE)]
        text = f"{METRIC_ZH.get(metric, metric)}{len(items)}项"
        if timed:
            text += f"，最快{_minutes(min(timed))}分钟、最慢{_minutes(max(timed))}分钟"
        if worst:
            late = "；".join(
                f"{m.subject}{OUTCOME_ZH.get(str(m.outcome), str(m.outcome))}"
                f"（{_minutes(m.seconds)}/{_minutes(m.limit_seconds)}分钟）"
                for m in worst[:5]
            )
            text += f"，其中{late}"
        lines.append(text + "。")
    return "\n".join(lines)

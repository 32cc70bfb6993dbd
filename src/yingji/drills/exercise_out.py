"""What the exercise pages and API show: the script, the measurements with their labels, the summary
per metric, the sandbox's messages, and the results as an Excel sheet an office would file."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.core.clock import to_local
from yingji.core.i18n import gettext
from yingji.drills import measure, sandbox
from yingji.drills.exercise_codes import KIND_LABELS, METRIC_LABELS, OUTCOME_LABELS, STATE_LABELS
from yingji.drills.models import Drill, DrillInject
from yingji.org.models import Jurisdiction
from yingji.org.sheets import Column


def place_names(session: Session, codes: set[str]) -> dict[str, str]:
    if not codes:
        return {}
    return dict(
        session.execute(
            select(Jurisdiction.code, Jurisdiction.name).where(Jurisdiction.code.in_(codes))
        ).all()
    )


def inject_out(inject: DrillInject, names: dict[str, str] | None = None) -> dict:
    return {
        "id": inject.id,
        "drill_id": inject.drill_id,
        "seq": inject.seq,
        "kind": inject.kind,
        "kind_label": gettext(KIND_LABELS[inject.kind]),
        "offset_minutes": inject.offset_minutes,
        "title": inject.title,
        "place_code": inject.place_code,
        "place_name": (names or {}).get(inject.place_code),
        "payload": inject.payload or {},
        "state": inject.state,
        "state_label": gettext(STATE_LABELS[inject.state]),
        "due_at": inject.due_at,
        "injected_at": inject.injected_at,
        "error": inject.error,
        "incident_id": inject.incident_id,
        "warning_id": inject.warning_id,
        "alarm_id": inject.alarm_id,
    }


def measurement_out(m: measure.Measurement) -> dict:
    return {
        "inject_id": m.inject_id,
        "inject_title": m.inject_title,
        "metric": m.metric,
        "metric_label": gettext(METRIC_LABELS[m.metric]),
        "subject": m.subject,
        "started_at": m.started_at,
        "done_at": m.done_at,
        "seconds": m.seconds,
        "limit_seconds": m.limit_seconds,
        "basis": m.basis,
        "outcome": m.outcome,
        "outcome_label": gettext(OUTCOME_LABELS[m.outcome]),
    }


def summary_out(s: measure.Summary) -> dict:
    return {
        "metric": s.metric,
        "metric_label": gettext(METRIC_LABELS[s.metric]),
        "count": s.count,
        "done": s.done,
        "within_limit": s.within_limit,
        "late_or_overdue": s.late_or_overdue,
        "median_seconds": s.median_seconds,
        "max_seconds": s.max_seconds,
    }


def exercise_out(session: Session, drill: Drill, injects: list[DrillInject]) -> dict:
    rows = measure.measurements(session, drill.id)
    names = place_names(session, {i.place_code for i in injects})
    return {
        "drill_id": drill.id,
        "title": drill.title,
        "state": drill.state,
        "double_blind": drill.double_blind,
        "starts_at": drill.starts_at,
        "ended_at": drill.ended_at,
        "frozen": measure.is_frozen(session, drill.id),
        "injects": [inject_out(i, names) for i in injects],
        "measurements": [measurement_out(m) for m in rows],
        "summary": [summary_out(s) for s in measure.summary(rows)],
        "sandbox_messages": sandbox.count(session, drill.id),
    }


def duration(seconds: int | None) -> str:
    """4分05秒 / 1小时02分 (shown the same on the page and in the sheet)."""
    if seconds is None:
        return "—"
    h, rest = divmod(int(seconds), 3600)
    mnt, sec = divmod(rest, 60)
    return f"{h}小时{mnt:02d}分" if h else f"{mnt}分{sec:02d}秒"


RESULT_COLUMNS = [
    Column("mark", "标记", "Mark", width=8),
    Column("inject", "注入事件", "Inject", width=28),
    Column("metric", "测量项目", "Measure", width=18),
    Column("subject", "对象", "Subject", width=28),
    Column("started_at", "起算时间", "From", width=20),
    Column("done_at", "完成时间", "Done at", width=20),
    Column("taken", "用时", "Time taken", width=14),
    Column("limit", "时限", "Limit", width=14),
    Column("outcome", "结果", "Outcome", width=14),
    Column("basis", "时限依据", "Basis of the limit", width=50),
]


def _when(value) -> str:
    return to_local(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def result_rows(session: Session, drill: Drill):
    for m in measure.measurements(session, drill.id):
        yield {
            "mark": "演练",
            "inject": m.inject_title or "",
            "metric": gettext(METRIC_LABELS[m.metric]),
            "subject": m.subject,
            "started_at": _when(m.started_at),
            "done_at": _when(m.done_at),
            "taken": duration(m.seconds) if m.seconds is not None else "",
            "limit": duration(m.limit_seconds) if m.limit_seconds is not None else "",
            "outcome": gettext(OUTCOME_LABELS[m.outcome]),
            "basis": m.basis or "",
        }

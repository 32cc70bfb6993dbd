"""Measuring the players of an exercise: how long after each inject the people on duty received
it, graded it, sent the 首报 up the chain, activated the response and acknowledged their tasks (and
acknowledged an injected alarm or warning), against the limits that apply:

- the law's: each reporting obligation's due time (``incident_deadlines``, computed from
  ``rules/reporting_obligations.json`` and the local overrides when the report came in);
- the plan's: each task's due time (set from the plan action's time limit, or by the commander);
- the warning's escalation policy: its first step (silent cells are chased after that);
- a local setting where no law gives one (``YINGJI_DRILL_RECEIVE_MINUTES`` … in ``config.py``);
  without it the reaction is timed but has no limit (never an invented threshold).

``measurements(session, drill_id)`` is what the evaluation starts from: live while the drill runs,
frozen into ``drill_measurements`` when it ends.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from yingji.config import load_settings
from yingji.core import clock
from yingji.core.i18n import N_, translate
from yingji.drills.exercise_codes import InjectKind, InjectState, Metric, Outcome
from yingji.drills.models import Drill, DrillInject, DrillMeasurement
from yingji.incidents import levels
from yingji.incidents.codes import DeadlineState, ReportKind
from yingji.incidents.models import IncidentReceipt, ReportingDeadline, TimelineEvent
from yingji.incidents.status import IncidentStatus
from yingji.response.codes import TaskState

SETTING_OF = {
    Metric.RECEIVE: ("drill_receive_minutes", "YINGJI_DRILL_RECEIVE_MINUTES"),
    Metric.GRADE: ("drill_grade_minutes", "YINGJI_DRILL_GRADE_MINUTES"),
    Metric.RESPONSE: ("drill_response_minutes", "YINGJI_DRILL_RESPONSE_MINUTES"),
    Metric.ALARM_ACK: ("drill_alarm_ack_minutes", "YINGJI_DRILL_ALARM_ACK_MINUTES"),
}


@dataclass
class Measurement:
    inject_id: int | None
    inject_title: str | None
    metric: str
    subject: str
    started_at: datetime
    done_at: datetime | None
    limit_seconds: int | None
    basis: str | None
    outcome: str = ""
    seconds: int | None = None

    def settle(self, now: datetime) -> Measurement:
        """Seconds taken and the outcome against the limit, as things stand at ``now``."""
        if self.done_at is not None:
            self.seconds = max(0, int((self.done_at - self.started_at).total_seconds()))
        if self.limit_seconds is None:
            self.outcome = Outcome.DONE if self.done_at else Outcome.NOT_DONE
        elif self.done_at is not None:
            self.outcome = Outcome.MET if self.seconds <= self.limit_seconds else Outcome.LATE
        else:
            waited = (now - self.started_at).total_seconds()
            self.outcome = Outcome.OVERDUE if waited > self.limit_seconds else Outcome.PENDING
        self.outcome = Outcome(self.outcome).value
        return self


def zh(message: str, **params) -> str:
    return translate(message, "zh_CN", **params)


def local_limit(metric: Metric) -> tuple[int | None, str | None]:
    """A limit from the local settings, in seconds, with its basis; (None, None) when unset."""
    key, var = SETTING_OF[metric]
    raw = load_settings().extra.get(key)
    try:
        minutes = float(raw) if raw not in (None, "") else None
    except ValueError:
        minutes = None
    if minutes is None or minutes <= 0:
        return None, None
    return int(minutes * 60), zh(
        N_("Local setting {name}: {minutes} minutes"), name=var, minutes=f"{minutes:g}"
    )


def _incident(session: Session, inject: DrillInject, out: list[Measurement]) -> None:
    from yingji.incidents.models import Incident
    from yingji.response.models import ResponseActivation, ResponseTask

    incident = session.get(Incident, inject.incident_id)
    if incident is None:
        return
    t0 = incident.received_at  # the report came in: the clocks of the law start here
    m = lambda metric, subject, done, limit, basis, start=t0: out.append(  # noqa: E731
        Measurement(inject.id, inject.title, metric.value, subject, start, done, limit, basis)
    )
    # Receive: the first receiving level above the caller (the town's or county's desk).
    reporter = levels.level_of(inject.place_code)
    above = levels.chain_above(incident.jurisdiction_code, reporter)
    receipts = {
        r.level: r
        for r in session.scalars(select(IncidentReceipt).where(IncidentReceipt.incident_id == incident.id))
    }
    if above:
        level = above[0]
        got = receipts.get(level)
        limit, basis = local_limit(Metric.RECEIVE)
        m(Metric.RECEIVE, zh(levels.LABELS[level]), got.received_at if got else None, limit, basis)
    # Grade: a player verified it, or set its grade by a report of their own.
    events = session.scalars(
        select(TimelineEvent)
        .where(TimelineEvent.incident_id == incident.id, TimelineEvent.actor_id.is_not(None))
        .order_by(TimelineEvent.at, TimelineEvent.id)
    )
    graded = next(
        (
            e.at
            for e in events
            if (e.kind == "status" and (e.data or {}).get("to") == IncidentStatus.VERIFIED)
            or e.kind == "grade"
            or (e.kind == "report" and (e.data or {}).get("kind") not in (None, ReportKind.FIRST))
        ),
        None,
    )
    limit, basis = local_limit(Metric.GRADE)
    m(Metric.GRADE, zh(N_("Verified or graded")), graded, limit, basis)
    # 首报: every reporting obligation the law put on the incident, against its due time.
    for d in session.scalars(
        select(ReportingDeadline)
        .where(ReportingDeadline.incident_id == incident.id, ReportingDeadline.state != DeadlineState.WAIVED)
        .order_by(ReportingDeadline.due_at, ReportingDeadline.id)
    ):
        done = d.met_at if d.state in (DeadlineState.MET, DeadlineState.LATE) else None
        limit = max(0, int((d.due_at - t0).total_seconds()))
        m(
            Metric.FIRST_REPORT,
            zh(N_("To the {level}"), level=zh(levels.LABELS[d.to_level])),
            done,
            limit,
            d.basis,
        )
    # Response: the first activation.
    first = session.scalar(
        select(ResponseActivation)
        .where(ResponseActivation.incident_id == incident.id)
        .order_by(ResponseActivation.started_at)
        .limit(1)
    )
    limit, basis = local_limit(Metric.RESPONSE)
    subject = zh(N_("Response activated"))
    if first is not None and first.plan_name:
        subject = zh(N_("Response under {plan}"), plan=first.plan_name)
    m(Metric.RESPONSE, subject, first.started_at if first else None, limit, basis)
    # Tasks: each acknowledged against its own due time (the plan action's limit).
    for task in session.scalars(
        select(ResponseTask).where(ResponseTask.incident_id == incident.id).order_by(ResponseTask.seq)
    ):
        if task.state == TaskState.CANCELLED and task.acknowledged_at is None:
            continue
        limit = max(0, int((task.due_at - task.created_at).total_seconds()))
        basis = zh(N_("The task's time limit (plan action or commander)"))
        m(
            Metric.TASK_ACK,
            f"{task.assignee_name}：{task.title}"[:300],
            task.acknowledged_at,
            limit,
            basis,
            start=task.created_at,
        )


def _alarm(session: Session, inject: DrillInject, out: list[Measurement]) -> None:
    from yingji.monitoring.models import Alarm

    alarm = session.get(Alarm, inject.alarm_id)
    if alarm is None:
        return
    limit, basis = local_limit(Metric.ALARM_ACK)
    out.append(
        Measurement(
            inject.id,
            inject.title,
            Metric.ALARM_ACK.value,
            alarm.sensor.name[:300],
            alarm.raised_at,
            alarm.acknowledged_at,
            limit,
            basis,
        )
    )


def _warning(session: Session, inject: DrillInject, out: list[Measurement]) -> None:
    from sqlalchemy import func

    from yingji.delivery.models import Dispatch, DispatchCell

    for dispatch in session.scalars(
        select(Dispatch).where(Dispatch.warning_id == inject.warning_id, Dispatch.event == "published")
    ):
        total, acked, last = session.execute(
            select(
                func.count(), func.count(DispatchCell.acknowledged_at), func.max(DispatchCell.acknowledged_at)
            ).where(DispatchCell.dispatch_id == dispatch.id)
        ).one()
        steps = (dispatch.policy or {}).get("steps") or []
        limit = int(steps[0]["after_minutes"]) * 60 if steps else None
        basis = zh(N_("First step of the frozen acknowledgement escalation")) if steps else None
        subject = zh(N_("Grid cells acknowledged: {done} of {total}"), done=acked, total=total)
        done = last if total and acked == total else None
        out.append(
            Measurement(
                inject.id,
                inject.title,
                Metric.WARNING_ACK.value,
                subject,
                dispatch.created_at,
                done,
                limit,
                basis,
            )
        )


KINDS = {
    InjectKind.INCIDENT_REPORT: _incident,
    InjectKind.SENSOR_READING: _alarm,
    InjectKind.UPSTREAM_WARNING: _warning,
}


def live(session: Session, drill: Drill, at: datetime | None = None) -> list[Measurement]:
    """The reaction times as they stand now (or at ``at``)."""
    now = at or clock.now()
    out: list[Measurement] = []
    for inject in session.scalars(
        select(DrillInject)
        .where(DrillInject.drill_id == drill.id, DrillInject.state == InjectState.INJECTED)
        .order_by(DrillInject.injected_at, DrillInject.seq)
    ):
        KINDS[InjectKind(inject.kind)](session, inject, out)
    return [x.settle(now) for x in out]


def freeze(session: Session, drill: Drill) -> int:
    """Keep the figures as they were when the drill ended (the evaluation reads these)."""
    rows = live(session, drill, drill.ended_at)
    if rows:
        session.execute(
            insert(DrillMeasurement),
            [
                {
                    "drill_id": drill.id,
                    "inject_id": x.inject_id,
                    "jurisdiction_code": drill.jurisdiction_code,
                    "seq": i,
                    "metric": x.metric,
                    "subject": x.subject,
                    "started_at": x.started_at,
                    "done_at": x.done_at,
                    "seconds": x.seconds,
                    "limit_seconds": x.limit_seconds,
                    "basis": x.basis,
                    "outcome": x.outcome,
                }
                for i, x in enumerate(rows, start=1)
            ],
        )
    return len(rows)


def measurements(session: Session, drill_id: int) -> list[Measurement]:
    """The players' reaction times of a drill: frozen once it ended, else live. No scope check here:
    callers (pages, API, the evaluation) have checked who may read the drill."""
    drill = session.get(Drill, drill_id)
    if drill is None:
        return []
    frozen = session.scalars(
        select(DrillMeasurement).where(DrillMeasurement.drill_id == drill_id).order_by(DrillMeasurement.seq)
    ).all()
    if not frozen:
        return live(session, drill)
    titles = dict(
        session.execute(
            select(DrillInject.id, DrillInject.title).where(DrillInject.drill_id == drill_id)
        ).all()
    )
    return [
        Measurement(
            f.inject_id,
            titles.get(f.inject_id),
            f.metric,
            f.subject,
            f.started_at,
            f.done_at,
            f.limit_seconds,
            f.basis,
            f.outcome,
            f.seconds,
        )
        for f in frozen
    ]


def is_frozen(session: Session, drill_id: int) -> bool:
    return (
        session.scalar(select(DrillMeasurement.id).where(DrillMeasurement.drill_id == drill_id).limit(1))
        is not None
    )


@dataclass
class Summary:
    metric: str
    count: int
    done: int
    within_limit: int
    late_or_overdue: int
    median_seconds: int | None
    max_seconds: int | None


def summary(rows: list[Measurement]) -> list[Summary]:
    """Per metric, in the order a duty officer works: counts, within limit, median and worst time."""
    out = []
    for metric in Metric:
        mine = [r for r in rows if r.metric == metric.value]
        if not mine:
            continue
        times = [r.seconds for r in mine if r.seconds is not None]
        out.append(
            Summary(
                metric.value,
                len(mine),
                len(times),
                sum(r.outcome == Outcome.MET for r in mine),
                sum(r.outcome in (Outcome.LATE, Outcome.OVERDUE) for r in mine),
                int(statistics.median(times)) if times else None,
                max(times) if times else None,
            )
        )
    return out

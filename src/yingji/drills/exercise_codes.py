"""Code tables of exercise mode: what an inject puts into the live duty flow, the life of an inject,
and what is measured of the players (with their labels)."""

from __future__ import annotations

from enum import StrEnum

from yingji.core.i18n import N_


class InjectKind(StrEnum):
    INCIDENT_REPORT = "incident_report"  # a 首报 from a village or the scene, as a caller would file it
    SENSOR_READING = "sensor_reading"  # a sensor crossing its alarm level
    UPSTREAM_WARNING = "upstream_warning"  # a warning from the level above (or the weather office)


class InjectState(StrEnum):
    SCRIPTED = "scripted"  # waiting for its time
    INJECTED = "injected"  # in the duty flow
    FAILED = "failed"  # could not be injected (the reason is kept)
    CANCELLED = "cancelled"  # the drill ended first, or the controller withdrew it


INJECT_MOVES: dict[InjectState, frozenset[InjectState]] = {
    InjectState.SCRIPTED: frozenset({InjectState.INJECTED, InjectState.FAILED, InjectState.CANCELLED}),
    InjectState.INJECTED: frozenset(),
    InjectState.FAILED: frozenset({InjectState.SCRIPTED}),  # the controller may retry after a fix
    InjectState.CANCELLED: frozenset(),
}


class Metric(StrEnum):
    RECEIVE = "receive"  # 接报签收: a player's level holds the report
    GRADE = "grade"  # 研判定级: verified, or a grade set by a player's report
    FIRST_REPORT = "first_report"  # 首报上报: each reporting obligation of the law
    RESPONSE = "response"  # 启动响应
    TASK_ACK = "task_ack"  # 任务签收: each task of the response
    ALARM_ACK = "alarm_ack"  # 报警确认
    WARNING_ACK = "warning_ack"  # 预警签收: the grid cells the warning reached


class Outcome(StrEnum):
    MET = "met"  # done within the limit
    LATE = "late"  # done after the limit
    OVERDUE = "overdue"  # not done, limit passed
    PENDING = "pending"  # not done, limit not yet passed
    DONE = "done"  # done, no limit set
    NOT_DONE = "not_done"  # not done, no limit set


KIND_LABELS = {
    InjectKind.INCIDENT_REPORT: N_("Incident report"),
    InjectKind.SENSOR_READING: N_("Sensor reading"),
    InjectKind.UPSTREAM_WARNING: N_("Warning from upstream"),
}
STATE_LABELS = {
    InjectState.SCRIPTED: N_("Scripted"),
    InjectState.INJECTED: N_("Injected"),
    InjectState.FAILED: N_("Failed"),
    InjectState.CANCELLED: N_("Cancelled"),
}
METRIC_LABELS = {
    Metric.RECEIVE: N_("Time to receive"),
    Metric.GRADE: N_("Time to grade"),
    Metric.FIRST_REPORT: N_("Time to send the first report"),
    Metric.RESPONSE: N_("Time to activate the response"),
    Metric.TASK_ACK: N_("Time to acknowledge a task"),
    Metric.ALARM_ACK: N_("Time to acknowledge the alarm"),
    Metric.WARNING_ACK: N_("Time to acknowledge the warning"),
}
OUTCOME_LABELS = {
    Outcome.MET: N_("Within the limit"),
    Outcome.LATE: N_("Late"),
    Outcome.OVERDUE: N_("Overdue"),
    Outcome.PENDING: N_("Waiting"),
    Outcome.DONE: N_("Done (no limit)"),
    Outcome.NOT_DONE: N_("Not done (no limit)"),
}

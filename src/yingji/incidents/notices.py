"""Notifications of the incident flows: the receiving level's duty officers are told (in-app inbox)
of every new report, every grade rise and every overdue deadline. Keys make each land once."""

from __future__ import annotations

from sqlalchemy.orm import Session

from yingji.core.i18n import N_
from yingji.incidents import levels
from yingji.incidents.deadlines import level_name, zh
from yingji.incidents.models import Incident, IncidentReport, ReportingDeadline
from yingji.notify.inbox import notify_level

KIND_NAMES = {
    "first": N_("first report"),
    "follow_up": N_("follow-up report"),
    "final": N_("final report"),
    "supplementary": N_("supplementary report"),
}


def _link(incident: Incident) -> str:
    return f"/incidents/{incident.id}"


def _places_at(incident: Incident, to_levels: list[str]):
    """(level, code) of the incident's own place at each level it has one at."""
    for level in to_levels:
        code = levels.code_at(incident.jurisdiction_code, level)
        if code is not None:
            yield level, code


def new_report(session: Session, incident: Incident, report: IncidentReport, to_levels: list[str]) -> None:
    """Tell each level that must receive the incident about a new report on it."""
    for level, code in _places_at(incident, to_levels):
        notify_level(
            session,
            code,
            subject=zh(
                N_("New {kind}: {number} {title}"),
                kind=zh(KIND_NAMES[report.kind]),
                number=incident.number,
                title=_title(incident),
            ),
            body=zh(
                N_("Grade: {grade}. Place: {place}."), grade=incident.grade or "—", place=_place(incident)
            ),
            link=_link(incident),
            category="incident.report",
            severity="warning" if incident.grade in ("I", "II", "III") else "info",
            key=f"incident-report:{report.id}:{level}",
        )


def grade_rise(session: Session, incident: Incident, old: str | None, to_levels: list[str]) -> None:
    """Tell each newly required level that the incident's grade rose."""
    for level, code in _places_at(incident, to_levels):
        notify_level(
            session,
            code,
            subject=zh(
                N_("Grade rose to {grade}: {number} {title}"),
                grade=incident.grade,
                number=incident.number,
                title=_title(incident),
            ),
            body=zh(
                N_("Previous grade: {old}. It must now be reported to the {level}."),
                old=old or "—",
                level=level_name(level),
            ),
            link=_link(incident),
            category="incident.grade",
            severity="urgent",
            key=f"incident-grade:{incident.id}:{incident.grade}:{level}",
        )


def overdue(session: Session, incident: Incident, deadline: ReportingDeadline) -> None:
    """Tell the receiving level that a report due to it is overdue."""
    notify_level(
        session,
        deadline.to_code,
        subject=zh(
            N_("Report overdue: {number} {title} to the {level}"),
            number=incident.number,
            title=_title(incident),
            level=level_name(deadline.to_level),
        ),
        body=deadline.basis,
        link=_link(incident),
        category="deadline.overdue",
        severity="urgent",
        key=f"deadline-overdue:{deadline.id}",
    )


def forwarded(session: Session, incident: Incident, to_level: str, from_level: str) -> None:
    """Tell the level a report was forwarded to."""
    code = levels.code_at(incident.jurisdiction_code, to_level)
    if code is None:
        return
    notify_level(
        session,
        code,
        subject=zh(
            N_("Reported up by the {level}: {number} {title}"),
            level=level_name(from_level),
            number=incident.number,
            title=_title(incident),
        ),
        body=zh(N_("Grade: {grade}. Place: {place}."), grade=incident.grade or "—", place=_place(incident)),
        link=_link(incident),
        category="incident.forward",
        severity="warning",
        key=f"incident-forward:{incident.id}:{to_level}",
    )


def _title(incident: Incident) -> str:
    """The title as notices show it: a drill's marked 【演练】 (players know it when they get it)."""
    if incident.drill_id is None:
        return incident.title
    from yingji.drills.sandbox import tag

    return tag() + incident.title


def _place(incident: Incident) -> str:
    place = incident.jurisdiction
    return place.name if place is not None else incident.jurisdiction_code

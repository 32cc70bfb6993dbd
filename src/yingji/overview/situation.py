"""Tiles of what is happening: open incidents by grade and status, today's reports, overdue reports
and tasks, responses in force. One grouped query per tile over the scope's indexed code range."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal, in_scope
from yingji.core import clock
from yingji.core.i18n import gettext
from yingji.core.sql import unindexed
from yingji.drills import marks
from yingji.incidents import status as incident_status
from yingji.incidents.codes import DeadlineState, ReportKind
from yingji.incidents.listing import OPEN_STATUSES
from yingji.incidents.models import Incident, IncidentReport, ReportingDeadline
from yingji.overview import labels
from yingji.overview.schemas import Figure, IncidentsOut, OverdueOut, ReportsOut, ResponsesOut
from yingji.response.models import ResponseActivation, ResponseTask
from yingji.response.tasks import OPEN as OPEN_TASKS

RECENT = timedelta(days=30)


def link(path: str, within: str | None, **params) -> str:
    """A list's URL with its filters, narrowed to ``within`` when the overview is."""
    query = {k: v for k, v in params.items() if v not in (None, "")}
    if within:
        query["within"] = within
    return path + ("?" + urlencode(query) if query else "")


def today_start(now: datetime | None = None) -> datetime:
    """Local (Beijing) midnight of today, as an aware instant."""
    local = clock.to_local(now or clock.now())
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def incidents(session: Session, p: Principal, within: str | None) -> IncidentsOut:
    # The status index drives (few incidents are open); the code range filters it.
    rows = session.execute(
        select(Incident.grade, Incident.status, func.count())
        .where(
            Incident.status.in_(OPEN_STATUSES),
            in_scope(Incident.jurisdiction_code, p),
            Incident.merged_into_id.is_(None),
            marks.real_incident(),
        )
        .group_by(Incident.grade, Incident.status)
    ).all()
    grades: dict[str, int] = dict.fromkeys(labels.GRADES, 0)
    statuses: dict[str, int] = dict.fromkeys(OPEN_STATUSES, 0)
    for grade, state, n in rows:
        grades[grade or "none"] += n
        statuses[state] += n
    return IncidentsOut(
        open=sum(statuses.values()),
        link=link("/incidents", within, status="open", drill="real"),
        by_grade=[
            Figure(
                key=g,
                label=gettext(labels.GRADES_SHORT[g]),
                count=n,
                link=link("/incidents", within, status="open", grade=g, drill="real"),
            )
            for g, n in grades.items()
        ],
        by_status=[
            Figure(
                key=s,
                label=gettext(incident_status.STATUSES[s]),
                count=n,
                link=link("/incidents", within, status=s, drill="real"),
            )
            for s, n in statuses.items()
        ],
    )


def reports(session: Session, p: Principal, within: str | None) -> ReportsOut:
    """Reports received since local midnight on incidents in scope, first reports apart."""
    rows = session.execute(
        select(IncidentReport.kind, func.count())
        .join(Incident, Incident.id == IncidentReport.incident_id)
        .where(
            IncidentReport.received_at >= today_start(),
            in_scope(unindexed(Incident.jurisdiction_code), p),  # drive from today's reports
            Incident.merged_into_id.is_(None),
            marks.real_incident(),
        )
        .group_by(IncidentReport.kind)
    ).all()
    kinds = dict(rows)
    first = kinds.get(ReportKind.FIRST, 0)
    total = sum(kinds.values())
    day = clock.to_local(clock.now()).date().isoformat()
    return ReportsOut(
        today=total,
        first=first,
        follow_up=total - first,
        link=link("/incidents", within, date_from=day, date_to=day, drill="real"),
    )


def overdue(session: Session, p: Principal, within: str | None) -> OverdueOut:
    now = clock.now()
    since = now - RECENT
    open_overdue = and_(ReportingDeadline.state == DeadlineState.OPEN, ReportingDeadline.due_at < now)
    recent_breach = and_(
        ReportingDeadline.state.in_((DeadlineState.LATE, DeadlineState.MISSED)),
        ReportingDeadline.due_at >= since,
    )
    counts = dict(
        session.execute(
            select(ReportingDeadline.state, func.count())
            .where(
                in_scope(ReportingDeadline.jurisdiction_code, p),
                or_(open_overdue, recent_breach),
                marks.real_by_incident(ReportingDeadline.incident_id),
            )
            .group_by(ReportingDeadline.state)
        ).all()
    )
    tasks = (
        session.scalar(
            select(func.count()).where(
                ResponseTask.state.in_(OPEN_TASKS),
                ResponseTask.due_at < now,
                in_scope(ResponseTask.jurisdiction_code, p),
                marks.real_by_incident(ResponseTask.incident_id),
            )
        )
        or 0
    )
    return OverdueOut(
        deadlines_overdue=counts.get(DeadlineState.OPEN, 0),
        late_30d=counts.get(DeadlineState.LATE, 0),
        missed_30d=counts.get(DeadlineState.MISSED, 0),
        tasks_overdue=tasks,
        deadlines_link="/duty",
        tasks_link="/response/overdue",
    )


def responses(session: Session, p: Principal, within: str | None) -> ResponsesOut:
    rows = dict(
        session.execute(
            select(ResponseActivation.level, func.count())
            .where(
                ResponseActivation.ended_at.is_(None),
                in_scope(ResponseActivation.jurisdiction_code, p),
                marks.real_by_incident(ResponseActivation.incident_id),
            )
            .group_by(ResponseActivation.level)
        ).all()
    )
    by_level = [
        Figure(
            key=str(level),
            label=gettext(name),
            count=rows.get(level, 0),
            link=link("/incidents", within, status="responding", drill="real"),
        )
        for level, name in labels.RESPONSE_LEVELS.items()
    ]
    return ResponsesOut(
        in_force=sum(f.count for f in by_level),
        by_level=by_level,
        link=link("/incidents", within, status="responding", drill="real"),
    )

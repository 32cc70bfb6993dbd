"""Investigation and evaluation (调查评估, 突发事件应对法 第八十七条) and, for production-safety accidents,
the investigation-report deadline (493号令 第二十九条: 60 days from the accident, extendable by at
most 60 with the approval of the investigating government) — a row with its due time and job rows."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal
from yingji.core import clock
from yingji.core.clock import LOCAL_TZ, to_utc
from yingji.core.errors import Conflict, ValidationFailed
from yingji.core.i18n import N_
from yingji.incidents.models import Incident
from yingji.jobs import queue
from yingji.response.codes import InvestigationState
from yingji.response.common import actor_name, incident_for_read, incident_for_write, record, zh
from yingji.response.models import IncidentInvestigation
from yingji.response.schemas import ExtensionIn, InvestigationIn
from yingji.rules import grading

REPORT_DAYS = 60
MAX_EXTENSION_DAYS = 60
REMIND_BEFORE = timedelta(days=7)
BASIS = "生产安全事故报告和调查处理条例（国务院令第493号）第二十九条"
FIELDS = ("lead_body", "causes", "responsibility", "lessons", "measures")


def statutory(grade: str | None, occurred_at: datetime, extension_days: int = 0) -> tuple[datetime, str]:
    """(due time, basis) of the investigation report, from the rules tables: the end of the 60th day
    after the accident day (Beijing time), plus an approved extension."""
    return grading.investigation_deadline(grade, occurred_at, extension_days=extension_days), BASIS


def investigating_level(grade: str | None) -> str | None:
    """Who investigates an accident of this grade (493号令 第十九条)."""
    return grading.investigation_authority(grade) if grade else None


def applies(incident: Incident) -> bool:
    """The statutory deadline applies to production-safety accidents (graded by 493号令)."""
    return incident.grading_kind == "production_safety"


def get(session: Session, incident_id: int) -> IncidentInvestigation | None:
    return session.scalars(
        select(IncidentInvestigation).where(IncidentInvestigation.incident_id == incident_id)
    ).first()


def ensure(session: Session, incident: Incident) -> IncidentInvestigation | None:
    """Create the deadline row (and its jobs) of a production-safety accident once; keep the
    investigating level in step with the grade."""
    row = get(session, incident.id)
    if row is None and applies(incident):
        due, basis = statutory(incident.grade, incident.occurred_at)
        row = IncidentInvestigation(
            incident_id=incident.id,
            state=InvestigationState.OPEN,
            original_due_at=due,
            due_at=due,
            basis=basis,
            extension_days=0,
            investigating_level=investigating_level(incident.grade),
            jurisdiction_code=incident.jurisdiction_code,
        )
        session.add(row)
        session.flush()
        _schedule(session, row)
        record(
            session,
            incident,
            "deadline",
            zh(N_("Investigation report due by {due} ({basis})."), due=_local(due), basis=basis),
            {"due_at": due.isoformat(), "basis": basis},
        )
    elif row is not None and incident.grade and row.state == InvestigationState.OPEN:
        row.investigating_level = investigating_level(incident.grade) or row.investigating_level
    return row


def _local(value: datetime) -> str:
    return to_utc(value).astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


def _schedule(session: Session, row: IncidentInvestigation) -> None:
    """A reminder a week before the due time and the overdue check at it; both keyed on the due time,
    so an extension simply schedules new ones and the old ones find the due time moved."""
    if row.due_at is None:
        return
    due_iso = row.due_at.isoformat()
    for kind, at in (("reminder", row.due_at - REMIND_BEFORE), ("overdue", row.due_at)):
        queue.enqueue(
            session,
            "response.investigation_due",
            {"investigation_id": row.id, "kind": kind, "due": due_iso},
            due_at=max(at, clock.now()),
            dedupe_key=f"investigation:{row.id}:{kind}:{due_iso}",
        )


def update(
    session: Session, principal: Principal, incident_id: int, data: InvestigationIn
) -> IncidentInvestigation:
    """Write the evaluation (causes, responsibility, lessons, measures); ``submit`` hands the report in."""
    incident = incident_for_write(session, principal, incident_id)
    row = ensure(session, incident)
    if row is None:
        row = IncidentInvestigation(
            incident_id=incident.id,
            state=InvestigationState.OPEN,
            extension_days=0,
            jurisdiction_code=incident.jurisdiction_code,
        )
        session.add(row)
    if row.state == InvestigationState.SUBMITTED:
        raise Conflict("The investigation report has been submitted.")
    changes = {k: v for k, v in data.model_dump(include=set(FIELDS)).items() if v is not None}
    for key, value in changes.items():
        setattr(row, key, value)
    if changes:
        record(
            session,
            incident,
            "investigation",
            zh(N_("Investigation and evaluation updated.")),
            {"fields": sorted(changes)},
        )
    if data.submit:
        missing = [f for f in ("causes", "responsibility", "lessons", "measures") if not getattr(row, f)]
        if missing:
            raise ValidationFailed(
                details=[{"field": f, "message": "Required before the report is submitted."} for f in missing]
            )
        now = clock.now()
        row.state, row.submitted_at = InvestigationState.SUBMITTED, now
        late = row.due_at is not None and now > row.due_at
        record(
            session,
            incident,
            "investigation",
            zh(N_("Investigation report submitted after its deadline."))
            if late
            else zh(N_("Investigation report submitted.")),
            {"late": late},
        )
    session.flush()
    return row


def extend(
    session: Session, principal: Principal, incident_id: int, data: ExtensionIn
) -> IncidentInvestigation:
    """Extend the deadline (at most 60 days in all), with the reason and who approved it."""
    incident = incident_for_write(session, principal, incident_id)
    row = ensure(session, incident)
    if row is None or row.due_at is None:
        raise Conflict("This incident has no statutory investigation deadline.")
    if row.state == InvestigationState.SUBMITTED:
        raise Conflict("The investigation report has been submitted.")
    if row.extension_days + data.days > MAX_EXTENSION_DAYS:
        raise ValidationFailed(
            "The deadline can be extended by at most {limit} days in all.",
            limit=MAX_EXTENSION_DAYS,
            details=[{"field": "days", "message": "Too many days."}],
        )
    row.extension_days += data.days
    incident_grade, occurred = incident.grade, incident.occurred_at
    row.due_at = statutory(incident_grade, occurred, row.extension_days)[0]
    row.extension_reason = "\n".join(x for x in (row.extension_reason, data.reason) if x)
    row.extended_by = f"{data.approved_by}（{actor_name(principal)}）"
    row.overdue_notified_at = None
    session.flush()
    _schedule(session, row)
    record(
        session,
        incident,
        "deadline",
        zh(
            N_("Investigation deadline extended by {days} days to {due}, approved by {who}."),
            days=data.days,
            due=_local(row.due_at),
            who=data.approved_by,
        ),
        {"days": data.days, "due_at": row.due_at.isoformat(), "reason": data.reason},
    )
    return row


def for_incident(session: Session, principal: Principal, incident_id: int) -> IncidentInvestigation | None:
    incident_for_read(session, principal, incident_id)
    return get(session, incident_id)


def run_due(session: Session, investigation_id: int, kind: str, due_iso: str) -> str:
    """Job body: remind before, or flag at, the due time — unless the report is in or the deadline moved.
    Runs under a row lock; returns what it did (for tests and logs)."""
    from yingji.notify.inbox import notify_level

    row = session.scalars(
        select(IncidentInvestigation).where(IncidentInvestigation.id == investigation_id).with_for_update()
    ).first()
    if (
        row is None
        or row.state != InvestigationState.OPEN
        or row.due_at is None
        or row.due_at.isoformat() != due_iso
    ):
        return "skipped"
    incident = session.get(Incident, row.incident_id)
    county = incident.jurisdiction_code[:6]
    if kind == "overdue":
        if row.overdue_notified_at is not None:
            return "skipped"
        row.overdue_notified_at = clock.now()
        subject = zh(N_("Investigation report of {number} is overdue."), number=incident.number)
        record(session, incident, "deadline", subject, {"due_at": due_iso, "overdue": True})
        severity = "urgent"
    else:
        subject = zh(
            N_("Investigation report of {number} is due by {due}."),
            number=incident.number,
            due=_local(row.due_at),
        )
        severity = "warning"
    notify_level(
        session,
        county,
        subject=subject,
        link=f"/response/incidents/{incident.id}",
        category=f"investigation.{kind}",
        severity=severity,
        key=f"investigation:{row.id}:{kind}:{due_iso}",
        perm=Perm.INCIDENT_MANAGE,
    )
    return kind


def sweep(session: Session, limit: int = 500) -> int:
    """Create the deadline rows of production-safety accidents that reached us without any response
    action (the intake flow belongs to incidents): set-based, newest first."""
    since = clock.now() - timedelta(days=REPORT_DAYS + MAX_EXTENSION_DAYS)
    missing = session.scalars(
        select(Incident)
        .outerjoin(IncidentInvestigation, IncidentInvestigation.incident_id == Incident.id)
        .where(
            IncidentInvestigation.id.is_(None),
            Incident.grading_kind == "production_safety",
            Incident.occurred_at >= since,
            Incident.merged_into_id.is_(None),
        )
        .order_by(Incident.occurred_at.desc())
        .limit(limit)
    ).all()
    for incident in missing:
        ensure(session, incident)
    return len(missing)

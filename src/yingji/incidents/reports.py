"""The report chain: 首报 → 续报 → 终报, then 补报 inside the window.

Each report is an append-only row; applying it updates the incident's figures, re-grades it through
the rules engine, brings the reporting deadlines in line (a grade that rises re-opens the chain
upward), records who received it, and tells the levels that must receive it. A follow-up locks the
incident row, so concurrent reports get gapless sequence numbers and lose nothing.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, visible, writable
from yingji.core import clock
from yingji.core.errors import Conflict, NotFound
from yingji.core.i18n import N_
from yingji.events import publish
from yingji.incidents import deadlines, levels, notices, owners, timeline
from yingji.incidents.assess import assess, rose
from yingji.incidents.codes import DeadlineState, ReceiptHow, ReportKind, ReportSource
from yingji.incidents.deadlines import level_name, zh
from yingji.incidents.models import MEASURES, Incident, IncidentReport
from yingji.incidents.schemas import ReportIn
from yingji.incidents.status import IncidentStatus
from yingji.ownership.codes import TakenHow
from yingji.rules import grading


def lock(session: Session, incident_id: int) -> Incident | None:
    """The incident row, locked for this transaction (FOR UPDATE on PostgreSQL; SQLite's write
    transactions are already serialised)."""
    return session.scalar(
        select(Incident)
        .where(Incident.id == incident_id)
        .with_for_update(of=Incident)
        .execution_options(populate_existing=True)
    )


def for_write(session: Session, principal: Principal, incident_id: int, perm: Perm) -> Incident:
    """Lock an incident the principal may see (else 404) and change (else 403)."""
    incident = visible(principal, lock(session, incident_id))
    writable(principal, incident.jurisdiction_code, perm)
    return incident


def next_seq(session: Session, incident_id: int) -> int:
    current = session.scalar(
        select(func.max(IncidentReport.seq)).where(IncidentReport.incident_id == incident_id)
    )
    return (current or 0) + 1


def apply_report(session: Session, incident: Incident, report: IncidentReport) -> None:
    """Bring the incident in line with a new report (already added, figures filled in)."""
    first = report.kind == ReportKind.FIRST
    old_grade = incident.grade
    for name in MEASURES:
        setattr(incident, name, getattr(report, name))
    result = assess(session, incident, report.received_at)
    incident.grading_kind = result.kind
    incident.grade = result.grade
    incident.grade_basis = result.basis
    report.grade_after = result.grade
    session.flush()
    deadlines.sync(session, incident, result.specs, report)

    sender = report.from_level or levels.level_of(report.jurisdiction_code)
    if report.source == ReportSource.OWN:
        deadlines.mark_missed(session, incident, sender, report)
    elif first:
        deadlines.skip_below(session, incident, sender)
    how = ReceiptHow.OWN if report.source == ReportSource.OWN else ReceiptHow.SUBMITTED
    deadlines.receive(
        session,
        incident,
        sender,
        how=how,
        at=report.received_at,
        by_user_id=report.submitted_by_user_id,
        report_id=report.id,
    )
    deadlines.settle(session, incident)

    timeline.record(
        session,
        incident,
        "report",
        zh(
            N_("{kind} #{seq} from the {level}: grade {grade}."),
            kind=zh(notices.KIND_NAMES[report.kind]),
            seq=report.seq,
            level=level_name(sender),
            grade=incident.grade or "—",
        ),
        {"report_id": report.id, "kind": report.kind, "figures": report.figures(), "source": report.source},
    )
    if not first and rose(old_grade, incident.grade):
        timeline.record(
            session,
            incident,
            "grade",
            zh(N_("Grade rose from {old} to {new}."), old=old_grade or "—", new=incident.grade),
            {"from": old_grade, "to": incident.grade, "basis": incident.grade_basis},
        )
        notices.grade_rise(session, incident, old_grade, _involved(session, incident, sender))
    elif not first and old_grade != incident.grade:
        timeline.record(
            session,
            incident,
            "grade",
            zh(N_("Grade lowered from {old} to {new}."), old=old_grade or "—", new=incident.grade or "—"),
            {"from": old_grade, "to": incident.grade, "basis": incident.grade_basis},
        )
    receivers = _still_to_receive(session, incident, sender)
    notices.new_report(session, incident, report, receivers)
    publish(
        session,
        "report.new" if first else "report.changed",
        incident.jurisdiction_code,
        _event(incident, report),
    )


def _event(incident: Incident, report: IncidentReport) -> dict:
    """What the duty board needs to ring and show a report without asking again."""
    return {
        "incident_id": incident.id,
        "report_id": report.id,
        "report_kind": report.kind,
        "number": incident.number,
        "title": incident.title,
        "category": incident.category,
        "grade": incident.grade,
    }


def _involved(session: Session, incident: Incident, sender: str) -> list[str]:
    """Levels above the sender that must have the incident at its grade (met or not)."""
    required = {
        d.to_level for d in deadlines.deadlines_of(session, incident.id) if d.state != DeadlineState.WAIVED
    }
    return [lv for lv in levels.chain_above(incident.jurisdiction_code, sender) if lv in required]


def _still_to_receive(session: Session, incident: Incident, sender: str) -> list[str]:
    """Levels above the sender with an open deadline: those that must still get the incident."""
    open_levels = {
        d.to_level for d in deadlines.deadlines_of(session, incident.id) if d.state == DeadlineState.OPEN
    }
    return [lv for lv in levels.chain_above(incident.jurisdiction_code, sender) if lv in open_levels]


def _kind_after_final(incident: Incident, requested: str) -> str:
    """After the final report only 补报 inside the window are taken; after it, a clear refusal."""
    if incident.final_report_at is None:
        return requested
    until = incident.supplementary_until
    if until is not None and clock.now() > until:
        raise Conflict(
            "The supplementary-report window (补报) of this incident closed on {date}.",
            date=clock.to_local(until).strftime("%Y-%m-%d %H:%M"),
        )
    return ReportKind.SUPPLEMENTARY


def add_report(
    session: Session,
    principal: Principal,
    incident_id: int,
    data: ReportIn,
    *,
    idempotency_key: str | None = None,
) -> tuple[IncidentReport, bool]:
    """File a follow-up or final report (or a 补报 after the final one). Returns (report, created):
    a retried idempotency key returns the first result."""
    key = idempotency_key or data.idempotency_key
    if key:
        existing = _by_key(session, principal, key)
        if existing is not None:
            return existing, False
    incident = for_write(session, principal, incident_id, Perm.INCIDENT_REPORT)
    if incident.merged_into_id is not None:
        raise Conflict("This incident was merged into another one; report on that one.")
    if incident.status == IncidentStatus.CLOSED:
        raise Conflict("This incident is closed; a new development is a new report.")
    kind = _kind_after_final(incident, data.kind)
    given = data.figures.given()
    figures = {m: given.get(m, getattr(incident, m) or 0) for m in MEASURES}
    now = clock.now()
    report = IncidentReport(
        incident_id=incident.id,
        seq=next_seq(session, incident.id),
        kind=kind,
        received_at=now,
        from_level=levels.level_of(principal.jurisdiction_code),
        jurisdiction_code=principal.jurisdiction_code or "",
        submitted_by_user_id=principal.user_id,
        text=data.text,
        idempotency_key=key,
        source=data.source,
        **figures,
    )
    try:
        with session.begin_nested():
            session.add(report)
            session.flush()
    except IntegrityError:
        existing = _by_key(session, principal, key) if key else None
        if existing is None:
            raise
        return existing, False
    if kind == ReportKind.FINAL:
        incident.final_report_at = now
        # 493号令 第十三条: the 补报 window runs from the day of the accident, not from the final report.
        incident.supplementary_until = grading.supplementary_deadline(incident.category, incident.occurred_at)
    apply_report(session, incident, report)
    owners.take(session, principal, incident, TakenHow.REPORT)
    session.flush()
    session.expire(incident, ["reports"])
    return report, True


def _by_key(session: Session, principal: Principal, key: str) -> IncidentReport | None:
    report = session.scalar(select(IncidentReport).where(IncidentReport.idempotency_key == key))
    if report is None:
        return None
    if report.submitted_by_user_id != principal.user_id:
        raise Conflict("This idempotency key was already used for another submission.")
    return report


def get_report(session: Session, principal: Principal, incident_id: int, report_id: int) -> IncidentReport:
    report = session.get(IncidentReport, report_id)
    if report is None or report.incident_id != incident_id:
        raise NotFound()
    visible(principal, report.incident)
    return report

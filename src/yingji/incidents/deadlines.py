"""Reporting deadlines as rows, and the receipts that meet them.

Every function here runs under the incident's row lock (taken by the caller), so the rows of one
incident change one writer at a time. A deadline is *active* unless waived; it is met (or late:
迟报) when its level has a receipt, missed (漏报) when its level learned of the incident by itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.core import clock
from yingji.core.i18n import N_, translate
from yingji.incidents import levels, timeline
from yingji.incidents.codes import DeadlineState
from yingji.incidents.models import Incident, IncidentReceipt, IncidentReport, ReportingDeadline
from yingji.jobs import queue
from yingji.rules.grading import DeadlineSpec

DUE_JOB = "incidents.deadline_due"


def zh(message: str, **params) -> str:
    """Timeline and notification text is stored ready to show, in Chinese."""
    return translate(message, "zh_CN", **params)


def level_name(level: str) -> str:
    return zh(levels.LABELS.get(level, level))


def deadlines_of(session: Session, incident_id: int) -> list[ReportingDeadline]:
    """All deadline rows of an incident, by due time."""
    return list(
        session.scalars(
            select(ReportingDeadline)
            .where(ReportingDeadline.incident_id == incident_id)
            .order_by(ReportingDeadline.due_at, ReportingDeadline.id)
        )
    )


def receipts_of(session: Session, incident_id: int) -> dict[str, IncidentReceipt]:
    """The levels that received the incident, by level."""
    rows = session.scalars(select(IncidentReceipt).where(IncidentReceipt.incident_id == incident_id))
    return {r.level: r for r in rows}


def sync(
    session: Session, incident: Incident, specs: Iterable[DeadlineSpec], report: IncidentReport
) -> list[ReportingDeadline]:
    """Make the rows match the obligations now in force: a new row (with its job) for each
    obligation not yet held, waive open rows no longer required. Returns the new rows."""
    held = {
        (d.to_level, d.channel): d
        for d in deadlines_of(session, incident.id)
        if d.state != DeadlineState.WAIVED
    }
    wanted: dict[tuple[str, str], DeadlineSpec] = {}
    for spec in specs:
        if levels.code_at(incident.jurisdiction_code, spec.to) is not None:
            wanted.setdefault((spec.to, spec.channel), spec)
    new = []
    for key, spec in wanted.items():
        if key in held:
            continue
        row = ReportingDeadline(
            incident_id=incident.id,
            jurisdiction_code=incident.jurisdiction_code,
            to_level=spec.to,
            to_code=levels.code_at(incident.jurisdiction_code, spec.to),
            channel=spec.channel,
            due_at=spec.due_at,
            basis=spec.basis,
            grade=incident.grade,
            state=DeadlineState.OPEN,
            created_at=clock.now(),
            report_id=report.id,
        )
        session.add(row)
        new.append(row)
    for key, row in held.items():
        if key not in wanted and row.state == DeadlineState.OPEN:
            row.state = DeadlineState.WAIVED
            row.note = zh(N_("No longer required at grade {grade}."), grade=incident.grade or "—")
    session.flush()
    for row in new:
        queue.enqueue(
            session,
            DUE_JOB,
            {"deadline_id": row.id},
            due_at=row.due_at,
            dedupe_key=f"incident-deadline:{row.id}",
        )
    return new


def receive(
    session: Session,
    incident: Incident,
    level: str,
    *,
    how: str,
    at: datetime,
    by_user_id: int | None = None,
    report_id: int | None = None,
    from_level: str | None = None,
) -> IncidentReceipt | None:
    """Record that ``level`` has the incident (once per level); None if it already had it."""
    code = levels.code_at(incident.jurisdiction_code, level)
    if code is None:
        return None
    if session.scalar(
        select(IncidentReceipt.id).where(
            IncidentReceipt.incident_id == incident.id, IncidentReceipt.level == level
        )
    ):
        return None
    receipt = IncidentReceipt(
        incident_id=incident.id,
        jurisdiction_code=incident.jurisdiction_code,
        level=level,
        level_code=code,
        received_at=at,
        how=how,
        from_level=from_level,
        by_user_id=by_user_id,
        report_id=report_id,
    )
    session.add(receipt)
    session.flush()
    return receipt


def settle(session: Session, incident: Incident) -> list[ReportingDeadline]:
    """Open deadlines whose level has a receipt become met, or late (迟报) if it came after the due
    time. Returns the rows that changed."""
    receipts = receipts_of(session, incident.id)
    changed = []
    for row in deadlines_of(session, incident.id):
        receipt = receipts.get(row.to_level)
        if row.state != DeadlineState.OPEN or receipt is None:
            continue
        row.met_at = receipt.received_at
        row.state = DeadlineState.MET if receipt.received_at <= row.due_at else DeadlineState.LATE
        changed.append(row)
        if row.state == DeadlineState.LATE:
            timeline.record(
                session,
                incident,
                "deadline",
                zh(
                    N_("Late report (迟报) to the {level}: due {due}, received {at}."),
                    level=level_name(row.to_level),
                    due=_local(row.due_at),
                    at=_local(receipt.received_at),
                ),
                {"deadline_id": row.id, "state": DeadlineState.LATE},
            )
    return changed


def mark_missed(session: Session, incident: Incident, learned_at: str, report: IncidentReport) -> list:
    """漏报: ``learned_at`` level learned of the incident by itself, so every open deadline to it or
    to a level below it was never met by the levels below."""
    missed = []
    for row in deadlines_of(session, incident.id):
        if row.state == DeadlineState.OPEN and not levels.above(row.to_level, learned_at):
            row.state = DeadlineState.MISSED
            row.note = zh(
                N_("Missed report (漏报): the {level} learned of it by itself (report #{seq})."),
                level=level_name(learned_at),
                seq=report.seq,
            )
            missed.append(row)
    if missed:
        timeline.record(
            session,
            incident,
            "deadline",
            zh(
                N_("Missed report (漏报) to the {levels}: the {level} learned of it by itself."),
                levels="、".join(level_name(r.to_level) for r in missed),
                level=level_name(learned_at),
            ),
            {"deadline_ids": [r.id for r in missed], "state": DeadlineState.MISSED},
        )
    return missed


def skip_below(session: Session, incident: Incident, reached: str) -> None:
    """A first report that reached ``reached`` directly: the open deadlines below it are waived
    (skipping a level is allowed, 493号令 第十条)."""
    for row in deadlines_of(session, incident.id):
        if row.state == DeadlineState.OPEN and levels.above(reached, row.to_level):
            row.state = DeadlineState.WAIVED
            row.note = zh(N_("The first report reached the {level} directly."), level=level_name(reached))


def waive_all(session: Session, incident: Incident, note: str) -> None:
    """Waive every open deadline (the incident was merged into another)."""
    for row in deadlines_of(session, incident.id):
        if row.state == DeadlineState.OPEN:
            row.state = DeadlineState.WAIVED
            row.note = note


def lock_deadline(session: Session, deadline_id: int) -> ReportingDeadline | None:
    return session.scalar(
        select(ReportingDeadline).where(ReportingDeadline.id == deadline_id).with_for_update()
    )


def _local(at: datetime) -> str:
    local = clock.to_local(at)
    return local.strftime("%m-%d %H:%M") if local else ""

"""Small helpers the duty services share: people checks, who-did-it names, labels."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal, visible
from yingji.core import idempotency
from yingji.core.errors import ValidationFailed
from yingji.core.i18n import N_
from yingji.duty.codes import DutyRole, LeaveStatus, PeriodKind, ReportKind, ReportStatus
from yingji.org.models import Person

ROLE_LABELS = {
    DutyRole.LEADER: N_("Leader on duty"),  # 带班领导
    DutyRole.OFFICER: N_("Duty officer"),  # 值班员
    DutyRole.BACKUP: N_("Backup"),  # 备班
}
LEAVE_STATUS_LABELS = {
    LeaveStatus.PENDING: N_("Awaiting approval"),
    LeaveStatus.APPROVED: N_("Approved"),
    LeaveStatus.REJECTED: N_("Rejected"),
    LeaveStatus.CANCELLED: N_("Cancelled"),
}
PERIOD_KIND_LABELS = {
    PeriodKind.HOLIDAY: N_("Holiday"),
    PeriodKind.FLOOD_SEASON: N_("Flood season"),
    PeriodKind.SENSITIVE: N_("Sensitive period"),
    PeriodKind.OTHER: N_("Special period"),
}
LEVEL_LABELS = {"town": N_("Town / street"), "county": N_("County")}
REPORT_KIND_LABELS = {ReportKind.DAILY: N_("Daily report"), ReportKind.ZERO: N_("Zero report")}
REPORT_STATUS_LABELS = {
    ReportStatus.RECEIVED: N_("Received"),
    ReportStatus.LATE: N_("Late"),
    ReportStatus.MISSING: N_("Missing"),
    ReportStatus.PENDING: N_("Not yet due"),
}


def who(principal: Principal) -> str:
    """The name written into logs (display name, else user name)."""
    return (principal.display_name or principal.username)[:100]


def check_people(
    session: Session, principal: Principal, ids: Iterable[int | None], field: str
) -> dict[int, Person]:
    """Every id names an active person the principal can see, else a 422 naming the field."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    found = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(wanted)))}
    bad = sorted(
        i
        for i in wanted
        if i not in found or not found[i].active or not principal.covers(found[i].jurisdiction_code)
    )
    if bad:
        raise ValidationFailed(
            details=[
                {"field": field, "message": "Unknown person {person_id}.", "params": {"person_id": i}}
                for i in bad
            ]
        )
    return found


def insert_once(session: Session, principal: Principal, obj, conflict: Exception) -> tuple[object, bool]:
    """Insert ``obj`` unless a row with its ``client_key`` exists (a retried field submission):
    returns (row, created). A clash on another unique key raises ``conflict``."""
    return idempotency.insert_once(session, obj, conflict, check=lambda row: visible(principal, row))

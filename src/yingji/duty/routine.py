"""Routine reports (日报告 / 零报告): submit one, and see who reported, who was late and who is
missing for a day — per town and county, in the principal's scope."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, visible, writable
from yingji.core import clock
from yingji.core.errors import Conflict, ValidationFailed
from yingji.duty import rotation
from yingji.duty.codes import ReportStatus
from yingji.duty.common import insert_once, who
from yingji.duty.deadlines import Rules, Slot, reporting_level
from yingji.duty.models import RoutineReport
from yingji.duty.schemas import RoutineReportIn
from yingji.org import places
from yingji.org.codes import subtree_bounds
from yingji.org.models import Jurisdiction

STATUS_ORDER = tuple(ReportStatus)  # worst first


@dataclass
class SlotStatus:
    slot: Slot
    status: ReportStatus
    report: RoutineReport | None = None


@dataclass
class ReporterDay:
    code: str
    name: str
    level: str
    parent_code: str | None
    slots: list[SlotStatus] = field(default_factory=list)

    @property
    def status(self) -> ReportStatus:
        found = {s.status for s in self.slots}
        return next(
            (s for s in STATUS_ORDER if s in found),
            ReportStatus.RECEIVED if self.slots else ReportStatus.PENDING,
        )


@dataclass
class DaySummary:
    day: date
    rows: list[ReporterDay]

    def counts(self, level: str | None = None) -> dict[str, int]:
        c = Counter(r.status for r in self.rows if level is None or r.level == level)
        return {s: c.get(s, 0) for s in STATUS_ORDER}


def today(at: datetime | None = None) -> date:
    """Today's local (Asia/Shanghai) date."""
    return rotation.local_today(at or clock.now(), clock.LOCAL_TZ)


def reporters(session: Session, low: str, high: str, level: str | None = None) -> list:
    """Towns and counties in [low, high): the places that send routine reports — plain rows with
    code, name, level and parent_code (a province has 1,600 of them: no ORM objects needed)."""
    levels = [level] if level else ["county", "town"]
    return list(
        session.execute(
            select(Jurisdiction.code, Jurisdiction.name, Jurisdiction.level, Jurisdiction.parent_code)
            .where(Jurisdiction.level.in_(levels), Jurisdiction.code >= low, Jurisdiction.code < high)
            .order_by(Jurisdiction.code)
        )
    )


def _status(slot: Slot, report: RoutineReport | None, now: datetime) -> ReportStatus:
    if report is not None:
        return ReportStatus.LATE if report.late else ReportStatus.RECEIVED
    return ReportStatus.MISSING if now > slot.deadline_at else ReportStatus.PENDING


def summarise(
    session: Session,
    places_: list,
    day: date,
    *,
    rules: Rules | None = None,
    at: datetime | None = None,
) -> DaySummary:
    """Status of each place's reports of ``day`` at ``at`` (default now); no scope check."""
    now = at or clock.now()
    rules = rules or Rules.load(session)
    codes = [p.code for p in places_]
    by_place: dict[str, dict[int, RoutineReport]] = {}
    if codes:
        for r in session.scalars(
            select(RoutineReport).where(
                RoutineReport.report_date == day, RoutineReport.jurisdiction_code.in_(codes)
            )
        ):
            by_place.setdefault(r.jurisdiction_code, {})[r.slot] = r
    rows = []
    for p in places_:
        row = ReporterDay(p.code, p.name, p.level, p.parent_code)
        reports = by_place.get(p.code, {})
        slots = rules.slots(p.code, p.level, day)
        known = {s.slot for s in slots}
        for s in slots:
            rep = reports.get(s.slot)
            row.slots.append(SlotStatus(s, _status(s, rep, now), rep))
        # A report of a period that settings no longer list still counts.
        for n, rep in sorted(reports.items()):
            if n not in known:
                s = Slot(p.code, p.level, day, n, rep.deadline_at, None)
                row.slots.append(SlotStatus(s, _status(s, rep, now), rep))
        rows.append(row)
    return DaySummary(day, rows)


# Pages list the places that need a call first: missing, then late, then the rest (stable by place).
ATTENTION = {s: i for i, s in enumerate(STATUS_ORDER)}


def attention_first(rows: list[ReporterDay]) -> list[ReporterDay]:
    return sorted(rows, key=lambda r: ATTENTION.get(r.status, 2))


def day_summary(
    session: Session,
    principal: Principal,
    day: date,
    *,
    within: str | None = None,
    level: str | None = None,
    at: datetime | None = None,
) -> DaySummary:
    """Who reported, who was late, who is missing on ``day``, in scope (``within`` narrows)."""
    code = within or principal.jurisdiction_code
    if code:
        places.get(session, principal, code)
        low, high = subtree_bounds(code)
    else:
        low, high = "", "\uffff"
    return summarise(session, reporters(session, low, high, level), day, at=at)


def _choose_slot(session: Session, rules: Rules, code: str, level: str, now: datetime) -> Slot:
    """The period a report sent now answers: today's earliest unreported overdue period, else
    today's next one, else tomorrow's first."""
    day = today(now)
    done = set(
        session.scalars(
            select(RoutineReport.slot).where(
                RoutineReport.jurisdiction_code == code, RoutineReport.report_date == day
            )
        )
    )
    open_ = [s for s in rules.slots(code, level, day) if s.slot not in done]
    overdue = [s for s in open_ if s.deadline_at < now]
    upcoming = [s for s in open_ if s.deadline_at >= now]
    chosen = (overdue or upcoming or rules.slots(code, level, day + timedelta(days=1)) or [None])[0]
    if chosen is None:
        raise ValidationFailed("No routine report is due from this place.")
    return chosen


def submit(session: Session, principal: Principal, data: RoutineReportIn) -> tuple[RoutineReport, bool]:
    """A town's or county's daily or zero report; a retry with the same client key returns the
    first. Late when sent after the period's deadline."""
    code = data.jurisdiction_code or principal.jurisdiction_code
    level = reporting_level(code)
    if level is None:
        raise ValidationFailed(
            details=[
                {"field": "jurisdiction_code", "message": "Only towns and counties send routine reports."}
            ]
        )
    if session.get(Jurisdiction, code) is None:
        raise ValidationFailed(details=[{"field": "jurisdiction_code", "message": "Unknown jurisdiction."}])
    writable(principal, code, Perm.DUTY_REPORT)
    now = clock.now()
    rules = Rules.load(session)
    if data.report_date is not None:
        if data.report_date > today(now) + timedelta(days=1):
            raise ValidationFailed(
                details=[{"field": "report_date", "message": "This date is too far ahead."}]
            )
        slot = next((s for s in rules.slots(code, level, data.report_date) if s.slot == data.slot), None)
        if slot is None:
            raise ValidationFailed(
                details=[{"field": "slot", "message": "There is no such reporting period."}]
            )
    else:
        slot = _choose_slot(session, rules, code, level, now)
    report = RoutineReport(
        jurisdiction_code=code,
        level=level,
        report_date=slot.day,
        slot=slot.slot,
        kind=data.kind,
        summary=(data.summary or "").strip() or None,
        deadline_at=slot.deadline_at,
        submitted_at=now,
        late=now > slot.deadline_at,
        submitted_by_user_id=principal.user_id,
        submitted_by=who(principal),
        client_key=data.client_key,
    )
    return insert_once(session, principal, report, Conflict("This period has already been reported."))


def search(
    session: Session,
    principal: Principal,
    *,
    day: date | None = None,
    code: str | None = None,
    limit: int = 200,
) -> list[RoutineReport]:
    """Routine reports in scope, newest day first."""
    stmt = select(RoutineReport).where(in_scope(RoutineReport.jurisdiction_code, principal))
    if day:
        stmt = stmt.where(RoutineReport.report_date == day)
    if code:
        places.get(session, principal, code)
        low, high = subtree_bounds(code)
        stmt = stmt.where(RoutineReport.jurisdiction_code >= low, RoutineReport.jurisdiction_code < high)
    stmt = stmt.order_by(
        RoutineReport.report_date.desc(), RoutineReport.jurisdiction_code, RoutineReport.slot
    )
    return list(session.scalars(stmt.limit(limit)))


def get(session: Session, principal: Principal, report_id: int) -> RoutineReport:
    """One routine report, in scope."""
    return visible(principal, session.get(RoutineReport, report_id))

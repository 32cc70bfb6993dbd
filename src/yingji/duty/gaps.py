"""Gap detection: a shift in the next days with no leader or no officer on it (nobody on the
rotation, or only people on approved leave without an available deputy) → one inbox warning
to the unit's duty managers per gap (the dedupe key makes a rerun send nothing new)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope
from yingji.core import clock
from yingji.core.i18n import DEFAULT_LOCALE, translate
from yingji.duty import oncall, rotation
from yingji.duty.common import ROLE_LABELS
from yingji.duty.models import Roster
from yingji.notify import inbox
from yingji.notify.channels import ReceiptState


@dataclass(frozen=True)
class Gap:
    roster_id: int
    unit_name: str
    jurisdiction_code: str
    day: date
    role: str
    starts_at: datetime

    @property
    def key(self) -> str:
        return f"duty.gap:{self.roster_id}:{self.day.isoformat()}:{self.role}"


def find(
    session: Session, rosters: list[Roster], *, at: datetime | None = None, days: int | None = None
) -> list[Gap]:
    """Gaps in the shifts from the one on now, ``days`` ahead (default: each roster's own)."""
    at = at or clock.now()
    wanted = []
    for r in rosters:
        first = rotation.shift_date_at(at, r.shift_start_minute, rotation.zone(r.timezone))
        wanted.append((r, [first + timedelta(days=i) for i in range(days or r.gap_days)]))
    shifts = oncall.resolve_many(session, wanted)
    return [
        Gap(r.id, r.unit.name, r.jurisdiction_code, s.day, role, s.starts_at)
        for r in rosters
        for s in shifts.get(r.id, [])
        for role in s.gaps
    ]


def active_rosters(session: Session, principal: Principal | None = None) -> list[Roster]:
    """Active rosters, all or those in a principal's scope."""
    stmt = select(Roster).options(*oncall.LIGHT).where(Roster.active)
    if principal is not None:
        stmt = stmt.where(in_scope(Roster.jurisdiction_code, principal))
    return list(session.scalars(stmt.order_by(Roster.jurisdiction_code, Roster.id)).unique())


def in_scope_ahead(session: Session, principal: Principal, *, at: datetime | None = None) -> list[Gap]:
    """Gaps ahead in the rosters the principal can see (for the board)."""
    return find(session, active_rosters(session, principal), at=at)


def warn(session: Session, gaps: list[Gap]) -> int:
    """Tell each gap's unit (its users with DUTY_MANAGE); returns how many messages were new."""
    sent = 0
    for g in gaps:
        local = rotation.to_local_text(g.starts_at)
        subject = translate(
            "Duty gap: {unit} has no {role} for the shift of {day}",
            DEFAULT_LOCALE,
            unit=g.unit_name,
            role=translate(ROLE_LABELS[g.role], DEFAULT_LOCALE),
            day=g.day.isoformat(),
        )
        body = translate(
            "The shift starts at {start}. Change the roster or add an override.", DEFAULT_LOCALE, start=local
        )
        receipts = inbox.notify_level(
            session,
            g.jurisdiction_code,
            subject=subject,
            body=body,
            link=f"/duty/rosters/{g.roster_id}",
            category="duty.gap",
            severity="warning",
            key=g.key,
            perm=Perm.DUTY_MANAGE,
        )
        sent += sum(1 for r in receipts if r.state == ReceiptState.DELIVERED)
    return sent

"""The duty call log (值班来电登记): every incoming call at a duty desk, who answered it (its first
receiver and owner under 首接负责制), and what became of it — an incident, a tip-off, advice, a
transfer. Writing needs ``DUTY_REPORT`` at the desk's place; a retried client key lands once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, mask_phone, visible, writable
from yingji.core import clock
from yingji.core.errors import Conflict, ValidationFailed
from yingji.core.i18n import N_, translate
from yingji.core.pagination import Page, paginate
from yingji.duty.codes import CALL_MOVES, OUTCOME_LABELS, CallOutcome
from yingji.duty.common import insert_once, who
from yingji.duty.models import DutyCall
from yingji.duty.schemas import CallIn, CallOutcomeIn
from yingji.incidents.models import Incident
from yingji.org.sheets import Column, write
from yingji.ownership import kinds, out, taking
from yingji.ownership.codes import TakenHow

KIND = "call"
CLOCK_SKEW = timedelta(minutes=5)


def _describe(session: Session, ids: list[int]) -> dict[int, kinds.ItemInfo]:
    rows = session.execute(
        select(
            DutyCall.id, DutyCall.summary, DutyCall.caller_name, DutyCall.outcome, DutyCall.jurisdiction_code
        ).where(DutyCall.id.in_(ids))
    ).all()
    return {
        r.id: kinds.ItemInfo(
            f"{r.caller_name or '—'}: {r.summary[:40]}",
            f"/duty/calls?show={r.id}",
            r.outcome == CallOutcome.PENDING.value,
            r.jurisdiction_code,
        )
        for r in rows
    }


kinds.register(kinds.Kind(KIND, N_("Call"), Perm.DUTY_REPORT, _describe))


class CallSettled(Conflict):
    code = "call_settled"
    message = "What became of this call is already recorded ({outcome})."


def _incident(session: Session, principal: Principal, number: str | None, outcome: CallOutcome) -> int | None:
    """The incident a call became, by its number, in scope (else a 422 on the field)."""
    if outcome is not CallOutcome.INCIDENT:
        return None
    number = (number or "").strip()
    if not number:
        raise ValidationFailed(
            details=[{"field": "incident_number", "message": "Give the number of the incident it became."}]
        )
    row = session.scalar(select(Incident).where(Incident.number == number))
    if row is None or not principal.covers(row.jurisdiction_code):
        raise ValidationFailed(
            details=[
                {"field": "incident_number", "message": "No incident with this number in your jurisdiction."}
            ]
        )
    return row.id


def _check_transfer(outcome: CallOutcome, to: str | None) -> None:
    if outcome is CallOutcome.TRANSFERRED and not (to or "").strip():
        raise ValidationFailed(
            details=[{"field": "transferred_to", "message": "Name where the call was transferred."}]
        )


def record(session: Session, principal: Principal, data: CallIn) -> tuple[DutyCall, bool]:
    """Log a call at the principal's desk; the principal is its first receiver and owner."""
    writable(principal, principal.jurisdiction_code, Perm.DUTY_REPORT)
    now = clock.now()
    received = data.received_at or now
    if received > now + CLOCK_SKEW:
        raise ValidationFailed(details=[{"field": "received_at", "message": "This time is in the future."}])
    outcome = CallOutcome(data.outcome)
    _check_transfer(outcome, data.transferred_to)
    call = DutyCall(
        jurisdiction_code=principal.jurisdiction_code,
        received_at=min(received, now),
        caller_name=data.caller_name or None,
        caller_phone=data.caller_phone or None,
        summary=data.summary,
        outcome=outcome.value,
        incident_id=_incident(session, principal, data.incident_number, outcome),
        transferred_to=data.transferred_to or None,
        outcome_note=data.outcome_note or None,
        taken_by_user_id=principal.user_id,
        taken_by=who(principal),
        created_at=now,
        client_key=data.client_key,
    )
    call, created = insert_once(session, principal, call, Conflict())
    if created:
        taking.take(
            session,
            principal,
            KIND,
            call.id,
            jurisdiction_code=call.jurisdiction_code,
            holder_code=call.jurisdiction_code,
            how=TakenHow.CALL,
            at=call.received_at,
        )
    return call, created


def get(session: Session, principal: Principal, call_id: int) -> DutyCall:
    return visible(principal, session.get(DutyCall, call_id))


def settle(session: Session, principal: Principal, call_id: int, data: CallOutcomeIn) -> DutyCall:
    """Record what became of a pending call (once: a settled call is a 409)."""
    call = session.scalar(select(DutyCall).where(DutyCall.id == call_id).with_for_update(of=DutyCall))
    visible(principal, call)
    writable(principal, call.jurisdiction_code, Perm.DUTY_REPORT)
    wanted = CallOutcome(data.outcome)
    if wanted not in CALL_MOVES[CallOutcome(call.outcome)]:
        raise CallSettled(outcome=call.outcome)
    _check_transfer(wanted, data.transferred_to)
    call.incident_id = _incident(session, principal, data.incident_number, wanted)
    call.outcome = wanted.value
    call.transferred_to = data.transferred_to or None
    call.outcome_note = data.outcome_note or call.outcome_note
    session.flush()
    return call


@dataclass
class CallFilters:
    outcome: str | None = None
    date_from: date | None = None  # local dates, inclusive
    date_to: date | None = None
    q: str | None = None  # caller, phone or summary words
    mine: bool = False  # owned by me now


def _day(d: date) -> datetime:
    return datetime.combine(d, time(0), tzinfo=clock.LOCAL_TZ)


def _filtered(principal: Principal, f: CallFilters):
    stmt = select(DutyCall).where(in_scope(DutyCall.jurisdiction_code, principal))
    if f.outcome:
        stmt = stmt.where(DutyCall.outcome == CallOutcome(f.outcome).value)
    if f.date_from:
        stmt = stmt.where(DutyCall.received_at >= _day(f.date_from))
    if f.date_to:
        stmt = stmt.where(DutyCall.received_at < _day(f.date_to + timedelta(days=1)))
    if f.q and f.q.strip():
        q = f.q.strip()
        stmt = stmt.where(
            or_(
                DutyCall.summary.contains(q, autoescape=True),
                DutyCall.caller_name.contains(q, autoescape=True),
                DutyCall.caller_phone.contains(q, autoescape=True),
            )
        )
    if f.mine:
        from yingji.ownership.models import Owned

        owned = select(Owned.item_id).where(Owned.kind == KIND, Owned.owner_user_id == principal.user_id)
        stmt = stmt.where(DutyCall.id.in_(owned))
    return stmt.order_by(DutyCall.received_at.desc(), DutyCall.id.desc())


def search(session: Session, principal: Principal, f: CallFilters, page: int = 1, size: int = 30) -> Page:
    return paginate(session, _filtered(principal, f), page, size)


def rows_for_export(session: Session, principal: Principal, f: CallFilters, limit: int = 20_000):
    return list(session.scalars(_filtered(principal, f).limit(limit)))


def outs(session: Session, principal: Principal, calls: list[DutyCall]) -> list[dict]:
    """Calls as answers and table rows: the owner with each, phones masked by role, set-based."""
    owners = taking.owners_of(session, KIND, [c.id for c in calls])
    numbers = dict(
        session.execute(
            select(Incident.id, Incident.number).where(
                Incident.id.in_({c.incident_id for c in calls if c.incident_id})
            )
        ).all()
    )
    return [
        {
            "id": c.id,
            "jurisdiction_code": c.jurisdiction_code,
            "received_at": c.received_at,
            "caller_name": c.caller_name,
            "caller_phone": mask_phone(c.caller_phone, principal),
            "summary": c.summary,
            "outcome": c.outcome,
            "outcome_label": OUTCOME_LABELS[CallOutcome(c.outcome)],
            "incident_id": c.incident_id,
            "incident_number": numbers.get(c.incident_id),
            "transferred_to": c.transferred_to,
            "outcome_note": c.outcome_note,
            "taken_by": c.taken_by,
            "owner": out.owner((owners.get(c.id) or [None])[0]),
        }
        for c in calls
    ]


COLUMNS = [
    Column("received_at", "来电时间", "Received", width=18),
    Column("caller_name", "来电人", "Caller"),
    Column("caller_phone", "电话", "Phone"),
    Column("summary", "内容摘要", "Summary", width=40),
    Column("outcome", "处理结果", "Outcome"),
    Column("incident_number", "事件编号", "Incident", width=22),
    Column("transferred_to", "转办单位", "Transferred to"),
    Column("taken_by", "接听人（首接）", "Answered by (first receiver)"),
    Column("owner", "当前负责人", "Owner now"),
]


def sheet(session: Session, principal: Principal, f: CallFilters) -> bytes:
    """The filtered log as an Excel sheet (phones masked by role, like the page)."""
    rows = outs(session, principal, rows_for_export(session, principal, f))
    zh = {o: translate(label, "zh_CN") for o, label in OUTCOME_LABELS.items()}
    return write(
        "来电登记",
        COLUMNS,
        (
            r
            | {
                "received_at": clock.to_local(r["received_at"]).strftime("%Y-%m-%d %H:%M"),
                "outcome": zh[CallOutcome(r["outcome"])],
                "owner": (r["owner"] or {}).get("owner_name", ""),
            }
            for r in rows
        ),
    )

"""Disaster processes (灾害过程): open one (hazard 亚灾种, place, time; from an incident or not), read
and list them, move their state (open → stable → verified → closed). Opening makes the county's 初报
draft with its due time; becoming stable the 核报 draft. Visible to whoever covers the place and to the
places inside it (a village officer reports into its county's process)."""

from __future__ import annotations

import uuid

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, writable
from yingji.auth.security import note_refusal
from yingji.core import clock
from yingji.core.errors import Conflict, NotFound, ValidationFailed
from yingji.core.i18n import N_
from yingji.core.pagination import Page, paginate
from yingji.damage import indicators, schedule
from yingji.damage.codes import EVENT_MOVES, EventState, ReportKind, ReportState
from yingji.damage.models import DamageReport, DisasterEvent
from yingji.damage.schemas import EventIn
from yingji.events.publish import publish
from yingji.org import codes as division_codes
from yingji.org import places

EVENT_LEVELS = ("county", "city")


def may_see(principal: Principal, code: str) -> bool:
    return principal.covers(code) or principal.jurisdiction_code.startswith(code)


def seen_by(principal: Principal):
    above = division_codes.ancestors(principal.jurisdiction_code) if principal.jurisdiction_code else []
    own = in_scope(DisasterEvent.jurisdiction_code, principal)
    return or_(own, DisasterEvent.jurisdiction_code.in_(above)) if above else own


def get(session: Session, principal: Principal, event_id: int, *, lock: bool = False) -> DisasterEvent:
    options = {"with_for_update": True, "populate_existing": True} if lock else {}
    event = session.get(DisasterEvent, event_id, **options)
    if event is None:
        raise NotFound()
    if not may_see(principal, event.jurisdiction_code):
        note_refusal(
            principal,
            "scope_probe",
            404,
            entity="disaster_events",
            entity_id=event.id,
            jurisdiction_code=event.jurisdiction_code,
        )
        raise NotFound()
    return event


def search(
    session: Session, principal: Principal, *, state: str | None = None, page: int = 1, size: int = 50
) -> Page[DisasterEvent]:
    stmt = select(DisasterEvent).where(seen_by(principal))
    if state:
        stmt = stmt.where(DisasterEvent.state == state)
    return paginate(
        session, stmt.order_by(DisasterEvent.occurred_at.desc(), DisasterEvent.id.desc()), page, size
    )


def overdue_counts(session: Session, event_ids: list[int]) -> dict[int, int]:
    if not event_ids:
        return {}
    stmt = (
        select(DamageReport.event_id, func.count())
        .where(
            DamageReport.event_id.in_(event_ids),
            DamageReport.state.in_((ReportState.DRAFT.value, ReportState.RETURNED.value)),
            DamageReport.due_at < clock.now(),
        )
        .group_by(DamageReport.event_id)
    )
    return dict(session.execute(stmt).all())


def open_event(session: Session, principal: Principal, data: EventIn) -> DisasterEvent:
    writable(principal, data.jurisdiction_code, Perm.DAMAGE_REPORT)
    places.get(session, principal, data.jurisdiction_code)
    if division_codes.level_of(data.jurisdiction_code) not in EVENT_LEVELS:
        raise ValidationFailed.on(
            "jurisdiction_code", N_("A disaster process is opened for a county or a city.")
        )
    if data.hazard not in indicators.hazards():
        raise ValidationFailed.on("hazard", N_("Unknown hazard type."))
    occurred = clock.to_utc(data.occurred_at) if data.occurred_at.tzinfo else None
    if occurred is None:
        raise ValidationFailed.on("occurred_at", N_("Give the time with its time zone."))
    if occurred > clock.now():
        raise ValidationFailed.on("occurred_at", N_("The time lies in the future."))
    if data.incident_id is not None:
        from yingji.response.common import incident_for_read

        incident_for_read(session, principal, data.incident_id)
    stamp = clock.to_local(occurred).strftime("%Y%m%d")
    event = DisasterEvent(
        code=f"ZQ{data.jurisdiction_code}-{stamp}-{uuid.uuid4().hex[:4].upper()}",
        name=data.name,
        hazard=data.hazard,
        jurisdiction_code=data.jurisdiction_code,
        occurred_at=occurred,
        state=EventState.OPEN.value,
        incident_id=data.incident_id,
        response_launched=data.response_launched,
        rules_version=indicators.rules_version(),
        note=data.note,
    )
    session.add(event)
    session.flush()
    rules = indicators.reporting_rules(session, event.jurisdiction_code)
    level = division_codes.level_of(event.jurisdiction_code)
    expect(
        session,
        event,
        ReportKind.INITIAL,
        event.jurisdiction_code,
        schedule.initial_due(rules, level, occurred),
        as_of=occurred,
    )
    ensure_zero_reports(session, event)  # an event entered late: the zero reports already due
    publish(session, "damage.changed", event.jurisdiction_code, {"event_id": event.id, "what": "opened"})
    return event


def expect(session, event, kind: ReportKind, code: str, due_at, *, as_of=None, report_date=None, serial=1):
    """The draft of a report the rules expect (once: its client key names event, place, kind and day)."""
    key = f"due:{event.id}:{code}:{kind.value}:{report_date or serial}"
    found = session.scalar(select(DamageReport).where(DamageReport.client_key == key))
    if found is not None:
        return found
    report = DamageReport(
        event_id=event.id,
        kind=kind.value,
        serial=serial,
        jurisdiction_code=code,
        as_of=as_of or clock.now(),
        report_date=report_date,
        due_at=due_at,
        state=ReportState.DRAFT.value,
        narrative={},
        client_key=key,
    )
    session.add(report)
    session.flush()
    return report


def move(
    session: Session, principal: Principal, event_id: int, state: str, note: str | None
) -> DisasterEvent:
    event = get(session, principal, event_id, lock=True)
    try:
        target = EventState(state)
    except ValueError:
        raise ValidationFailed.on("state", N_("Not a valid choice.")) from None
    perm = Perm.DAMAGE_REPORT if target in (EventState.OPEN, EventState.STABLE) else Perm.DAMAGE_VERIFY
    writable(principal, event.jurisdiction_code, perm)
    if target not in EVENT_MOVES[EventState(event.state)]:
        raise Conflict(
            "The disaster process cannot move from {old} to {new}.", old=event.state, new=target.value
        )
    event.state = target.value
    if target == EventState.STABLE:
        event.stable_at = clock.now()
        rules = indicators.reporting_rules(session, event.jurisdiction_code)
        level = division_codes.level_of(event.jurisdiction_code)
        expect(
            session,
            event,
            ReportKind.FINAL,
            event.jurisdiction_code,
            schedule.final_due(rules, level, event.stable_at),
        )
    elif target == EventState.OPEN:
        event.stable_at = None
    if note:
        event.note = ((event.note or "") + "\n" + note).strip()[:4000]
    session.flush()
    publish(session, "damage.changed", event.jurisdiction_code, {"event_id": event.id, "what": "state"})
    return event


def ensure_zero_reports(session: Session, event: DisasterEvent, until=None) -> int:
    """The zero-report drafts due so far (today's included, the last 7 days at most) for the event's
    own place: opening the process and the 15-minute job call this (pages only read)."""
    if event.state != EventState.OPEN.value:
        return 0
    rules = indicators.reporting_rules(session, event.jurisdiction_code)
    level = division_codes.level_of(event.jurisdiction_code)
    made = 0
    for day in schedule.zero_days(rules, event.hazard, event.occurred_at, until or clock.now())[-7:]:
        expect(
            session,
            event,
            ReportKind.ZERO,
            event.jurisdiction_code,
            schedule.zero_due(rules, level, day),
            as_of=schedule.zero_as_of(day),
            report_date=day,
        )
        made += 1
    return made


def outs(session: Session, events: list[DisasterEvent]) -> list[dict]:
    from yingji.damage import labels

    names = places.names(session, [e.jurisdiction_code for e in events])
    late = overdue_counts(session, [e.id for e in events])
    return [
        {
            "id": e.id,
            "code": e.code,
            "name": e.name,
            "hazard": e.hazard,
            "hazard_label": indicators.hazard_label(e.hazard),
            "jurisdiction_code": e.jurisdiction_code,
            "jurisdiction_name": names.get(e.jurisdiction_code),
            "occurred_at": e.occurred_at,
            "stable_at": e.stable_at,
            "state": e.state,
            "state_label": labels.label(labels.EVENT_STATE, e.state),
            "incident_id": e.incident_id,
            "response_launched": e.response_launched,
            "relief_grade": e.relief_grade,
            "relief_grade_at": e.relief_grade_at,
            "rules_version": e.rules_version,
            "overdue_reports": late.get(e.id, 0),
        }
        for e in events
    ]

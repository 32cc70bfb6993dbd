"""How a report climbs: the receiving level acknowledges it (签收) or forwards it upward (上报) with one
click; each is a receipt that meets (or meets late) the deadline to that level. And verification."""

from __future__ import annotations

from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal
from yingji.core import clock
from yingji.core.errors import Conflict, ValidationFailed
from yingji.core.i18n import N_
from yingji.incidents import deadlines, levels, notices, owners, status, timeline
from yingji.incidents.codes import DeadlineState, ReceiptHow
from yingji.incidents.deadlines import level_name, zh
from yingji.incidents.models import Incident, IncidentReceipt
from yingji.incidents.reports import for_write
from yingji.incidents.status import IncidentStatus
from yingji.ownership.codes import TakenHow


def _own_level(principal: Principal, incident: Incident) -> str:
    level = levels.level_of(principal.jurisdiction_code)
    if level not in levels.RECEIVING:
        raise Conflict("Only a town or a higher level receives and forwards reports.")
    return level


def _usable(incident: Incident) -> None:
    if incident.merged_into_id is not None:
        raise Conflict("This incident was merged into another one; report on that one.")


def acknowledge(session: Session, principal: Principal, incident_id: int) -> IncidentReceipt | None:
    """The principal's level has received the incident (签收). Idempotent: None if it already had.
    The first officer of the level to accept it (a forwarded one too) is its first receiver there."""
    incident = for_write(session, principal, incident_id, Perm.INCIDENT_REPORT)
    _usable(incident)
    level = _own_level(principal, incident)
    receipt = deadlines.receive(
        session, incident, level, how=ReceiptHow.ACKNOWLEDGED, at=clock.now(), by_user_id=principal.user_id
    )
    owners.take(session, principal, incident, TakenHow.ACCEPTED)
    if receipt is not None:
        timeline.record(
            session,
            incident,
            "receipt",
            zh(N_("Received (签收) by the {level}."), level=level_name(level)),
            {"level": level},
        )
        deadlines.settle(session, incident)
    return receipt


def next_up(session: Session, incident: Incident, level: str) -> str | None:
    """The lowest level above ``level`` that still has an open deadline, else the next level up."""
    open_levels = {
        d.to_level for d in deadlines.deadlines_of(session, incident.id) if d.state == DeadlineState.OPEN
    }
    above = levels.chain_above(incident.jurisdiction_code, level)
    return next((lv for lv in above if lv in open_levels), above[0] if above else None)


def forward(
    session: Session, principal: Principal, incident_id: int, to: str | None = None
) -> IncidentReceipt:
    """Report the incident upward (上报) from the principal's level to ``to`` (default: the next level
    that must receive it; skipping levels is allowed). The principal's level receives it too."""
    incident = for_write(session, principal, incident_id, Perm.INCIDENT_REPORT)
    _usable(incident)
    level = _own_level(principal, incident)
    target = to or next_up(session, incident, level)
    if target is None or target not in levels.RECEIVING or not levels.above(target, level):
        raise ValidationFailed(details=[{"field": "to", "message": "Forward to a level above your own."}])
    now = clock.now()
    deadlines.receive(
        session, incident, level, how=ReceiptHow.ACKNOWLEDGED, at=now, by_user_id=principal.user_id
    )
    owners.take(session, principal, incident, TakenHow.ACCEPTED)
    receipt = deadlines.receive(
        session,
        incident,
        target,
        how=ReceiptHow.FORWARDED,
        at=now,
        by_user_id=principal.user_id,
        from_level=level,
    )
    if receipt is None:
        raise Conflict("The {level} already has this incident.", level=zh(levels.LABELS[target]))
    timeline.record(
        session,
        incident,
        "receipt",
        zh(
            N_("Reported up (上报) by the {level} to the {to}."),
            level=level_name(level),
            to=level_name(target),
        ),
        {"from": level, "to": target},
    )
    deadlines.settle(session, incident)
    notices.forwarded(session, incident, target, level)
    return receipt


def verify(session: Session, principal: Principal, incident_id: int) -> Incident:
    """Mark a reported incident as verified (核实): reported → verified."""
    incident = for_write(session, principal, incident_id, Perm.INCIDENT_MANAGE)
    _usable(incident)
    status.check_move(incident.status, IncidentStatus.VERIFIED)
    incident.status = IncidentStatus.VERIFIED
    timeline.record(
        session,
        incident,
        "status",
        zh(N_("Verified by {who}."), who=principal.display_name),
        {"to": IncidentStatus.VERIFIED.value},
    )
    return incident

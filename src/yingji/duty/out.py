"""JSON shapes of duty records for the API, phones masked per principal."""

from __future__ import annotations

from yingji.auth.scope import Principal, mask_phone
from yingji.duty import rotation
from yingji.duty.models import Handover, HandoverItem, Leave, Override, ReportSetting, Roster, RoutineReport
from yingji.duty.models import SpecialPeriod as Period
from yingji.duty.oncall import DutyPerson, OnDuty, Shift
from yingji.duty.routine import DaySummary


def person(p: DutyPerson | None, principal: Principal) -> dict | None:
    """A person on duty."""
    if p is None:
        return None
    return {
        "person_id": p.person_id,
        "name": p.name,
        "title": p.title,
        "mobile": mask_phone(p.mobile, principal),
        "office_phone": mask_phone(p.office_phone, principal),
        "acting_for": p.acting_for,
        "acting_for_id": p.acting_for_id,
    }


def shift(s: Shift, principal: Principal) -> dict:
    """A resolved shift."""
    return {
        "day": s.day,
        "starts_at": s.starts_at,
        "ends_at": s.ends_at,
        "leader": person(s.leader, principal),
        "leaders": [person(p, principal) for p in s.leaders],
        "officers": [person(p, principal) for p in s.officers],
        "backups": [person(p, principal) for p in s.backups],
        "away": [
            {"person_id": a.person.person_id, "name": a.person.name, "role": a.role, "leave_id": a.leave_id}
            | {"destination": a.destination}
            for a in s.away
        ],
        "gaps": s.gaps,
    }


def on_duty(d: OnDuty, principal: Principal) -> dict:
    """A duty unit's current shift."""
    return {
        "roster_id": d.roster_id,
        "roster_name": d.roster_name,
        "unit_id": d.unit_id,
        "unit_name": d.unit_name,
        "duty_phone": mask_phone(d.duty_phone, principal),
        "jurisdiction_code": d.jurisdiction_code,
        "jurisdiction_name": d.jurisdiction_name,
        "shift": shift(d.shift, principal),
    }


def roster(r: Roster) -> dict:
    """A roster and its rotations."""
    return {
        "id": r.id,
        "unit_id": r.unit_id,
        "unit_name": r.unit.name,
        "jurisdiction_code": r.jurisdiction_code,
        "name": r.name,
        "shift_start": rotation.minute_to_text(r.shift_start_minute),
        "timezone": r.timezone,
        "gap_days": r.gap_days,
        "active": r.active,
        "note": r.note,
        "rotations": [
            {
                "id": x.id,
                "role": x.role,
                "starts_on": x.starts_on,
                "members": list(x.members),
                "days_per_turn": x.days_per_turn,
                "per_shift": x.per_shift,
            }
            for x in r.rotations
        ],
    }


def override(o: Override) -> dict:
    """A change to one shift."""
    return {
        "id": o.id,
        "roster_id": o.roster_id,
        "shift_date": o.shift_date,
        "role": o.role,
        "person_id": o.person_id,
        "replaces_person_id": o.replaces_person_id,
        "kind": o.kind,
        "swap_key": o.swap_key,
        "reason": o.reason,
        "created_by": o.created_by,
    }


def leave(lv: Leave, principal: Principal) -> dict:
    """A leader leave."""
    return {
        "id": lv.id,
        "person_id": lv.person_id,
        "person_name": lv.person.name,
        "unit_id": lv.unit_id,
        "unit_name": lv.unit.name,
        "jurisdiction_code": lv.jurisdiction_code,
        "starts_at": lv.starts_at,
        "ends_at": lv.ends_at,
        "destination": lv.destination,
        "reason": lv.reason,
        "deputy_person_id": lv.deputy_person_id,
        "deputy_name": lv.deputy.name if lv.deputy else None,
        "deputy_mobile": mask_phone(lv.deputy.mobile, principal) if lv.deputy else None,
        "status": lv.status,
        "requested_by": lv.requested_by,
        "decided_by": lv.decided_by,
        "decided_at": lv.decided_at,
        "decision_note": lv.decision_note,
    }


def item(i: HandoverItem) -> dict:
    """A handover item."""
    return {
        "id": i.id,
        "text": i.text,
        "opened_handover_id": i.opened_handover_id,
        "opened_at": i.opened_at,
        "closed_handover_id": i.closed_handover_id,
        "closed_at": i.closed_at,
        "closed_by": i.closed_by,
        "close_note": i.close_note,
    }


def handover(h: Handover) -> dict:
    """A handover log entry."""
    return {
        "id": h.id,
        "roster_id": h.roster_id,
        "shift_date": h.shift_date,
        "summary": h.summary,
        "written_by": h.written_by,
        "written_at": h.written_at,
        "confirmed_by": h.confirmed_by,
        "confirmed_at": h.confirmed_at,
        "confirm_note": h.confirm_note,
    }


def report(r: RoutineReport) -> dict:
    """A routine report."""
    return {
        "id": r.id,
        "jurisdiction_code": r.jurisdiction_code,
        "level": r.level,
        "report_date": r.report_date,
        "slot": r.slot,
        "kind": r.kind,
        "summary": r.summary,
        "deadline_at": r.deadline_at,
        "submitted_at": r.submitted_at,
        "late": r.late,
        "submitted_by": r.submitted_by,
    }


def summary(s: DaySummary) -> dict:
    """A day's reporting status per place."""
    return {
        "day": s.day,
        "counts": s.counts(),
        "counts_by_level": {lvl: s.counts(lvl) for lvl in ("county", "town")},
        "places": [
            {
                "code": r.code,
                "name": r.name,
                "level": r.level,
                "parent_code": r.parent_code,
                "status": r.status,
                "slots": [
                    {
                        "slot": x.slot.slot,
                        "deadline_at": x.slot.deadline_at,
                        "period": x.slot.period,
                        "status": x.status,
                        "report_id": x.report.id if x.report else None,
                        "submitted_at": x.report.submitted_at if x.report else None,
                        "kind": x.report.kind if x.report else None,
                    }
                    for x in r.slots
                ],
            }
            for r in s.rows
        ],
    }


def setting(s: ReportSetting) -> dict:
    """A deadline setting."""
    return {
        "id": s.id,
        "jurisdiction_code": s.jurisdiction_code,
        "level": s.level,
        "deadline": rotation.minute_to_text(s.deadline_minute),
        "remind_minutes": s.remind_minutes,
        "active": s.active,
        "note": s.note,
    }


def period(p: Period) -> dict:
    """A special period."""
    return {
        "id": p.id,
        "jurisdiction_code": p.jurisdiction_code,
        "name": p.name,
        "kind": p.kind,
        "starts_on": p.starts_on,
        "ends_on": p.ends_on,
        "deadlines": {lvl: [rotation.minute_to_text(m) for m in ms] for lvl, ms in p.deadlines.items()},
        "note": p.note,
    }

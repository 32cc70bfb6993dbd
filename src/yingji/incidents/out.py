"""The JSON shapes of incidents and what hangs off them (API answers)."""

from __future__ import annotations

from typing import Any

from yingji.auth.scope import Principal, mask_phone
from yingji.core import clock
from yingji.incidents.codes import DeadlineState
from yingji.incidents.models import (
    Incident,
    IncidentPhoto,
    IncidentReceipt,
    IncidentReport,
    ReportingDeadline,
    TimelineEvent,
)
from yingji.ownership import out as owners_out
from yingji.ownership.models import Owned


def deadline_clock(d: ReportingDeadline) -> str:
    """What a deadline's clock shows now: due, overdue, met, late, missed or waived."""
    if d.state == DeadlineState.OPEN:
        return "overdue" if d.due_at <= clock.now() else "due"
    return d.state


def incident_summary(i: Incident, owner: Owned | None = None) -> dict[str, Any]:
    """An incident in a list; ``owner``: the owner the list shows (首接负责制), when the caller read it."""
    return {
        "id": i.id,
        "number": i.number,
        "title": i.title,
        "category": i.category,
        "jurisdiction_code": i.jurisdiction_code,
        "jurisdiction_name": i.jurisdiction.name if i.jurisdiction is not None else None,
        "status": i.status,
        "grade": i.grade,
        "occurred_at": i.occurred_at,
        "received_at": i.received_at,
        "lon": i.lon,
        "lat": i.lat,
        "merged_into_id": i.merged_into_id,
        "figures": i.figures(),
        "drill_id": i.drill_id,  # made by a drill (演练): shown with its badge
        "owner": owners_out.owner(owner),
    }


def report_out(r: IncidentReport) -> dict[str, Any]:
    return {
        "id": r.id,
        "seq": r.seq,
        "kind": r.kind,
        "source": r.source,
        "received_at": r.received_at,
        "from_level": r.from_level,
        "jurisdiction_code": r.jurisdiction_code,
        "text": r.text,
        "grade_after": r.grade_after,
        "merged_from_report_id": r.merged_from_report_id,
        "figures": r.figures(),
    }


def deadline_out(d: ReportingDeadline) -> dict[str, Any]:
    return {
        "id": d.id,
        "to": d.to_level,
        "to_code": d.to_code,
        "channel": d.channel,
        "due_at": d.due_at,
        "basis": d.basis,
        "grade": d.grade,
        "state": d.state,
        "clock": deadline_clock(d),
        "met_at": d.met_at,
        "overdue_at": d.overdue_at,
        "note": d.note,
    }


def receipt_out(r: IncidentReceipt) -> dict[str, Any]:
    return {
        "level": r.level,
        "level_code": r.level_code,
        "received_at": r.received_at,
        "how": r.how,
        "from_level": r.from_level,
    }


def photo_out(p: IncidentPhoto) -> dict[str, Any]:
    return {
        "id": p.id,
        "url": f"/api/v1/incidents/{p.incident_id}/photos/{p.id}",
        "content_type": p.content_type,
        "size_bytes": p.size_bytes,
        "width": p.width,
        "height": p.height,
        "sha256": p.sha256,
    }


def event_out(e: TimelineEvent) -> dict[str, Any]:
    return {"at": e.at, "kind": e.kind, "summary": e.summary, "actor": e.actor, "data": e.data}


def incident_detail(
    i: Incident,
    principal: Principal,
    *,
    deadlines: list[ReportingDeadline],
    receipts: list[IncidentReceipt],
    photos: list[IncidentPhoto],
    owners: list[Owned] | None = None,
) -> dict[str, Any]:
    """One incident in full; ``owners``: its first receiver and owner at each level that took it in."""
    owners = owners or []
    shown = next((o for o in owners if o.holder_code == principal.jurisdiction_code), None)
    return incident_summary(i, shown or (owners[0] if owners else None)) | {
        "owners": [owners_out.owner(o) for o in owners],
        "grading_kind": i.grading_kind,
        "grade_basis": i.grade_basis or [],
        "address": i.address,
        "description": i.description,
        "located_by": i.located_by,
        "reporter_name": i.reporter_name,
        "reporter_phone": mask_phone(i.reporter_phone, principal),
        "response_level": i.response_level,
        "final_report_at": i.final_report_at,
        "supplementary_until": i.supplementary_until,
        "closed_at": i.closed_at,
        "reports": [report_out(r) for r in i.reports],
        "deadlines": [deadline_out(d) for d in deadlines],
        "receipts": [receipt_out(r) for r in receipts],
        "photos": [photo_out(p) for p in photos],
    }

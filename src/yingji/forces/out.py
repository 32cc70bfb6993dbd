"""Output shapes of the forces API: plain dicts, phone numbers masked for roles that do not need them."""

from __future__ import annotations

from yingji.auth.scope import Principal, mask_phone
from yingji.core.i18n import gettext
from yingji.forces import codes
from yingji.forces.models import (
    MemberCertificate,
    ReadinessChange,
    Team,
    TeamDispatch,
    TeamEquipment,
    TeamMember,
)
from yingji.org.codes import division_code_12


def team_out(team: Team, principal: Principal, leader: TeamMember | None = None) -> dict:
    """A team as the API shows it."""
    kind = codes.TEAM_KINDS.get(team.kind)
    return {
        "id": team.id,
        "code": team.code,
        "name": team.name,
        "kind": team.kind,
        "kind_label": gettext(kind.label) if kind else team.kind,
        "group": codes.group_of(team.kind),
        "jurisdiction_code": team.jurisdiction_code,
        "division_code": division_code_12(team.jurisdiction_code),
        "jurisdiction_name": team.jurisdiction.name if team.jurisdiction else "",
        "lon": team.lon,
        "lat": team.lat,
        "address": team.address,
        "organisation": team.organisation,
        "duty_phone": mask_phone(team.duty_phone, principal),
        "capabilities": codes.split_codes(team.capabilities),
        "readiness": team.readiness,
        "readiness_since": team.readiness_since,
        "readiness_note": team.readiness_note,
        "deployed_incident_id": team.deployed_incident_id,
        "member_count": team.member_count,
        "leader": None
        if leader is None
        else {"id": leader.id, "name": leader.name, "mobile": mask_phone(leader.mobile, principal)},
        "registration_no": team.registration_no,
        "registered_on": team.registered_on,
        "registered_with": team.registered_with,
        "capability_grade": team.capability_grade,
        "graded_on": team.graded_on,
        "insurance_until": team.insurance_until,
        "active": team.active,
        "note": team.note,
        "updated_at": team.updated_at,
    }


def certificate_out(c: MemberCertificate) -> dict:
    return {"id": c.id, "name": c.name, "number": c.number, "expires_on": c.expires_on}


def member_out(member: TeamMember, principal: Principal) -> dict:
    """A member, with certificates; the number is masked for roles without CONTACT_PHONE."""
    return {
        "id": member.id,
        "team_id": member.team_id,
        "team_name": member.team.name if member.team else "",
        "jurisdiction_code": member.jurisdiction_code,
        "person_id": member.person_id,
        "name": member.name,
        "gender": member.gender,
        "mobile": mask_phone(member.mobile, principal),
        "role": member.role,
        "squad": member.squad,
        "skills": member.skills,
        "insurance_until": member.insurance_until,
        "available": member.available,
        "note": member.note,
        "certificates": [certificate_out(c) for c in member.certificates],
    }


def equipment_out(e: TeamEquipment) -> dict:
    return {
        "id": e.id,
        "team_id": e.team_id,
        "category": e.category,
        "name": e.name,
        "model": e.model,
        "plate": e.plate,
        "quantity": e.quantity,
        "state": e.state,
        "note": e.note,
    }


def change_out(c: ReadinessChange) -> dict:
    return {
        "id": c.id,
        "team_id": c.team_id,
        "at": c.at,
        "from_state": c.from_state,
        "to_state": c.to_state,
        "note": c.note,
        "incident_id": c.incident_id,
        "actor": c.actor,
    }


def dispatch_out(d: TeamDispatch) -> dict:
    return {
        "id": d.id,
        "incident_id": d.incident_id,
        "team_id": d.team_id,
        "team_name": d.team.name if d.team else "",
        "state": d.state,
        "committed_at": d.committed_at,
        "committed_by": d.committed_by,
        "travel_minutes": d.travel_minutes,
        "reason": d.reason,
        "returned_at": d.returned_at,
    }

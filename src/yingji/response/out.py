"""JSON shapes of response records (the API answers with these plain dicts)."""

from __future__ import annotations

from typing import Any

from yingji.response.models import (
    CommandPost,
    Consultation,
    IncidentClosure,
    IncidentInvestigation,
    ResponseActivation,
    ResponseTask,
    SituationReport,
    TaskEscalationStep,
)


def activation(a: ResponseActivation | None) -> dict[str, Any] | None:
    if a is None:
        return None
    return {
        "id": a.id,
        "incident_id": a.incident_id,
        "level": a.level,
        "plan_id": a.plan_id,
        "plan_name": a.plan_name,
        "plan_number": a.plan_number,
        "decided_by": a.decided_by,
        "reason": a.reason,
        "started_at": a.started_at,
        "ended_at": a.ended_at,
        "ended_how": a.ended_how,
    }


def post(p: CommandPost | None) -> dict[str, Any] | None:
    if p is None:
        return None
    return {
        "id": p.id,
        "name": p.name,
        "location": p.location,
        "lon": p.lon,
        "lat": p.lat,
        "commander": {"id": p.commander.id, "name": p.commander.name} if p.commander else None,
        "deputy": {"id": p.deputy.id, "name": p.deputy.name} if p.deputy else None,
        "set_up_at": p.set_up_at,
        "sections": [
            {
                "id": s.id,
                "code": s.code,
                "name": s.name,
                "lead": {"id": s.lead.id, "name": s.lead.name} if s.lead else None,
                "members": [{"id": m.person_id, "name": m.person.name} for m in s.members],
            }
            for s in p.sections
        ],
    }


def step(s: TaskEscalationStep) -> dict[str, Any]:
    return {
        "seq": s.seq,
        "action": s.action,
        "offset_minutes": s.offset_minutes,
        "active_states": s.active_states,
        "due_at": s.due_at,
        "state": s.state,
        "ran_at": s.ran_at,
        "repairs": s.repairs,
        "note": s.note,
    }


def task(t: ResponseTask, *, with_steps: bool = False) -> dict[str, Any]:
    out = {
        "id": t.id,
        "incident_id": t.incident_id,
        "seq": t.seq,
        "title": t.title,
        "detail": t.detail,
        "assignee_kind": t.assignee_kind,
        "assignee_unit_id": t.assignee_unit_id,
        "assignee_person_id": t.assignee_person_id,
        "assignee_team": t.assignee_team,
        "assignee_name": t.assignee_name,
        "priority": t.priority,
        "due_at": t.due_at,
        "state": t.state,
        "acknowledged_at": t.acknowledged_at,
        "acknowledged_by": t.acknowledged_by,
        "started_at": t.started_at,
        "finished_at": t.finished_at,
        "result": t.result,
        "source_decision_id": t.source_decision_id,
    }
    if with_steps:
        out["escalation_policy"] = t.escalation_policy
        out["steps"] = [step(s) for s in t.steps]
    return out


def consultation(c: Consultation) -> dict[str, Any]:
    return {
        "id": c.id,
        "seq": c.seq,
        "held_at": c.held_at,
        "topic": c.topic,
        "location": c.location,
        "video_link": c.video_link,
        "host": c.host,
        "minutes": c.minutes,
        "participants": [
            {
                "kind": p.kind,
                "person_id": p.person_id,
                "unit_id": p.unit_id,
                "expert_id": p.expert_id,
                "name": p.name,
            }
            for p in c.participants
        ],
        "decisions": [{"id": d.id, "seq": d.seq, "text": d.text} for d in c.decisions],
    }


def sitrep(s: SituationReport) -> dict[str, Any]:
    return {
        "id": s.id,
        "seq": s.seq,
        "title": s.title,
        "issuing_body": s.issuing_body,
        "doc_number": s.doc_number,
        "signer": s.signer,
        "conditions": s.conditions,
        "actions": s.actions,
        "needs": s.needs,
        "issued_at": s.issued_at,
        "docx": f"/api/v1/sitreps/{s.id}.docx",
        "pdf": f"/api/v1/sitreps/{s.id}.pdf",
    }


def closure(c: IncidentClosure | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {
        "closed_at": c.closed_at,
        "closed_by": c.closed_by,
        "summary": c.summary,
        "relocation": c.relocation,
        "compensation": c.compensation,
        "recovery": c.recovery,
    }


def investigation(i: IncidentInvestigation | None) -> dict[str, Any] | None:
    if i is None:
        return None
    return {
        "state": i.state,
        "investigating_level": i.investigating_level,
        "lead_body": i.lead_body,
        "original_due_at": i.original_due_at,
        "due_at": i.due_at,
        "basis": i.basis,
        "extension_days": i.extension_days,
        "extension_reason": i.extension_reason,
        "extended_by": i.extended_by,
        "causes": i.causes,
        "responsibility": i.responsibility,
        "lessons": i.lessons,
        "measures": i.measures,
        "submitted_at": i.submitted_at,
    }

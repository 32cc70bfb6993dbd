"""Reading a plan out: the detail of one plan (members, clocks, versions, documents, comments,
filings, triggers, history) as the API and the page show it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.core.i18n import gettext
from yingji.org.models import Jurisdiction, Unit
from yingji.plans import clocks, documents
from yingji.plans.codes import PLAN_MOVES, ClockState, PlanState
from yingji.plans.labels import (
    ACTION_LABELS,
    CLOCK_LABELS,
    CLOCK_STATE_LABELS,
    DOCUMENT_KINDS,
    FILING_STATE_LABELS,
    REVIEW_OPINIONS,
    body_label,
    route_of,
    signatories_of,
    trigger_label,
)
from yingji.plans.lifecycle import expected_receiver
from yingji.plans.models import (
    Plan,
    PlanClock,
    PlanEvent,
    PlanFiling,
    PlanReview,
    PlanTrigger,
    PlanVersion,
)
from yingji.plans.registry import names, to_out


def clock_out(c: PlanClock) -> dict:
    return {
        "id": c.id,
        "version_no": c.version_no,
        "kind": c.kind,
        "kind_label": gettext(CLOCK_LABELS[c.kind]),
        "starts_on": c.starts_on,
        "due_on": c.due_on,
        "remind_on": c.remind_on,
        "state": c.state,
        "state_label": gettext(CLOCK_STATE_LABELS[c.state]),
        "met_on": c.met_on,
        "late": clocks.late(c),
    }


def filing_out(f: PlanFiling, title: str) -> dict:
    return {
        "id": f.id,
        "plan_id": f.plan_id,
        "plan_title": title,
        "version_no": f.version_no,
        "to_jurisdiction_code": f.to_jurisdiction_code,
        "to_body": f.to_body,
        "to_body_label": body_label(f.to_body),
        "to_name": f.to_name,
        "cc": f.cc,
        "submitted_on": f.submitted_on,
        "state": f.state,
        "state_label": gettext(FILING_STATE_LABELS[f.state]),
        "decided_on": f.decided_on,
        "decided_by": f.decided_by,
        "reason": f.reason,
    }


def document_out(d) -> dict:
    return {
        "id": d.id,
        "version_no": d.version_no,
        "kind": d.kind,
        "kind_label": gettext(DOCUMENT_KINDS[d.kind]),
        "original_name": d.original_name,
        "content_type": d.content_type,
        "size_bytes": d.size_bytes,
        "created_at": d.created_at,
        "url": f"/api/v1/plans/{d.plan_id}/documents/{d.id}",
    }


def _all(session: Session, model, plan_id: int, order):
    return list(session.scalars(select(model).where(model.plan_id == plan_id).order_by(*order)))


def detail(session: Session, plan: Plan) -> dict:
    base = to_out(plan, names(session, [plan]))
    unit_names = {}
    ids = [m.unit_id for m in plan.members]
    if ids:
        unit_names = dict(session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(ids))).all())
    where, bodies = expected_receiver(plan)
    versions = _all(session, PlanVersion, plan.id, (PlanVersion.version_no.desc(),))
    return base | {
        "members": [
            {
                "unit_id": m.unit_id,
                "unit_name": unit_names.get(m.unit_id, ""),
                "role": m.role,
                "duties": m.duties,
            }
            for m in plan.members
        ],
        "moves": [s.value for s in sorted(PLAN_MOVES[PlanState(plan.state)])],
        "signatory_roles": signatories_of(plan.kind),
        "filing_route": {
            "to_jurisdiction_code": where,
            "to_jurisdiction_name": session.scalar(
                select(Jurisdiction.name).where(Jurisdiction.code == where)
            )
            or where,
            "bodies": [{"code": b, "label": body_label(b)} for b in bodies],
            "cc": route_of(plan.kind).get("cc", ""),
        },
        "clocks": [
            clock_out(c)
            for c in _all(session, PlanClock, plan.id, (PlanClock.version_no.desc(), PlanClock.kind))
            if c.state != ClockState.CANCELLED or c.version_no == plan.version_no
        ],
        "versions": [
            {
                "version_no": v.version_no,
                "status": v.status,
                "stage": v.stage,
                "major": v.major,
                "reason": v.reason,
                "reason_label": trigger_label(v.reason) if v.reason else None,
                "change_summary": v.change_summary,
                "signatory": v.signatory,
                "signatory_role": v.signatory_role,
                "doc_number": v.doc_number,
                "issued_on": v.issued_on,
                "published_on": v.published_on,
                "filed_on": v.filed_on,
            }
            for v in versions
        ],
        "documents": [document_out(d) for d in documents.documents_of(session, plan.id)],
        "reviews": [
            {
                "id": r.id,
                "version_no": r.version_no,
                "reviewer": r.reviewer,
                "reviewer_kind": r.reviewer_kind,
                "opinion": r.opinion,
                "opinion_label": gettext(REVIEW_OPINIONS[r.opinion]),
                "comment": r.comment,
                "resolution": r.resolution,
                "created_at": r.created_at,
            }
            for r in _all(session, PlanReview, plan.id, (PlanReview.id,))
        ],
        "filings": [
            filing_out(f, plan.title) for f in _all(session, PlanFiling, plan.id, (PlanFiling.id.desc(),))
        ],
        "triggers": [
            {
                "id": t.id,
                "reason": t.reason,
                "reason_label": trigger_label(t.reason),
                "source": t.source,
                "source_ref": t.source_ref,
                "detail": t.detail,
                "raised_on": t.raised_on,
                "state": t.state,
                "handled_version_no": t.handled_version_no,
                "handled_note": t.handled_note,
            }
            for t in _all(session, PlanTrigger, plan.id, (PlanTrigger.id.desc(),))
        ],
        "events": [
            {
                "version_no": e.version_no,
                "action": e.action,
                "action_label": gettext(ACTION_LABELS.get(e.action, e.action)),
                "from_state": e.from_state,
                "to_state": e.to_state,
                "comment": e.comment,
                "actor": e.actor,
                "at": e.at,
            }
            for e in _all(session, PlanEvent, plan.id, (PlanEvent.id.desc(),))
        ],
    }

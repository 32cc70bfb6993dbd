"""Situation reports (情况报告): conditions / actions / needs (Netflix Dispatch's tactical report),
numbered per incident, with the header of a Chinese official document (issuing body, document number)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal
from yingji.core import clock
from yingji.core.clock import to_local
from yingji.core.errors import NotFound
from yingji.core.i18n import N_
from yingji.incidents.models import Incident
from yingji.org.models import Jurisdiction
from yingji.response.common import incident_for_read, incident_for_write, record, zh
from yingji.response.models import SituationReport
from yingji.response.schemas import SitrepIn

BODY_SUFFIX = {
    "province": "应急管理厅",
    "city": "应急管理局",
    "county": "应急管理局",
    "town": "应急管理办公室",
}


def issuing_body(session: Session, principal: Principal, incident: Incident) -> str:
    """The default issuing body: the emergency-management office of the principal's level (or of the
    incident's county when the principal has no place, e.g. the system)."""
    code = principal.jurisdiction_code or incident.jurisdiction_code[:6]
    place = session.get(Jurisdiction, code)
    if place is None:
        return "应急管理局"
    return place.name + BODY_SUFFIX.get(place.level, "应急管理办公室")


def create(session: Session, principal: Principal, incident_id: int, data: SitrepIn) -> SituationReport:
    """Issue the next situation report of an incident (closed incidents too: a final report)."""
    incident = incident_for_write(session, principal, incident_id)
    seq = (
        session.scalar(
            select(func.max(SituationReport.seq)).where(SituationReport.incident_id == incident.id)
        )
        or 0
    ) + 1
    now = clock.now()
    body = data.issuing_body or issuing_body(session, principal, incident)
    year = to_local(now).year
    report = SituationReport(
        incident_id=incident.id,
        seq=seq,
        title=data.title or f"关于{incident.title}有关情况的报告（第{seq}期）",
        issuing_body=body,
        doc_number=data.doc_number or f"{body[:1]}应急情〔{year}〕{seq}号",
        signer=data.signer,
        conditions=data.conditions,
        actions=data.actions,
        needs=data.needs,
        issued_at=now,
        author_user_id=principal.user_id,
        jurisdiction_code=incident.jurisdiction_code,
    )
    session.add(report)
    session.flush()
    record(
        session,
        incident,
        "sitrep",
        zh(N_("Situation report {seq} issued: {title}"), seq=seq, title=report.title),
        {"sitrep_id": report.id, "doc_number": report.doc_number},
    )
    return report


def get(session: Session, principal: Principal, sitrep_id: int) -> SituationReport:
    report = session.get(SituationReport, sitrep_id)
    if report is None:
        raise NotFound()
    incident_for_read(session, principal, report.incident_id)
    return report


def for_incident(session: Session, incident_id: int) -> list[SituationReport]:
    return list(
        session.scalars(
            select(SituationReport)
            .where(SituationReport.incident_id == incident_id)
            .order_by(SituationReport.seq)
        )
    )

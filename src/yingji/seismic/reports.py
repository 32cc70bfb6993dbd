"""Reports from the field (灾情速报, 宏观异常, 宏观观测月报): idempotent by the phone's client key (a
report sent twice on a weak network is one report), one monthly report per member and month, photos
kept through ``incidents.photos``; the office accepts or returns them (REPORT_MOVES)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, require, visible, writable
from yingji.auth.security import note_refusal
from yingji.core import clock
from yingji.core.errors import Conflict, Forbidden, ValidationFailed
from yingji.core.pagination import Page, paginate
from yingji.incidents import photos as store
from yingji.org.models import Jurisdiction
from yingji.seismic.codes import KIND_LABELS, REPORT_MOVES, STATE_LABELS, ReportKind, ReportState
from yingji.seismic.models import SeismicMember, SeismicPhoto, SeismicReport

MIME = {kind: mime for kind, (mime, _ext) in store.KINDS.items()}
REPORTERS = (Perm.DAMAGE_REPORT, Perm.INCIDENT_REPORT, Perm.TRAINING_MANAGE)


class MonthlyAlreadySent(Conflict):
    code = "seismic_monthly_sent"
    message = "This member's monthly report for {month} has already been sent."


def _may_report(principal: Principal, code: str) -> None:
    if not any(principal.can(p) for p in REPORTERS):
        note_refusal(principal, "forbidden", 403, note="perm:seismic.report")
        raise Forbidden()
    writable(principal, code, Perm.ORG_READ)


def submit(session: Session, principal: Principal, data) -> SeismicReport:
    """Record a report; the same client key returns the first one."""
    if data.client_key:
        known = session.scalar(select(SeismicReport).where(SeismicReport.client_key == data.client_key))
        if known is not None:
            return visible(principal, known)
    _may_report(principal, data.jurisdiction_code)
    if session.get(Jurisdiction, data.jurisdiction_code) is None:
        raise ValidationFailed(details=[{"field": "jurisdiction_code", "message": "Unknown jurisdiction."}])
    member = None
    if data.member_id is not None:
        member = session.get(SeismicMember, data.member_id)
        if member is None or not principal.covers(member.jurisdiction_code):
            raise ValidationFailed(details=[{"field": "member_id", "message": "Unknown member."}])
    kind = ReportKind(data.kind)
    month = data.month
    if kind is ReportKind.MONTHLY:
        if member is None:
            raise ValidationFailed(
                details=[{"field": "member_id", "message": "Name the observer of the report."}]
            )
        month = month or f"{clock.to_local(data.occurred_at):%Y-%m}"
    elif kind is ReportKind.QUICK and data.intensity is None:
        raise ValidationFailed(details=[{"field": "intensity", "message": "Give the intensity felt."}])
    if data.occurred_at > clock.now():
        raise ValidationFailed(details=[{"field": "occurred_at", "message": "The time is in the future."}])
    report = SeismicReport(
        jurisdiction_code=data.jurisdiction_code,
        member_id=member.id if member else None,
        kind=kind.value,
        occurred_at=data.occurred_at,
        month=month if kind is ReportKind.MONTHLY else None,
        location=data.location,
        lon=data.lon,
        lat=data.lat,
        intensity=data.intensity,
        deaths=data.deaths,
        injured=data.injured,
        houses_collapsed=data.houses_collapsed,
        houses_damaged=data.houses_damaged,
        description=data.description,
        client_key=data.client_key,
        reported_by_user_id=principal.user_id,
        reported_by=principal.display_name[:100],
    )
    try:
        with session.begin_nested():  # the unique key decides a race, not a read before the write
            session.add(report)
            session.flush()
    except IntegrityError:
        if data.client_key:
            known = session.scalar(select(SeismicReport).where(SeismicReport.client_key == data.client_key))
            if known is not None:
                return known
        raise MonthlyAlreadySent(month=month) from None
    return report


def add_photo(
    session: Session, principal: Principal, report_id: int, data: bytes, *, upload_dir: Path, max_bytes: int
):
    report = get(session, principal, report_id)
    _may_report(principal, report.jurisdiction_code)
    kind, sha, width, height = store.keep(upload_dir, data, max_bytes)
    found = session.scalar(
        select(SeismicPhoto).where(SeismicPhoto.report_id == report.id, SeismicPhoto.sha256 == sha)
    )
    if found is not None:
        return found
    photo = SeismicPhoto(
        report_id=report.id,
        jurisdiction_code=report.jurisdiction_code,
        sha256=sha,
        content_type=MIME[kind],
        size_bytes=len(data),
        width=width,
        height=height,
    )
    session.add(photo)
    session.flush()
    return photo


def get(session: Session, principal: Principal, report_id: int) -> SeismicReport:
    require(principal, Perm.ORG_READ)
    return visible(principal, session.get(SeismicReport, report_id))


def move(session: Session, principal: Principal, report_id: int, state: str) -> SeismicReport:
    report = get(session, principal, report_id)
    writable(principal, report.jurisdiction_code, Perm.TRAINING_MANAGE)
    wanted = ReportState(state)
    if wanted not in REPORT_MOVES[ReportState(report.state)]:
        raise Conflict()
    report.state = wanted.value
    session.flush()
    return report


def search(
    session: Session, principal: Principal, *, kind: str | None = None, page: int = 1, size: int = 50
) -> Page:
    require(principal, Perm.ORG_READ)
    stmt = select(SeismicReport).where(in_scope(SeismicReport.jurisdiction_code, principal))
    if kind:
        stmt = stmt.where(SeismicReport.kind == kind)
    return paginate(
        session, stmt.order_by(SeismicReport.occurred_at.desc(), SeismicReport.id.desc()), page, size
    )


def outs(session: Session, reports: list[SeismicReport]) -> list[dict]:
    if not reports:
        return []
    codes = {r.jurisdiction_code for r in reports}
    names = dict(
        session.execute(
            select(Jurisdiction.code, Jurisdiction.name).where(Jurisdiction.code.in_(codes))
        ).all()
    )
    ids = [r.id for r in reports]
    photos = dict(
        session.execute(
            select(SeismicPhoto.report_id, func.count())
            .where(SeismicPhoto.report_id.in_(ids))
            .group_by(SeismicPhoto.report_id)
        ).all()
    )
    member_ids = {r.member_id for r in reports if r.member_id}
    members = (
        {
            m.id: m.person.name
            for m in session.scalars(select(SeismicMember).where(SeismicMember.id.in_(member_ids)))
        }
        if member_ids
        else {}
    )
    return [
        {
            "id": r.id,
            "kind": r.kind,
            "kind_label": KIND_LABELS.get(r.kind, r.kind),
            "state": r.state,
            "state_label": STATE_LABELS.get(r.state, r.state),
            "jurisdiction_code": r.jurisdiction_code,
            "jurisdiction_name": names.get(r.jurisdiction_code),
            "member_id": r.member_id,
            "member_name": members.get(r.member_id),
            "occurred_at": r.occurred_at,
            "month": r.month,
            "location": r.location,
            "intensity": r.intensity,
            "deaths": r.deaths,
            "injured": r.injured,
            "houses_collapsed": r.houses_collapsed,
            "houses_damaged": r.houses_damaged,
            "description": r.description,
            "reported_by": r.reported_by,
            "photos": photos.get(r.id, 0),
        }
        for r in reports
    ]

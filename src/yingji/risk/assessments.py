"""Risk points (风险点) of enterprises and public places, and their LEC / LS assessments under the
banding in force at the point's place; the enterprise takes the highest level of its points."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, mask_phone, visible, writable
from yingji.core import clock
from yingji.core.errors import NotFound, ValidationFailed
from yingji.core.pagination import Page, paginate
from yingji.org import places
from yingji.org.models import Jurisdiction
from yingji.risk import enterprises, rules, settings, tables
from yingji.risk.models import Enterprise, RiskAssessment, RiskPoint
from yingji.risk.schemas import AssessmentIn, RiskPointIn


def evaluate(session: Session, code: str, data: AssessmentIn) -> rules.Scored:
    """Score ``data`` under the settings in force at ``code``; bad factors are a 422."""
    local = settings.effective(session, code)
    try:
        return rules.score(
            data.method,
            {"l": data.l, "e": data.e, "c": data.c, "s": data.s},
            lec_mapping=local.lec_mapping,
            ls_banding=local.ls_banding,
        )
    except rules.RuleInputError as exc:
        raise ValidationFailed(details=[{"field": exc.field.lower(), "message": exc.message}]) from None


def search(
    session: Session,
    principal: Principal,
    *,
    enterprise_id: int | None = None,
    public_only: bool = False,
    within: str | None = None,
    level: str | None = None,
    page: int = 1,
    size: int = 50,
) -> Page[RiskPoint]:
    """Active risk points in scope, most serious first."""
    stmt = select(RiskPoint).where(in_scope(RiskPoint.jurisdiction_code, principal), RiskPoint.active)
    if enterprise_id is not None:
        stmt = stmt.where(RiskPoint.enterprise_id == enterprise_id)
    if public_only:
        stmt = stmt.where(RiskPoint.enterprise_id.is_(None))
    stmt = places.narrow(session, principal, stmt, RiskPoint.jurisdiction_code, within)
    if level:
        stmt = stmt.where(RiskPoint.level == level)
    return paginate(session, stmt.order_by(RiskPoint.risk_rank.desc(), RiskPoint.id), page, size)


def get(session: Session, principal: Principal, point_id: int) -> RiskPoint:
    """A risk point the principal can see (404 otherwise)."""
    return visible(principal, session.get(RiskPoint, point_id))


def history(session: Session, point: RiskPoint) -> list[RiskAssessment]:
    """A point's assessments, newest first."""
    return list(
        session.scalars(
            select(RiskAssessment)
            .where(RiskAssessment.risk_point_id == point.id)
            .order_by(RiskAssessment.assessed_at.desc(), RiskAssessment.id.desc())
        )
    )


def create_point(session: Session, principal: Principal, data: RiskPointIn) -> RiskPoint:
    """A risk point of an enterprise (takes its place) or of a public place (needs a kind and a place)."""
    enterprise = None
    if data.enterprise_id is not None:
        enterprise = visible(principal, session.get(Enterprise, data.enterprise_id))
        code = enterprise.jurisdiction_code
    else:
        if data.place_kind not in tables.place_kinds():
            raise ValidationFailed(
                details=[{"field": "place_kind", "message": "Choose the kind of public place."}]
            )
        if not data.jurisdiction_code or session.get(Jurisdiction, data.jurisdiction_code) is None:
            raise ValidationFailed(
                details=[{"field": "jurisdiction_code", "message": "Unknown jurisdiction."}]
            )
        code = data.jurisdiction_code
    writable(principal, code, Perm.RISK_MANAGE)
    point = RiskPoint(
        **data.model_dump(exclude={"jurisdiction_code", "place_kind", "control_level"}),
        place_kind=None if enterprise else data.place_kind,
        jurisdiction_code=code,
        grid_cell_id=enterprise.grid_cell_id if enterprise else None,
        control_level=data.control_level or "team",
        risk_rank=0,
        active=True,
    )
    if enterprise is not None and point.lon is None:
        point.lon, point.lat = enterprise.lon, enterprise.lat
    session.add(point)
    session.flush()
    return point


def assess(session: Session, principal: Principal, point_id: int, data: AssessmentIn) -> RiskAssessment:
    """Record an assessment (append-only) and make it the point's current level."""
    point = session.get(RiskPoint, point_id, with_for_update=True)
    if point is None or not principal.covers(point.jurisdiction_code):
        raise NotFound()
    writable(principal, point.jurisdiction_code, Perm.RISK_MANAGE)
    scored = evaluate(session, point.jurisdiction_code, data)
    now = clock.now()
    row = RiskAssessment(
        risk_point_id=point.id,
        jurisdiction_code=point.jurisdiction_code,
        method=scored.method,
        l_value=data.l,
        e_value=data.e if scored.method == "LEC" else None,
        c_value=data.c if scored.method == "LEC" else None,
        s_value=data.s if scored.method == "LS" else None,
        score=scored.score,
        band=scored.band,
        level=scored.level,
        banding=scored.banding,
        assessed_by_user_id=principal.user_id,
        assessor=principal.display_name,
        assessed_at=now,
        note=data.note,
    )
    session.add(row)
    point.method, point.score, point.level = scored.method, scored.score, scored.level
    point.risk_rank = tables.level_rank(scored.level)
    point.assessed_at = now
    point.control_level = data.control_level or tables.default_control_level(scored.level)
    session.flush()
    if point.enterprise_id is not None:
        enterprises.refresh_risk(session, point.enterprise_id)
        session.flush()
    return row


def point_out(point: RiskPoint, principal: Principal) -> dict:
    """A risk point as the API's JSON shape (numbers masked by role)."""
    return {
        "id": point.id,
        "enterprise_id": point.enterprise_id,
        "place_kind": point.place_kind,
        "name": point.name,
        "jurisdiction_code": point.jurisdiction_code,
        "lon": point.lon,
        "lat": point.lat,
        "hazards": point.hazards,
        "accident_types": point.accident_types,
        "measures": point.measures,
        "control_level": point.control_level,
        "responsible_name": point.responsible_name,
        "responsible_phone": mask_phone(point.responsible_phone, principal),
        "method": point.method,
        "score": point.score,
        "level": point.level,
        "colour": tables.level_colour(point.level),
        "assessed_at": point.assessed_at,
    }


def assessment_out(row: RiskAssessment) -> dict:
    """An assessment as the API's JSON shape."""
    return {
        "id": row.id,
        "risk_point_id": row.risk_point_id,
        "method": row.method,
        "l": row.l_value,
        "e": row.e_value,
        "c": row.c_value,
        "s": row.s_value,
        "score": row.score,
        "band": row.band,
        "level": row.level,
        "colour": tables.level_colour(row.level),
        "banding": row.banding,
        "assessor": row.assessor,
        "assessed_at": row.assessed_at,
        "note": row.note,
    }

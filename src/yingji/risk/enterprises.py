"""The enterprise register (生产经营单位): search, read, create, update — all in scope. The
enforcement class follows the local classification unless it was set by hand."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, mask_phone, visible, writable
from yingji.core.errors import Conflict, NotFound, ValidationFailed
from yingji.core.models import apply_changes
from yingji.core.pagination import Page, paginate
from yingji.org import places
from yingji.org.models import GridCell, Jurisdiction
from yingji.risk import races, rules, settings, tables
from yingji.risk.danger_models import OPEN_STATUSES
from yingji.risk.models import Danger, Enterprise, EnterpriseStatus, RiskPoint
from yingji.risk.schemas import EnterpriseIn, EnterprisePatch


def search(
    session: Session,
    principal: Principal,
    *,
    q: str = "",
    within: str | None = None,
    industry: str | None = None,
    enforcement_class: str | None = None,
    level: str | None = None,
    hazardous: bool | None = None,
    page: int = 1,
    size: int = 50,
) -> Page[Enterprise]:
    """Enterprises in scope, narrowed by place, industry, class, risk level, hazardous chemicals."""
    stmt = select(Enterprise).where(in_scope(Enterprise.jurisdiction_code, principal))
    stmt = places.narrow(session, principal, stmt, Enterprise.jurisdiction_code, within)
    if industry:
        stmt = stmt.where(Enterprise.industry == industry)
    if enforcement_class:
        stmt = stmt.where(Enterprise.enforcement_class == enforcement_class)
    if level:
        stmt = stmt.where(Enterprise.risk_level == level)
    if hazardous:
        stmt = stmt.where(or_(Enterprise.hazardous_chemicals, Enterprise.major_hazard))
    q = (q or "").strip()
    if q:
        stmt = stmt.where(
            Enterprise.credit_code == q.upper()
            if len(q) == 18 and q.isalnum()
            else Enterprise.name.contains(q, autoescape=True)
        )
    return paginate(session, stmt.order_by(Enterprise.jurisdiction_code, Enterprise.id), page, size)


def get(session: Session, principal: Principal, enterprise_id: int) -> Enterprise:
    """An enterprise the principal can see (404 otherwise)."""
    return visible(principal, session.get(Enterprise, enterprise_id))


def grid_cell(session: Session, code: str | None, jurisdiction_code: str) -> int | None:
    """The grid cell named by its code; it must lie in the enterprise's place (or contain it)."""
    if not code:
        return None
    cell = session.scalar(select(GridCell).where(GridCell.code == code.strip()))
    if cell is None or not (
        cell.jurisdiction_code.startswith(jurisdiction_code)
        or jurisdiction_code.startswith(cell.jurisdiction_code)
    ):
        raise ValidationFailed(details=[{"field": "grid_code", "message": "Unknown grid cell."}])
    return cell.id


def _check(session: Session, values: dict) -> None:
    problems = []
    if "industry" in values and values["industry"] not in tables.industries():
        problems.append({"field": "industry", "message": "Unknown industry."})
    if values.get("major_hazard_grade") and not values.get("major_hazard"):
        problems.append({"field": "major_hazard_grade", "message": "A grade needs a major hazard source."})
    if problems:
        raise ValidationFailed(details=problems)


def _place(session: Session, code: str) -> Jurisdiction:
    place = session.get(Jurisdiction, code)
    if place is None:
        raise ValidationFailed(details=[{"field": "jurisdiction_code", "message": "Unknown jurisdiction."}])
    if len(code) < 6:
        raise ValidationFailed(
            details=[{"field": "jurisdiction_code", "message": "Give a county, town or village."}]
        )
    return place


def _credit_free(session: Session, code: str | None, enterprise_id: int | None = None) -> None:
    if not code:
        return
    other = session.scalar(select(Enterprise.id).where(Enterprise.credit_code == code))
    if other is not None and other != enterprise_id:
        raise Conflict("The credit code {code} is already registered.", code=code)


def classify(session: Session, enterprise: Enterprise) -> None:
    """Recompute the enforcement class from the classification in force at its place."""
    if enterprise.class_fixed:
        return
    classification = settings.effective(session, enterprise.jurisdiction_code).enforcement
    enterprise.enforcement_class = rules.classify(facts(enterprise), classification)


def facts(enterprise: Enterprise) -> dict:
    """What the enforcement classification looks at."""
    return {
        "industry": enterprise.industry,
        "scale": enterprise.scale,
        "hazardous_chemicals": enterprise.hazardous_chemicals,
        "major_hazard": enterprise.major_hazard,
    }


def create(session: Session, principal: Principal, data: EnterpriseIn) -> Enterprise:
    """Register an enterprise in the principal's scope (risk.manage)."""
    writable(principal, data.jurisdiction_code, Perm.RISK_MANAGE)
    _place(session, data.jurisdiction_code)
    values = data.model_dump(exclude={"grid_code", "enforcement_class"})
    _check(session, values)
    _credit_free(session, data.credit_code)
    enterprise = Enterprise(
        **values,
        grid_cell_id=grid_cell(session, data.grid_code, data.jurisdiction_code),
        enforcement_class=data.enforcement_class or "D",
        class_fixed=data.enforcement_class is not None,
        status=EnterpriseStatus.ACTIVE,
        risk_rank=0,
    )
    if not data.major_hazard:
        enterprise.major_hazard_grade = None
    classify(session, enterprise)

    def taken() -> Enterprise:
        raise Conflict("The credit code {code} is already registered.", code=data.credit_code)

    return races.insert_once(session, enterprise, taken)


def update(session: Session, principal: Principal, enterprise_id: int, patch: EnterprisePatch) -> Enterprise:
    """Change an enterprise under its row lock (risk.manage)."""
    enterprise = session.get(Enterprise, enterprise_id, with_for_update=True)
    if enterprise is None or not principal.covers(enterprise.jurisdiction_code):
        raise NotFound()
    writable(principal, enterprise.jurisdiction_code, Perm.RISK_MANAGE)
    changes = patch.model_dump(exclude_unset=True)
    merged = facts(enterprise) | {"major_hazard_grade": enterprise.major_hazard_grade} | changes
    _check(session, {k: merged[k] for k in ("industry", "major_hazard", "major_hazard_grade") if k in merged})
    if "credit_code" in changes:
        _credit_free(session, changes["credit_code"], enterprise.id)
    if "grid_code" in changes:
        enterprise.grid_cell_id = grid_cell(session, changes.pop("grid_code"), enterprise.jurisdiction_code)
    if "enforcement_class" in changes:
        chosen = changes.pop("enforcement_class")
        enterprise.class_fixed = chosen is not None
        if chosen is not None:
            enterprise.enforcement_class = chosen
    apply_changes(enterprise, changes)
    if not enterprise.major_hazard:
        enterprise.major_hazard_grade = None
    classify(session, enterprise)
    session.flush()
    return enterprise


def refresh_risk(session: Session, enterprise_id: int) -> None:
    """Set the enterprise's risk level to the highest of its active risk points (row locked)."""
    enterprise = session.get(Enterprise, enterprise_id, with_for_update=True)
    if enterprise is None:
        return
    rank = session.scalar(
        select(func.max(RiskPoint.risk_rank)).where(
            RiskPoint.enterprise_id == enterprise_id, RiskPoint.active
        )
    )
    enterprise.risk_rank = rank or 0
    enterprise.risk_level = tables.level_of_rank(rank or 0)


def open_dangers(session: Session, enterprise_id: int) -> int:
    """How many of the enterprise's hidden dangers are still in the loop."""
    return session.scalar(
        select(func.count()).where(Danger.enterprise_id == enterprise_id, Danger.status.in_(OPEN_STATUSES))
    )


def to_out(enterprise: Enterprise, principal: Principal) -> dict:
    """The API shape: codes, labels, masked numbers for roles that do not need them."""
    return {
        "id": enterprise.id,
        "name": enterprise.name,
        "credit_code": enterprise.credit_code,
        "industry": enterprise.industry,
        "industry_label": tables.industries().get(enterprise.industry, enterprise.industry),
        "scale": enterprise.scale,
        "employees": enterprise.employees,
        "hazardous_chemicals": enterprise.hazardous_chemicals,
        "chemicals": enterprise.chemicals,
        "major_hazard": enterprise.major_hazard,
        "major_hazard_grade": enterprise.major_hazard_grade,
        "address": enterprise.address,
        "lon": enterprise.lon,
        "lat": enterprise.lat,
        "jurisdiction_code": enterprise.jurisdiction_code,
        "grid_cell_id": enterprise.grid_cell_id,
        "principal_name": enterprise.principal_name,
        "principal_phone": mask_phone(enterprise.principal_phone, principal),
        "safety_manager_name": enterprise.safety_manager_name,
        "safety_manager_phone": mask_phone(enterprise.safety_manager_phone, principal),
        "enforcement_class": enterprise.enforcement_class,
        "class_fixed": enterprise.class_fixed,
        "status": enterprise.status,
        "risk_level": enterprise.risk_level,
        "risk_colour": tables.level_colour(enterprise.risk_level),
        "note": enterprise.note,
        "updated_at": enterprise.updated_at,
    }

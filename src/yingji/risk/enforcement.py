"""Planned enforcement (计划执法): the yearly plan of a jurisdiction takes every enterprise of a key
class and a deterministic share of the others (安全生产法 第六十二条); generating it again adds what
is missing (new enterprises), never removes what was planned. Coverage is tracked per class."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.orm import Session

from yingji.auth import audit
from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, writable
from yingji.core import clock
from yingji.core.errors import Conflict, NotFound
from yingji.core.pagination import Page
from yingji.org import places
from yingji.org.codes import ancestors, subtree_bounds
from yingji.risk import races, rules, settings
from yingji.risk.models import EnforcementPlan, Enterprise, EnterpriseStatus, PlanItem

CHUNK = 5000


def _readable(principal: Principal, plan: EnforcementPlan | None) -> EnforcementPlan:
    """A plan of one's area, or of a level above (its items are then shown within one's scope)."""
    if plan is None or not (
        principal.covers(plan.jurisdiction_code)
        or principal.jurisdiction_code.startswith(plan.jurisdiction_code)
    ):
        raise NotFound()
    return plan


def get(session: Session, principal: Principal, plan_id: int) -> EnforcementPlan:
    """A plan of one's area or of a level above (404 otherwise)."""
    return _readable(principal, session.get(EnforcementPlan, plan_id))


def search(session: Session, principal: Principal, *, year: int | None = None) -> list[EnforcementPlan]:
    """Plans of one's area and of the levels above, newest year first."""
    above = [*ancestors(principal.jurisdiction_code), principal.jurisdiction_code]
    stmt = select(EnforcementPlan).where(
        or_(
            in_scope(EnforcementPlan.jurisdiction_code, principal),
            EnforcementPlan.jurisdiction_code.in_(above),
        )
    )
    if year:
        stmt = stmt.where(EnforcementPlan.year == year)
    return list(
        session.scalars(stmt.order_by(EnforcementPlan.year.desc(), EnforcementPlan.jurisdiction_code))
    )


def _busy() -> EnforcementPlan:
    raise Conflict("This was changed at the same time by someone else. Please try again.")


def _months(year: int) -> list[int]:
    today = clock.to_local(clock.now())
    start = today.month if year == today.year else (13 if year < today.year else 1)
    return list(range(start, 13)) or [12]


def generate(session: Session, principal: Principal, code: str, year: int) -> tuple[EnforcementPlan, int]:
    """Make (or complete) the plan of ``code`` for ``year``; returns the plan and the items added."""
    place = places.get(session, principal, code)
    writable(principal, place.code, Perm.RISK_MANAGE)
    classification = settings.effective(session, place.code).enforcement
    plan = session.scalar(
        select(EnforcementPlan)
        .where(EnforcementPlan.jurisdiction_code == place.code, EnforcementPlan.year == year)
        .with_for_update()
    )
    if plan is None:
        plan = races.insert_once(
            session,
            EnforcementPlan(
                year=year,
                jurisdiction_code=place.code,
                name=f"{place.name}{year}年度安全生产监督检查计划",
                classes=classification["classes"],
                generated_at=clock.now(),
                created_by_user_id=principal.user_id,
            ),
            _busy,
        )
    else:
        plan.classes, plan.generated_at = classification["classes"], clock.now()
    session.flush()
    low, high = subtree_bounds(place.code)
    rows = session.execute(
        select(
            Enterprise.id,
            Enterprise.jurisdiction_code,
            Enterprise.industry,
            Enterprise.scale,
            Enterprise.hazardous_chemicals,
            Enterprise.major_hazard,
            Enterprise.enforcement_class,
            Enterprise.class_fixed,
        ).where(
            Enterprise.jurisdiction_code >= low,
            Enterprise.jurisdiction_code < high,
            Enterprise.status != EnterpriseStatus.CLOSED,
        )
    ).all()
    changed: dict[str, list[int]] = defaultdict(list)
    classes: dict[int, str] = {}
    for r in rows:
        cls = r.enforcement_class if r.class_fixed else rules.classify(r._asdict(), classification)
        classes[r.id] = cls
        if cls != r.enforcement_class:
            changed[cls].append(r.id)
    for cls, ids in changed.items():
        for i in range(0, len(ids), CHUNK):
            session.execute(
                update(Enterprise)
                .where(Enterprise.id.in_(ids[i : i + CHUNK]))
                .values(enforcement_class=cls)
                .execution_options(synchronize_session=False)
            )
    have = set(session.scalars(select(PlanItem.enterprise_id).where(PlanItem.plan_id == plan.id)))
    key = rules.key_classes(classification)
    spec = classification["classes"]
    months = _months(year)
    new = []
    for r in sorted(rows, key=lambda r: (classes[r.id], r.id)):
        cls = classes[r.id]
        if r.id in have or not (cls in key or rules.sampled(year, r.id, float(spec[cls]["ratio"]))):
            continue
        new.append(
            {
                "plan_id": plan.id,
                "enterprise_id": r.id,
                "jurisdiction_code": r.jurisdiction_code,
                "enforcement_class": cls,
                "reason": "key" if cls in key else "sampled",
                "planned_month": months[len(new) % len(months)],
            }
        )
    for i in range(0, len(new), CHUNK):
        session.execute(insert(PlanItem), new[i : i + CHUNK])
    audit.record(
        session,
        "generate",
        "risk_enforcement_plans",
        plan.id,
        jurisdiction_code=place.code,
        after={"year": year, "added": len(new), "reclassified": sum(len(v) for v in changed.values())},
    )
    return plan, len(new)


def coverage(session: Session, principal: Principal, plan: EnforcementPlan) -> dict:
    """Per class, within the principal's view of the plan: enterprises, planned, inspected; and how
    many key-class enterprises the plan misses (0 once generated)."""
    low, high = subtree_bounds(plan.jurisdiction_code)
    in_area = (Enterprise.jurisdiction_code >= low) & (Enterprise.jurisdiction_code < high)
    scope = in_scope(Enterprise.jurisdiction_code, principal)
    totals = dict(
        session.execute(
            select(Enterprise.enforcement_class, func.count())
            .where(in_area, scope, Enterprise.status != EnterpriseStatus.CLOSED)
            .group_by(Enterprise.enforcement_class)
        ).all()
    )
    planned: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for cls, done, n in session.execute(
        select(PlanItem.enforcement_class, PlanItem.inspection_id.is_not(None), func.count())
        .where(PlanItem.plan_id == plan.id, in_scope(PlanItem.jurisdiction_code, principal))
        .group_by(PlanItem.enforcement_class, PlanItem.inspection_id.is_not(None))
    ):
        planned[cls][0] += n
        planned[cls][1] += n if done else 0
    key = {c for c, spec in plan.classes.items() if spec.get("key")}
    missing = session.scalar(
        select(func.count()).where(
            in_area,
            scope,
            Enterprise.status != EnterpriseStatus.CLOSED,
            Enterprise.enforcement_class.in_(key),
            Enterprise.id.not_in(select(PlanItem.enterprise_id).where(PlanItem.plan_id == plan.id)),
        )
    )
    rows = []
    for cls in sorted(plan.classes):
        total, (n_planned, done) = totals.get(cls, 0), planned.get(cls, [0, 0])
        rows.append(
            {
                "class": cls,
                "key": cls in key,
                "enterprises": total,
                "planned": n_planned,
                "inspected": done,
                "planned_rate": round(n_planned / total, 4) if total else None,
                "inspected_rate": round(done / n_planned, 4) if n_planned else None,
            }
        )
    return {"classes": rows, "key_missing": missing or 0}


def items(
    session: Session, principal: Principal, plan: EnforcementPlan, *, month: int | None = None, page: int = 1
) -> Page:
    """One page of a plan's items in the principal's scope, by month."""
    stmt = (
        select(PlanItem, Enterprise.name)
        .join(Enterprise, Enterprise.id == PlanItem.enterprise_id)
        .where(PlanItem.plan_id == plan.id, in_scope(PlanItem.jurisdiction_code, principal))
    )
    if month:
        stmt = stmt.where(PlanItem.planned_month == month)
    stmt = stmt.order_by(PlanItem.planned_month, PlanItem.enforcement_class, PlanItem.id)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.execute(stmt.limit(50).offset((max(page, 1) - 1) * 50)).all()
    return Page(items=[(item, name) for item, name in rows], total=total, page=max(page, 1), size=50)


def link_inspection(
    session: Session, enterprise: Enterprise, inspection_id: int, year: int
) -> PlanItem | None:
    """Count an inspection toward the first open item of the enterprise in that year's plans."""
    item = session.scalar(
        select(PlanItem)
        .join(EnforcementPlan, EnforcementPlan.id == PlanItem.plan_id)
        .where(
            PlanItem.enterprise_id == enterprise.id,
            EnforcementPlan.year == year,
            PlanItem.inspection_id.is_(None),
        )
        .order_by(PlanItem.id)
        .limit(1)
        .with_for_update(of=PlanItem)
    )
    if item is not None:
        item.inspection_id, item.done_at = inspection_id, clock.now()
    return item

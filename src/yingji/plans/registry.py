"""The plan registry: search, read, register and change plans — all in scope. Anyone who sees a
place sees its plans; registering and changing them needs ``plans.manage`` inside one's
jurisdiction (403 outside, 404 for a plan one cannot see). The lifecycle is in ``lifecycle.py``."""

from __future__ import annotations

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, visible, writable
from yingji.core.errors import Conflict, NotFound, ValidationFailed
from yingji.core.i18n import N_, current_locale, gettext
from yingji.core.pagination import Page, paginate
from yingji.org import places
from yingji.org.models import Jurisdiction, Unit
from yingji.plans import clocks
from yingji.plans.codes import DUE_CLOCKS, IN_FORCE, PlanKind, PlanState, VersionStatus
from yingji.plans.labels import KIND_LABELS, STATE_LABELS
from yingji.plans.models import Plan, PlanClock, PlanEvent, PlanMember, PlanVersion
from yingji.plans.schemas import PlanIn, PlanMemberIn, PlanPatch
from yingji.rules.grading import categories

ENTERPRISE_KINDS = {PlanKind.ENTERPRISE_COMPREHENSIVE, PlanKind.ENTERPRISE_SPECIAL, PlanKind.ONSITE_PROCEDURE}


def category_names() -> dict[str, tuple[str, str]]:
    """Category and subcategory codes → (zh, en)."""
    out = {}
    for c in categories()["categories"]:
        out[c["code"]] = (c["zh"], c["en"])
        for s in c["subcategories"]:
            out[s["code"]] = (s["zh"], s["en"])
    return out


def search(
    session: Session,
    principal: Principal,
    *,
    q: str = "",
    within: str | None = None,
    kind: str | None = None,
    state: str | None = None,
    category: str | None = None,
    overdue: bool = False,
    page: int = 1,
    size: int = 50,
) -> Page[Plan]:
    """Plans in scope, narrowed by place, kind, state, event category, name/code, overdue clocks."""
    stmt = select(Plan).where(in_scope(Plan.jurisdiction_code, principal))
    stmt = places.narrow(session, principal, stmt, Plan.jurisdiction_code, within)
    if kind:
        stmt = stmt.where(Plan.kind == kind)
    if state == "in_force":
        stmt = stmt.where(Plan.state.in_([s.value for s in IN_FORCE]))
    elif state:
        stmt = stmt.where(Plan.state == state)
    q = (q or "").strip()
    if q:
        stmt = stmt.where(
            or_(
                Plan.title.contains(q, autoescape=True),
                Plan.code.startswith(q, autoescape=True),
                Plan.doc_number.contains(q, autoescape=True),
            )
        )
    if overdue:
        late = select(PlanClock.plan_id).where(
            PlanClock.state.in_(DUE_CLOCKS), PlanClock.due_on < clocks.today()
        )
        stmt = stmt.where(Plan.id.in_(late))
    if category:
        rows = session.execute(stmt.with_only_columns(Plan.id, Plan.event_categories)).all()
        ids = [
            i for i, cats in rows if any(c == category or c.startswith(category + ".") for c in cats or [])
        ]
        stmt = select(Plan).where(Plan.id.in_(ids or [-1]))
    return paginate(session, stmt.order_by(Plan.jurisdiction_code, Plan.kind, Plan.id), page, size)


def get(session: Session, principal: Principal, plan_id: int, *, lock: bool = False) -> Plan:
    options = {"with_for_update": True, "populate_existing": True} if lock else {}
    plan = session.get(Plan, plan_id, **options)
    if plan is None:
        raise NotFound()
    return visible(principal, plan)


_bad = ValidationFailed.on  # one field refused with its message


def _unit(session: Session, principal: Principal, unit_id: int | None, field: str) -> Unit | None:
    if unit_id is None:
        return None
    unit = session.get(Unit, unit_id)
    # a unit of one's own area, or of a level above (a county department in a town's plan)
    if unit is None or not (
        principal.covers(unit.jurisdiction_code) or unit.jurisdiction_code in _up(principal.jurisdiction_code)
    ):
        raise _bad(field, N_("Unknown unit."))
    return unit


def _up(code: str) -> list[str]:
    return [code[:n] for n in (2, 4, 6, 9, 12) if n <= len(code)]


def _check_refs(session: Session, principal: Principal, values: dict, plan: Plan | None = None) -> None:
    kind = values.get("kind") or (plan.kind if plan else None)
    for field in ("issuer_unit_id", "lead_unit_id", "hq_unit_id"):
        if field in values:
            _unit(session, principal, values[field], field)
    if "event_categories" in values:
        known = category_names()
        unknown = [c for c in values["event_categories"] if c not in known]
        if unknown:
            raise _bad("event_categories", N_("Unknown event category."))
        values["event_categories"] = list(dict.fromkeys(values["event_categories"]))
    if values.get("parent_id") is not None:
        parent = session.get(Plan, values["parent_id"])
        if parent is None or (plan is not None and parent.id == plan.id):
            raise _bad("parent_id", N_("Unknown parent plan."))
        code = values.get("jurisdiction_code") or plan.jurisdiction_code
        if not code.startswith(parent.jurisdiction_code):
            raise _bad("parent_id", N_("The parent plan must be of the same or a higher level."))
        seen, p = set(), parent
        while p is not None and plan is not None:
            if p.id == plan.id or p.id in seen:
                raise _bad("parent_id", N_("A plan cannot be its own parent."))
            seen.add(p.id)
            p = session.get(Plan, p.parent_id) if p.parent_id else None
    if (
        kind in ENTERPRISE_KINDS
        and "enterprise_id" in values
        and values["enterprise_id"] is None
        and plan is None
    ):
        raise _bad("enterprise_id", N_("An enterprise plan names its enterprise."))
    if values.get("enterprise_id") is not None:
        from yingji.risk.models import Enterprise

        ent = session.get(Enterprise, values["enterprise_id"])
        if ent is None or not principal.covers(ent.jurisdiction_code):
            raise _bad("enterprise_id", N_("Unknown enterprise."))


def _set_members(session: Session, principal: Principal, plan: Plan, members: list[PlanMemberIn]) -> None:
    seen = set()
    for m in members:
        if m.unit_id in seen:
            raise _bad("members", N_("A unit is listed twice."))
        seen.add(m.unit_id)
        _unit(session, principal, m.unit_id, "members")
    session.execute(delete(PlanMember).where(PlanMember.plan_id == plan.id))
    session.expire(plan, ["members"])
    for i, m in enumerate(members):
        session.add(
            PlanMember(
                plan_id=plan.id,
                unit_id=m.unit_id,
                role=m.role,
                duties=m.duties,
                sort=i,
                jurisdiction_code=plan.jurisdiction_code,
            )
        )


def event(session: Session, principal: Principal, plan: Plan, action: str, before: str | None, comment=None):
    session.add(
        PlanEvent(
            plan_id=plan.id,
            version_no=plan.version_no,
            action=action,
            from_state=before,
            to_state=plan.state,
            comment=comment,
            actor=principal.display_name[:120],
            user_id=principal.user_id,
            jurisdiction_code=plan.jurisdiction_code,
        )
    )


def create(session: Session, principal: Principal, data: PlanIn) -> Plan:
    """Register a plan in drafting (its version 1)."""
    writable(principal, data.jurisdiction_code, Perm.PLANS_MANAGE)
    if session.get(Jurisdiction, data.jurisdiction_code) is None:
        raise _bad("jurisdiction_code", N_("Unknown jurisdiction."))
    if session.scalar(select(Plan.id).where(Plan.code == data.code)) is not None:
        raise Conflict("The plan code {code} is already registered.", code=data.code)
    values = data.model_dump(exclude={"members"})
    values["kind"] = str(data.kind)
    _check_refs(session, principal, values)
    plan = Plan(**values, state=PlanState.DRAFTING.value, version_no=1)
    session.add(plan)
    session.flush()
    session.add(
        PlanVersion(
            plan_id=plan.id,
            version_no=1,
            status=VersionStatus.DRAFT,
            jurisdiction_code=plan.jurisdiction_code,
        )
    )
    _set_members(session, principal, plan, data.members)
    event(session, principal, plan, "create", None)
    session.flush()
    return plan


def update(session: Session, principal: Principal, plan_id: int, patch: PlanPatch) -> Plan:
    """Change what the registry says about a plan (not its state: see the lifecycle)."""
    plan = get(session, principal, plan_id, lock=True)
    writable(principal, plan.jurisdiction_code, Perm.PLANS_MANAGE)
    if plan.state == PlanState.REPEALED:
        raise Conflict("A repealed plan cannot be changed.")
    changes = patch.model_dump(exclude_unset=True, exclude={"members"})
    _check_refs(session, principal, changes, plan)
    for k, v in changes.items():
        setattr(plan, k, v)
    if patch.members is not None:
        _set_members(session, principal, plan, patch.members)
    event(session, principal, plan, "update", plan.state)
    session.flush()
    return plan


# -- reading out ------------------------------------------------------------------------------
def names(session: Session, plans: list[Plan]) -> dict:
    """Place, unit and parent names of a page of plans, in three queries."""
    codes = {p.jurisdiction_code for p in plans}
    units = {u for p in plans for u in (p.lead_unit_id, p.hq_unit_id) if u}
    parents = {p.parent_id for p in plans if p.parent_id}
    out = {"places": {}, "units": {}, "parents": {}, "overdue": {}}
    if codes:
        out["places"] = dict(
            session.execute(
                select(Jurisdiction.code, Jurisdiction.name).where(Jurisdiction.code.in_(codes))
            ).all()
        )
    if units:
        out["units"] = dict(session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(units))).all())
    if parents:
        out["parents"] = dict(session.execute(select(Plan.id, Plan.title).where(Plan.id.in_(parents))).all())
    ids = [p.id for p in plans]
    if ids:
        rows = session.execute(
            select(PlanClock.plan_id, PlanClock.kind).where(
                PlanClock.plan_id.in_(ids),
                PlanClock.state.in_(DUE_CLOCKS),
                PlanClock.due_on < clocks.today(),
            )
        ).all()
        for pid, kind in rows:
            out["overdue"].setdefault(pid, []).append(kind)
    return out


def to_out(plan: Plan, ref: dict) -> dict:
    cat = category_names()
    zh = current_locale().startswith("zh")
    labels = [cat.get(c, (c, c))[0 if zh else 1] for c in plan.event_categories or []]
    return {
        "id": plan.id,
        "code": plan.code,
        "title": plan.title,
        "kind": plan.kind,
        "kind_label": gettext(KIND_LABELS[PlanKind(plan.kind)]),
        "jurisdiction_code": plan.jurisdiction_code,
        "jurisdiction_name": ref["places"].get(plan.jurisdiction_code, plan.jurisdiction_code),
        "issuer": plan.issuer,
        "issuer_unit_id": plan.issuer_unit_id,
        "lead_unit_id": plan.lead_unit_id,
        "lead_unit_name": ref["units"].get(plan.lead_unit_id),
        "hq_unit_id": plan.hq_unit_id,
        "hq_unit_name": ref["units"].get(plan.hq_unit_id),
        "enterprise_id": plan.enterprise_id,
        "event_categories": list(plan.event_categories or []),
        "event_category_labels": labels,
        "parent_id": plan.parent_id,
        "parent_title": ref["parents"].get(plan.parent_id),
        "state": plan.state,
        "state_label": gettext(STATE_LABELS[PlanState(plan.state)]),
        "in_force": PlanState(plan.state) in IN_FORCE,
        "version_no": plan.version_no,
        "doc_number": plan.doc_number,
        "issued_on": plan.issued_on,
        "published_on": plan.published_on,
        "filed_on": plan.filed_on,
        "evaluated_on": plan.evaluated_on,
        "note": plan.note,
        "overdue": sorted(ref["overdue"].get(plan.id, [])),
        "updated_at": plan.updated_at,
    }

"""Per-jurisdiction rule overrides: manage them (in scope, audited) and build the effective tables."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, visible, writable
from yingji.core import clock
from yingji.core.errors import Conflict, NotFound, ValidationFailed
from yingji.core.i18n import N_
from yingji.org import codes
from yingji.org.models import Jurisdiction
from yingji.rules import tables
from yingji.rules.models import RuleOverride
from yingji.rules.schemas import OverrideIn, OverrideOut

ROW_PARENTS = frozenset({"steps", "common_steps", "thresholds", "subjects"})


def _provenance(row: RuleOverride) -> dict:
    return {
        "id": row.id,
        "jurisdiction_code": row.jurisdiction_code,
        "version": row.version,
        "valid_from": row.valid_from.isoformat() if row.valid_from else None,
        "source": row.source,
    }


def _in_force(session: Session, code: str, at: datetime) -> list[RuleOverride]:
    """Per place (the code and its ancestors) and table, the latest override in force at ``at``."""
    places = [*codes.ancestors(code), code]
    rows = session.scalars(
        select(RuleOverride)
        .where(RuleOverride.jurisdiction_code.in_(places), RuleOverride.valid_from <= at)
        .order_by(RuleOverride.valid_from, RuleOverride.id)
    ).all()
    latest = {(r.jurisdiction_code, r.table_name): r for r in rows}
    return sorted(latest.values(), key=lambda r: len(r.jurisdiction_code))


def tables_for(session: Session, jurisdiction_code: str, at: datetime | None = None) -> dict[str, dict]:
    """The effective rule tables of a place: national tables + its ancestors' overrides, nearest wins."""
    chosen = _in_force(session, jurisdiction_code, at or clock.now())
    return {
        name: tables.effective(name, [(r.data, _provenance(r)) for r in chosen if r.table_name == name])
        for name in tables.TABLE_NAMES
    }


def check_related(principal: Principal, code: str) -> None:
    """Rules of a place the principal works in, above or below: else 404 (we do not confirm it)."""
    own = principal.jurisdiction_code
    if not (code.startswith(own) or own.startswith(code)):
        raise NotFound()


def to_out(row: RuleOverride) -> OverrideOut:
    """The API shape of an override."""
    return OverrideOut(
        id=row.id,
        jurisdiction_code=row.jurisdiction_code,
        table_name=row.table_name,
        version=row.version,
        valid_from=row.valid_from,
        data=row.data,
        source=row.source,
        note=row.note,
        created_by=row.created_by,
        created_at=row.created_at,
    )


def search(
    session: Session, principal: Principal, *, within: str | None = None, table_name: str | None = None
) -> list[RuleOverride]:
    """Overrides set for places in the principal's scope (optionally under ``within``, one table)."""
    stmt = select(RuleOverride).where(in_scope(RuleOverride.jurisdiction_code, principal))
    if within:
        if not principal.covers(within):
            raise NotFound()
        low, high = codes.subtree_bounds(within)
        stmt = stmt.where(RuleOverride.jurisdiction_code >= low, RuleOverride.jurisdiction_code < high)
    if table_name:
        stmt = stmt.where(RuleOverride.table_name == table_name)
    order = (
        RuleOverride.jurisdiction_code,
        RuleOverride.table_name,
        RuleOverride.valid_from,
        RuleOverride.id,
    )
    return list(session.scalars(stmt.order_by(*order)).all())


def get(session: Session, principal: Principal, override_id: int) -> RuleOverride:
    """One override in scope (404 outside)."""
    return visible(principal, session.get(RuleOverride, override_id))


def _unknown_paths(overlay: dict, base: dict, path: str = "") -> list[dict]:
    problems = []
    for key, value in overlay.items():
        where = f"{path}.{key}" if path else str(key)
        if path.rsplit(".", 1)[-1] in ROW_PARENTS:
            continue  # new thresholds and steps are allowed; validate() checks their shape
        if key not in base:
            problems.append({"field": f"data.{where}", "message": N_("This rule table has no such entry.")})
        elif isinstance(value, dict) and isinstance(base[key], dict):
            problems += _unknown_paths(value, base[key], where)
    return problems


def check_data(session: Session, data: OverrideIn, valid_from: datetime) -> None:
    """Reject an override whose table, once applied over its ancestors' rules, is not usable."""
    tables.check_overlay_shape(data.data)
    problems = _unknown_paths(data.data, tables.base(data.table_name))
    if problems:
        raise ValidationFailed(details=problems)
    above = [
        (r.data, _provenance(r))
        for r in _in_force(session, data.jurisdiction_code, valid_from)
        if r.table_name == data.table_name and r.jurisdiction_code != data.jurisdiction_code
    ]
    merged = tables.effective(data.table_name, [*above, (data.data, {"source": data.source})])
    tables.validate(data.table_name, merged)


def create(session: Session, principal: Principal, data: OverrideIn) -> RuleOverride:
    """Add an override (Perm.RULES_MANAGE in the place's subtree); audited by the session listener."""
    writable(principal, data.jurisdiction_code, Perm.RULES_MANAGE)
    if session.get(Jurisdiction, data.jurisdiction_code) is None:
        raise ValidationFailed(details=[{"field": "jurisdiction_code", "message": "Unknown jurisdiction."}])
    valid_from = data.valid_from or clock.now()
    check_data(session, data, valid_from)
    taken = session.scalar(
        select(RuleOverride.id).where(
            RuleOverride.jurisdiction_code == data.jurisdiction_code,
            RuleOverride.table_name == data.table_name,
            RuleOverride.version == data.version,
        )
    )
    if taken is not None:
        raise Conflict("Version {version} of this rule table already exists here.", version=data.version)
    row = RuleOverride(
        jurisdiction_code=data.jurisdiction_code,
        table_name=data.table_name,
        version=data.version,
        valid_from=valid_from,
        data=data.data,
        source=data.source,
        note=data.note,
        created_by_id=principal.user_id,
        created_by=principal.username,
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(
            "Version {version} of this rule table already exists here.", version=data.version
        ) from None
    return row


def delete(session: Session, principal: Principal, override_id: int) -> None:
    """Remove an override (Perm.RULES_MANAGE in its place's subtree); audited."""
    row = get(session, principal, override_id)
    writable(principal, row.jurisdiction_code, Perm.RULES_MANAGE)
    session.delete(row)
    session.flush()

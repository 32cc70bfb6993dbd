"""Alarm rules of a jurisdiction (for its subtree) or of one point: list, create, change, delete; and the
rule book the ingest evaluates (rebuilt when the rules table changes)."""

from __future__ import annotations

import threading

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, visible, writable
from yingji.core.db import database_url
from yingji.core.errors import NotFound, ValidationFailed
from yingji.core.models import apply_changes
from yingji.monitoring import catalog
from yingji.monitoring.evaluate import Rule, RuleBook, default_rules
from yingji.monitoring.models import AlarmRule, HazardPoint
from yingji.monitoring.schemas import RuleIn, RulePatch
from yingji.org.models import Jurisdiction

_lock = threading.Lock()
_books: dict[str, tuple[tuple, list[Rule]]] = {}


def as_rule(row: AlarmRule) -> Rule:
    """An enabled rule row as the rule book evaluates it."""
    return Rule(
        key=f"rule:{row.id}",
        rule_id=row.id,
        sensor_kind=row.sensor_kind,
        metric=row.metric,
        direction=row.direction,
        raise_at=row.raise_at,
        clear_at=row.clear_at,
        level=row.level,
        action=row.action,
        source="point" if row.hazard_point_id else "place",
        jurisdiction_code=row.jurisdiction_code,
        hazard_point_id=row.hazard_point_id,
        basis=row.basis or "",
    )


def book(session: Session) -> RuleBook:
    """A fresh rule book over the enabled rules; the rows are re-read only when the table changed."""
    version = tuple(session.execute(select(func.count(), func.max(AlarmRule.updated_at))).one())
    key = database_url(session)
    with _lock:
        cached = _books.get(key)
    if cached is None or cached[0] != version:
        rows = session.scalars(select(AlarmRule).where(AlarmRule.enabled)).all()
        cached = (version, [as_rule(r) for r in rows])
        with _lock:
            _books[key] = cached
    return RuleBook(cached[1])


def _check(data: RuleIn | RulePatch, kind: str | None, metric: str | None) -> None:
    problems = []
    row = catalog.sensor_kind(kind) if kind else None
    if kind is not None and row is None:
        problems.append({"field": "sensor_kind", "message": "Unknown sensor kind."})
    if row is not None and metric is not None and metric not in row["metrics"]:
        problems.append({"field": "metric", "message": "This sensor kind cannot be watched this way."})
    raise_at, clear_at, direction = data.raise_at, data.clear_at, data.direction
    given = raise_at is not None and clear_at is not None and direction is not None
    if given and (
        (direction == "above" and clear_at > raise_at) or (direction == "below" and clear_at < raise_at)
    ):
        problems.append({"field": "clear_at", "message": "The clear level must lie on the safe side."})
    if problems:
        raise ValidationFailed(details=problems)


def search(session: Session, principal: Principal, *, point_id: int | None = None) -> list[AlarmRule]:
    """Rules of places and points in scope (optionally of one point)."""
    stmt = select(AlarmRule).where(in_scope(AlarmRule.jurisdiction_code, principal))
    if point_id is not None:
        stmt = stmt.where(AlarmRule.hazard_point_id == point_id)
    return list(
        session.scalars(stmt.order_by(AlarmRule.jurisdiction_code, AlarmRule.sensor_kind, AlarmRule.id))
    )


def effective_for(session: Session, principal: Principal, point: HazardPoint, kind: str) -> list[Rule]:
    """The rules a sensor of ``kind`` at ``point`` is evaluated with (for the point page)."""
    return book(session).for_sensor(kind, point.id, point.jurisdiction_code)


def defaults() -> list[Rule]:
    """The packaged default rules."""
    return default_rules()


def create(session: Session, principal: Principal, data: RuleIn) -> AlarmRule:
    """A rule for a point (``hazard_point_id``) or for a jurisdiction's subtree."""
    if data.hazard_point_id is not None:
        point = visible(principal, session.get(HazardPoint, data.hazard_point_id))
        code = point.jurisdiction_code
    else:
        code = data.jurisdiction_code or principal.jurisdiction_code
        if session.get(Jurisdiction, code) is None:
            raise ValidationFailed(
                details=[{"field": "jurisdiction_code", "message": "Unknown jurisdiction."}]
            )
    writable(principal, code, Perm.MONITORING_MANAGE)
    _check(data, data.sensor_kind, data.metric)
    rule = AlarmRule(**data.model_dump(exclude={"jurisdiction_code"}), jurisdiction_code=code)
    session.add(rule)
    session.flush()
    return rule


def get(session: Session, principal: Principal, rule_id: int) -> AlarmRule:
    """One rule in scope (404 outside)."""
    return visible(principal, session.get(AlarmRule, rule_id))


def update(session: Session, principal: Principal, rule_id: int, patch: RulePatch) -> AlarmRule:
    """Change a rule's levels, colour, action or state (403 outside, needs monitoring.manage)."""
    rule = session.get(AlarmRule, rule_id, with_for_update=True)
    if rule is None:
        raise NotFound()
    visible(principal, rule)
    writable(principal, rule.jurisdiction_code, Perm.MONITORING_MANAGE)
    changes = patch.model_dump(exclude_unset=True)
    merged = RulePatch(**{f: changes.get(f, getattr(rule, f)) for f in ("raise_at", "clear_at", "direction")})
    _check(merged, rule.sensor_kind, changes.get("metric"))
    apply_changes(rule, changes)
    session.flush()
    return rule


def delete(session: Session, principal: Principal, rule_id: int) -> None:
    """Remove a rule: the defaults or the place's rules apply again."""
    rule = session.get(AlarmRule, rule_id)
    if rule is None:
        raise NotFound()
    visible(principal, rule)
    writable(principal, rule.jurisdiction_code, Perm.MONITORING_MANAGE)
    session.delete(rule)
    session.flush()

"""Units and their responsibility lists: import keyed by unit code, parents resolved last."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, require
from yingji.core.deadline import paced
from yingji.core.i18n import N_
from yingji.org import codes, topics
from yingji.org.exchange import common
from yingji.org.exchange.common import UNITS, ImportResult, RowErrors, column, label_lookup, required_present
from yingji.org.models import Responsibility, Unit
from yingji.org.sheets import read
from yingji.org.units import UNIT_KINDS, _set_responsibilities


def import_units(session: Session, principal: Principal, data: bytes) -> ImportResult:
    require(principal, Perm.IMPORT)
    rows = read(data, UNITS)
    errors = RowErrors()
    kinds = label_lookup(UNIT_KINDS)
    topic_of = {}  # a code, its label, or one of its words (防汛抗旱 → flood_drought)
    for t in topics.all_topics().values():
        topic_of.update({kw: t.code for kw in t.keywords} | {t.zh: t.code, t.en: t.code, t.code: t.code})
    in_file = {r["code"] for _, r in rows if r["code"]}
    existing = {u.code: u for u in session.scalars(select(Unit).where(Unit.code.in_(in_file)))}
    parents_known = set(existing) | {
        c
        for c in session.scalars(select(Unit.code).where(Unit.code.in_({r["parent_code"] for _, r in rows})))
    }
    repeats = common.Repeats(errors, UNITS, "code", N_("The same code is already on row {other}."))
    plan = []
    for rownum, r in paced(rows):
        if not required_present(errors, rownum, UNITS, r) or repeats.seen(rownum, r["code"], r["code"]):
            continue
        kind = kinds.get(r["kind"])
        if kind is None:
            errors.add(rownum, column(UNITS, "kind"), r["kind"], "Unknown unit kind.")
            continue
        topic = None
        if r["topic"]:
            topic = topic_of.get(r["topic"])
            if topic is None:
                errors.add(rownum, column(UNITS, "topic"), r["topic"], "Unknown topic.")
                continue
        if r["parent_code"] and r["parent_code"] not in parents_known | in_file:
            errors.add(rownum, column(UNITS, "parent_code"), r["parent_code"], "Unknown unit code.")
            continue
        code = common.row_place(session, principal, errors, rownum, UNITS, r, Perm.ORG_WRITE)
        if code is None:
            continue
        unit = existing.get(r["code"])
        if unit is not None and not principal.covers(unit.jurisdiction_code):
            errors.add(rownum, column(UNITS, "code"), r["code"], "This is outside your jurisdiction.")
            continue
        plan.append((r, kind, topic, code))
    errors.raise_if_any()

    result = ImportResult()
    by_code = dict(existing)
    for r, kind, topic, code in paced(plan):
        values = {
            "name": r["name"],
            "kind": kind,
            "topic": topic,
            "jurisdiction_code": code,
            "duty_phone": r["duty_phone"] or None,
            "address": r["address"] or None,
        }
        unit = by_code.get(r["code"])
        if unit is None:
            unit = Unit(code=r["code"], **values)
            session.add(unit)
            session.flush()
            by_code[unit.code] = unit
            result.created += 1
            changed = True
        else:
            changed = common.update(unit, values)
        lines = [x.strip() for x in r["responsibilities"].replace("；", "\n").splitlines() if x.strip()]
        if lines and lines != [x.text for x in unit.responsibilities]:
            _set_responsibilities(session, unit, lines)
            changed = True
        if unit.id in {u.id for u in existing.values()}:
            result.tally(changed)
    session.flush()
    for r, *_ in plan:  # parents after all units exist, so a file may list children first
        if r["parent_code"]:
            unit = by_code[r["code"]]
            parent = by_code.get(r["parent_code"]) or session.scalar(
                select(Unit).where(Unit.code == r["parent_code"])
            )
            if unit.parent_id != parent.id:
                unit.parent_id = parent.id
    session.flush()
    return result


def _units_query(principal: Principal, within: str | None):
    require(principal, Perm.EXPORT)
    parent = aliased(Unit)
    stmt = (
        select(
            Unit.id,
            Unit.code,
            Unit.name,
            Unit.kind,
            Unit.topic,
            parent.code.label("parent_code"),
            Unit.jurisdiction_code,
            Unit.duty_phone,
            Unit.address,
        )
        .outerjoin(parent, parent.id == Unit.parent_id)
        .where(in_scope(Unit.jurisdiction_code, principal))
    )
    if within:
        stmt = stmt.where(Unit.jurisdiction_code.startswith(within))
    return stmt


def count_units(session: Session, principal: Principal, within: str | None = None) -> int:
    return common.count_of(session, _units_query(principal, within))


def export_units(session: Session, principal: Principal, within: str | None = None) -> Iterator[dict]:
    """Units in scope with their responsibility lists, in batches from a server-side cursor."""
    stmt = _units_query(principal, within).order_by(Unit.jurisdiction_code, Unit.sort, Unit.id)
    return _unit_rows(session, session.execute(stmt.execution_options(yield_per=1000)).partitions())


def _unit_rows(session: Session, batches) -> Iterator[dict]:
    for batch in batches:
        lists: dict[int, list[str]] = {}
        found = (
            select(Responsibility.unit_id, Responsibility.text)
            .where(Responsibility.unit_id.in_([u.id for u in batch]))
            .order_by(Responsibility.unit_id, Responsibility.seq, Responsibility.id)
        )
        for unit_id, text in session.execute(found):
            lists.setdefault(unit_id, []).append(text)
        for u in batch:
            yield {
                "code": u.code,
                "name": u.name,
                "kind": u.kind,
                "topic": u.topic,
                "parent_code": u.parent_code,
                "jurisdiction_code": codes.division_code_12(u.jurisdiction_code),
                "duty_phone": u.duty_phone,
                "address": u.address,
                "responsibilities": lists.get(u.id, []),
            }

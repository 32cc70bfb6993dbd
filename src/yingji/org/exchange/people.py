"""People and their posts: import keyed by mobile number, export with masking."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, mask_phone, require
from yingji.core.deadline import paced
from yingji.org import codes
from yingji.org.exchange.common import (
    GENDER_WORDS,
    PEOPLE,
    ImportResult,
    RowErrors,
    column,
    label_lookup,
    place_code,
    required_present,
)
from yingji.org.models import Jurisdiction, Person, Position, Unit
from yingji.org.schemas import check_mobile
from yingji.org.sheets import read
from yingji.org.units import POSITION_ROLES


def import_people(session: Session, principal: Principal, data: bytes) -> ImportResult:
    require(principal, Perm.IMPORT)
    rows = read(data, PEOPLE)
    errors = RowErrors()
    roles = label_lookup(POSITION_ROLES)
    seen_mobiles: dict[str, int] = {}
    plan = []
    unit_codes = {r["unit_code"] for _, r in rows if r["unit_code"]}
    units = {u.code: u for u in session.scalars(select(Unit).where(Unit.code.in_(unit_codes)))}
    for rownum, r in paced(rows):
        if not required_present(errors, rownum, PEOPLE, r):
            continue
        try:
            mobile = check_mobile(r["mobile"])
        except ValueError:
            errors.add(rownum, column(PEOPLE, "mobile"), r["mobile"], "Not a mainland mobile number.")
            continue
        if mobile in seen_mobiles:
            errors.add(
                rownum,
                column(PEOPLE, "mobile"),
                r["mobile"],
                "The same mobile number is already on row {other}.",
                other=seen_mobiles[mobile],
            )
            continue
        seen_mobiles[mobile] = rownum
        if r["gender"] not in GENDER_WORDS:
            errors.add(rownum, column(PEOPLE, "gender"), r["gender"], "Write 男 or 女.")
            continue
        if len(r["name"]) > 60:
            errors.add(rownum, column(PEOPLE, "name"), r["name"], "Too long.")
            continue
        code = place_code(
            session,
            principal,
            errors,
            rownum,
            column(PEOPLE, "jurisdiction_code"),
            r["jurisdiction_code"],
            Perm.PEOPLE_WRITE,
        )
        if code is None:
            continue
        unit = None
        if r["unit_code"]:
            unit = units.get(r["unit_code"])
            if unit is None:
                errors.add(rownum, column(PEOPLE, "unit_code"), r["unit_code"], "Unknown unit code.")
                continue
            if not principal.covers(unit.jurisdiction_code):
                errors.add(
                    rownum, column(PEOPLE, "unit_code"), r["unit_code"], "This is outside your jurisdiction."
                )
                continue
            if not r["post"]:
                errors.add(rownum, column(PEOPLE, "post"), "", "A post is required with a unit.")
                continue
        role = roles.get(r["post_role"] or "member")
        if role is None:
            errors.add(rownum, column(PEOPLE, "post_role"), r["post_role"], "Unknown post role.")
            continue
        plan.append((rownum, mobile, code, r, unit, role))
    existing = {
        p.mobile: p for p in session.scalars(select(Person).where(Person.mobile.in_([p[1] for p in plan])))
    }
    for rownum, mobile, _code, _r, _unit, _role in plan:
        person = existing.get(mobile)
        if person is not None and not principal.covers(person.jurisdiction_code):
            errors.add(
                rownum,
                column(PEOPLE, "mobile"),
                mobile,
                "The mobile number {mobile} already belongs to someone else.",
                mobile=mobile,
            )
    errors.raise_if_any()

    result = ImportResult()
    for _rownum, mobile, code, r, unit, role in paced(plan):
        values = {
            "name": r["name"],
            "gender": GENDER_WORDS[r["gender"]],
            "mobile": mobile,
            "office_phone": r["office_phone"] or None,
            "jurisdiction_code": code,
            "title": r["title"] or None,
            "note": r["note"] or None,
        }
        person = existing.get(mobile)
        if person is None:
            person = Person(**values, active=True)
            session.add(person)
            session.flush()
            result.created += 1
        else:
            changed = {k: v for k, v in values.items() if getattr(person, k) != v}
            for k, v in changed.items():
                setattr(person, k, v)
            if not person.active:
                person.active, changed["active"] = True, True
            result.updated += bool(changed)
            result.unchanged += not changed
        if unit is not None:
            has = session.scalar(
                select(Position.id).where(
                    Position.person_id == person.id, Position.unit_id == unit.id, Position.title == r["post"]
                )
            )
            if has is None:
                session.add(
                    Position(
                        person_id=person.id,
                        unit_id=unit.id,
                        title=r["post"],
                        role=role,
                        jurisdiction_code=unit.jurisdiction_code,
                    )
                )
    session.flush()
    return result


def _people_query(principal: Principal, within: str | None):
    require(principal, Perm.EXPORT)
    stmt = (
        select(*PERSON_COLUMNS, Jurisdiction.name.label("place"))
        .join(Jurisdiction, Jurisdiction.code == Person.jurisdiction_code)
        .where(in_scope(Person.jurisdiction_code, principal), Person.active)
    )
    if within:
        stmt = stmt.where(Person.jurisdiction_code.startswith(within))
    return stmt


PERSON_COLUMNS = [
    getattr(Person, k)
    for k in ("id", "name", "gender", "mobile", "office_phone", "jurisdiction_code", "title", "note")
]


def count_people(session: Session, principal: Principal, within: str | None = None) -> int:
    """How many people the export holds (a person with several posts has a row for each)."""
    return session.scalar(select(func.count()).select_from(_people_query(principal, within).subquery()))


def export_people(session: Session, principal: Principal, within: str | None = None) -> Iterator[dict]:
    """People in scope with one row per post, read in batches from a server-side cursor (plain
    columns: loading Person objects would pull in their posts' units and those units' people)."""
    stmt = _people_query(principal, within).order_by(Person.jurisdiction_code, Person.id)
    batches = session.execute(stmt.execution_options(yield_per=1000)).partitions()
    return _people_rows(session, principal, batches)


def _people_rows(session: Session, principal: Principal, batches) -> Iterator[dict]:
    for batch in batches:
        posts: dict[int, list] = {}
        found = (
            select(Position.person_id, Unit.code, Position.title, Position.role)
            .join(Unit, Unit.id == Position.unit_id)
            .where(Position.person_id.in_([p.id for p in batch]))
            .order_by(Position.person_id, Position.id)
        )
        for person_id, unit_code, title, role in session.execute(found):
            posts.setdefault(person_id, []).append((unit_code, title, role))
        for p in batch:
            base = {
                "name": p.name,
                "gender": {"M": "男", "F": "女"}.get(p.gender or "", ""),
                "mobile": mask_phone(p.mobile, principal),
                "office_phone": mask_phone(p.office_phone, principal),
                "jurisdiction_code": codes.division_code_12(p.jurisdiction_code),
                "jurisdiction_name": p.place,
                "title": p.title,
                "note": p.note,
            }
            if p.id not in posts:
                yield base
            for unit_code, title, role in posts.get(p.id, ()):
                yield base | {"unit_code": unit_code, "post": title, "post_role": role}

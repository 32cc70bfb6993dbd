"""People and their posts: import keyed by mobile number, export with masking."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, mask_phone, require
from yingji.core.deadline import paced
from yingji.org import codes
from yingji.org.exchange import common
from yingji.org.exchange.common import (
    GENDER_WORDS,
    PEOPLE,
    ImportResult,
    RowErrors,
    column,
    label_lookup,
    required_present,
)
from yingji.org.models import Jurisdiction, Person, Position, Unit
from yingji.org.schemas import check_mobile
from yingji.org.sheets import read
from yingji.org.units import POSITION_ROLES

PersonKey = str | tuple[str, str]  # a mobile number, or (name, division) for someone without one


PERSON_KEYS = ("name", "gender", "office_phone", "title", "note")  # a person's own columns, not a post's
# The mobile column must be in the sheet, but a cell may be empty: a person recorded without a mobile
# (a bureau's department staff) is then found by name within the division.
ROW_REQUIRED = [c for c in PEOPLE if c.key != "mobile"]


def import_people(session: Session, principal: Principal, data: bytes) -> ImportResult:
    """One row per post, as the export writes it: rows with the same mobile number are one person with
    several posts. They must agree on the person's own columns (a different name under one number is
    a conflict, refused); the result counts people, not rows. A row without a mobile is the person of
    that name in that division who has none (refused when there are several)."""
    require(principal, Perm.IMPORT)
    rows = read(data, PEOPLE)
    errors = RowErrors()
    roles = label_lookup(POSITION_ROLES)
    # A person's key: the mobile, else (name, division) for one recorded without a mobile.
    first_row: dict[PersonKey, tuple[int, dict, str]] = {}  # key → (row, record, jurisdiction code)
    seen_posts: dict[tuple[PersonKey, str, str], int] = {}
    plan: dict[PersonKey, tuple[str, dict]] = {}  # key → (jurisdiction code, record), in file order
    posts: dict[PersonKey, list[tuple[Unit, str, str]]] = {}  # key → [(unit, post, role)]
    unit_codes = {r["unit_code"] for _, r in rows if r["unit_code"]}
    units = {u.code: u for u in session.scalars(select(Unit).where(Unit.code.in_(unit_codes)))}
    for rownum, r in paced(rows):
        if not required_present(errors, rownum, ROW_REQUIRED, r):
            continue
        try:
            mobile = check_mobile(r["mobile"]) if r["mobile"] else None
        except ValueError:
            errors.add(rownum, column(PEOPLE, "mobile"), r["mobile"], "Not a mainland mobile number.")
            continue
        earlier = first_row.get(mobile) if mobile else None
        if earlier is not None and earlier[1]["name"] != r["name"]:
            errors.add(
                rownum,
                column(PEOPLE, "mobile"),
                r["mobile"],
                "The same mobile number is already on row {other}.",
                other=earlier[0],
            )
            continue
        if r["gender"] not in GENDER_WORDS:
            errors.add(rownum, column(PEOPLE, "gender"), r["gender"], "Write 男 or 女.")
            continue
        if len(r["name"]) > 60:
            errors.add(rownum, column(PEOPLE, "name"), r["name"], "Too long.")
            continue
        code = common.row_place(session, principal, errors, rownum, PEOPLE, r, Perm.PEOPLE_WRITE)
        if code is None:
            continue
        key: PersonKey = mobile or (r["name"], code)
        earlier = first_row.get(key)
        if earlier is not None:
            differs = [k for k in PERSON_KEYS if earlier[1][k] != r[k]]
            if earlier[2] != code:
                differs.append("jurisdiction_code")
            if differs:
                field = differs[0]
                errors.add(
                    rownum,
                    column(PEOPLE, field),
                    r[field],
                    "Row {other} has the same person (same mobile number) with a different {header}.",
                    other=earlier[0],
                    header=column(PEOPLE, field).zh,
                )
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
        if unit is not None:
            post_key = (key, unit.code, r["post"])
            if post_key in seen_posts:
                errors.add(
                    rownum,
                    column(PEOPLE, "post"),
                    r["post"],
                    "The same post is already on row {other}.",
                    other=seen_posts[post_key],
                )
                continue
            seen_posts[post_key] = rownum
        if earlier is None:
            first_row[key] = (rownum, r, code)
            plan[key] = (code, r)
        if unit is not None:
            posts.setdefault(key, []).append((unit, r["post"], role))
    existing = _existing(session, plan)
    for key in plan:
        person = existing.get(key)
        if isinstance(key, str) and person is not None and not principal.covers(person.jurisdiction_code):
            errors.add(
                first_row[key][0],
                column(PEOPLE, "mobile"),
                key,
                "The mobile number {mobile} already belongs to someone else.",
                mobile=key,
            )
        elif person is _SEVERAL:
            errors.add(
                first_row[key][0],
                column(PEOPLE, "mobile"),
                "",
                "Several people named {name} in this division have no mobile number: write the mobile.",
                name=key[0],
            )
    errors.raise_if_any()

    result = ImportResult()
    for key, (code, r) in paced(list(plan.items())):
        values = {
            "name": r["name"],
            "gender": GENDER_WORDS[r["gender"]],
            "mobile": key if isinstance(key, str) else None,
            "office_phone": r["office_phone"] or None,
            "jurisdiction_code": code,
            "title": r["title"] or None,
            "note": r["note"] or None,
        }
        person = existing.get(key)
        if person is None:
            person = Person(**values, active=True)
            session.add(person)
            session.flush()
            result.created += 1
            _add_posts(session, person, posts.get(key, ()))
            continue
        changed = common.update(person, values | {"active": True})
        posts_changed = _add_posts(session, person, posts.get(key, ()))
        result.tally(changed or posts_changed)
    session.flush()
    return result


_SEVERAL = object()  # stands for "more than one person matches": refused


def _existing(session: Session, plan) -> dict:
    """The people the file's keys name: by mobile, or by name and division among those without one."""
    mobiles = [k for k in plan if isinstance(k, str)]
    out: dict = {p.mobile: p for p in session.scalars(select(Person).where(Person.mobile.in_(mobiles)))}
    named = [k for k in plan if not isinstance(k, str)]
    if named:
        found = session.scalars(
            select(Person).where(
                Person.mobile.is_(None),
                Person.name.in_({n for n, _ in named}),
                Person.jurisdiction_code.in_({c for _, c in named}),
            )
        )
        for p in found:
            key = (p.name, p.jurisdiction_code)
            if key in plan:
                out[key] = _SEVERAL if key in out else p
    return out


def _add_posts(session: Session, person: Person, posts) -> bool:
    """The file's posts of one person: a missing one is added, a post whose role differs is updated
    (posts not in the file stay: a sheet of one unit's people must not end their other posts)."""
    changed = False
    for unit, title, role in posts:
        current = session.scalar(
            select(Position).where(
                Position.person_id == person.id, Position.unit_id == unit.id, Position.title == title
            )
        )
        if current is None:
            session.add(
                Position(
                    person_id=person.id,
                    unit_id=unit.id,
                    title=title,
                    role=role,
                    jurisdiction_code=unit.jurisdiction_code,
                )
            )
            changed = True
        elif current.role != role:
            current.role = role
            changed = True
    return changed


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
    return common.count_of(session, _people_query(principal, within))


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

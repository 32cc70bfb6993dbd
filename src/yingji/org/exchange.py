"""Excel import and export of units, people and grid assignments.

An import validates every row first and writes nothing if any row is wrong: the answer is a
row-by-row error list. A clean file is applied in one transaction, every row audited.
Re-importing the same file changes nothing (units are keyed by code, people by mobile number).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, mask_phone, require
from yingji.core.errors import ImportRejected
from yingji.core.i18n import translate
from yingji.org import codes, topics
from yingji.org.models import GridAssignment, GridCell, Jurisdiction, Person, Position, Unit
from yingji.org.schemas import check_mobile
from yingji.org.sheets import Column, read, write
from yingji.org.units import POSITION_ROLES, UNIT_KINDS, _set_responsibilities

PEOPLE = [
    Column("name", "姓名", "Name", True, 10),
    Column("gender", "性别", "Gender", False, 6),
    Column("mobile", "手机号", "Mobile", True, 14),
    Column("office_phone", "办公电话", "Office phone", False, 14),
    Column("jurisdiction_code", "所属区划代码", "Division code", True, 16),
    Column("jurisdiction_name", "所属区划", "Division", False, 16),
    Column("title", "职务", "Title", False, 18),
    Column("unit_code", "单位编码", "Unit code", False, 20),
    Column("post", "单位职务", "Post", False, 12),
    Column("post_role", "岗位类别", "Post role", False, 10),
    Column("note", "备注", "Note", False, 20),
]
UNITS = [
    Column("code", "单位编码", "Unit code", True, 22),
    Column("name", "单位名称", "Unit name", True, 26),
    Column("kind", "类型", "Kind", True, 16),
    Column("topic", "专项类别", "Topic", False, 14),
    Column("parent_code", "上级单位编码", "Parent unit code", False, 22),
    Column("jurisdiction_code", "所属区划代码", "Division code", True, 16),
    Column("duty_phone", "值班电话", "Duty phone", False, 14),
    Column("address", "地址", "Address", False, 20),
    Column("responsibilities", "职责清单", "Responsibilities", False, 60),
]
GRID = [
    Column("grid_code", "网格编码", "Grid code", True, 18),
    Column("grid_name", "网格名称", "Grid name", False, 16),
    Column("level", "网格层级", "Grid level", False, 8),
    Column("mobile", "手机号", "Mobile", True, 14),
    Column("name", "姓名", "Name", False, 10),
    Column("role", "角色", "Role", True, 8),
    Column("duties", "职责", "Duties", False, 30),
]
KINDS = {"people": PEOPLE, "units": UNITS, "grid": GRID}
GRID_ROLE_WORDS = {"网格长": "leader", "网格员": "worker", "leader": "leader", "worker": "worker"}
GENDER_WORDS = {"男": "M", "女": "F", "M": "M", "F": "F", "": None}


class _Errors:
    def __init__(self) -> None:
        self.items: list[dict] = []

    def add(self, row: int, column: Column, value: str, message: str, **params) -> None:
        self.items.append(
            {"row": row, "column": column.zh, "value": value, "message": message, "params": params}
        )

    def raise_if_any(self) -> None:
        if self.items:
            raise ImportRejected(details=self.items, count=len(self.items))


def _col(columns: list[Column], key: str) -> Column:
    return next(c for c in columns if c.key == key)


def _label_lookup(table: dict[str, str]) -> dict[str, str]:
    """Accept a code, its Chinese label or its English label."""
    out = {code: code for code in table}
    for code, msgid in table.items():
        out[translate(msgid, "zh_CN")] = code
        out[msgid] = code
    return out


def _place_code(session, principal, errors, row, column, value, perm) -> str | None:
    if not value:
        errors.add(row, column, value, "A value is required.")
        return None
    try:
        code = codes.normalise(value)
    except ValueError:
        errors.add(row, column, value, "Not a division code.")
        return None
    if session.get(Jurisdiction, code) is None:
        errors.add(row, column, value, "Unknown jurisdiction.")
        return None
    if not principal.covers(code) or not principal.can(perm):
        errors.add(row, column, value, "This is outside your jurisdiction.")
        return None
    return code


def _mobile_or_none(value: str) -> str | None:
    try:
        return check_mobile(value)
    except ValueError:
        return None


def _required(errors, row, columns, record) -> bool:
    ok = True
    for c in columns:
        if c.required and not record.get(c.key):
            errors.add(row, c, "", "A value is required.")
            ok = False
    return ok


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


# -- people ---------------------------------------------------------------------------------
def import_people(session: Session, principal: Principal, data: bytes) -> ImportResult:
    require(principal, Perm.IMPORT)
    rows = read(data, PEOPLE)
    errors = _Errors()
    roles = _label_lookup(POSITION_ROLES)
    seen_mobiles: dict[str, int] = {}
    plan = []
    unit_codes = {r["unit_code"] for _, r in rows if r["unit_code"]}
    units = {u.code: u for u in session.scalars(select(Unit).where(Unit.code.in_(unit_codes)))}
    for rownum, r in rows:
        if not _required(errors, rownum, PEOPLE, r):
            continue
        try:
            mobile = check_mobile(r["mobile"])
        except ValueError:
            errors.add(rownum, _col(PEOPLE, "mobile"), r["mobile"], "Not a mainland mobile number.")
            continue
        if mobile in seen_mobiles:
            errors.add(
                rownum,
                _col(PEOPLE, "mobile"),
                r["mobile"],
                "The same mobile number is already on row {other}.",
                other=seen_mobiles[mobile],
            )
            continue
        seen_mobiles[mobile] = rownum
        if r["gender"] not in GENDER_WORDS:
            errors.add(rownum, _col(PEOPLE, "gender"), r["gender"], "Write 男 or 女.")
            continue
        if len(r["name"]) > 60:
            errors.add(rownum, _col(PEOPLE, "name"), r["name"], "Too long.")
            continue
        code = _place_code(
            session,
            principal,
            errors,
            rownum,
            _col(PEOPLE, "jurisdiction_code"),
            r["jurisdiction_code"],
            Perm.PEOPLE_WRITE,
        )
        if code is None:
            continue
        unit = None
        if r["unit_code"]:
            unit = units.get(r["unit_code"])
            if unit is None:
                errors.add(rownum, _col(PEOPLE, "unit_code"), r["unit_code"], "Unknown unit code.")
                continue
            if not principal.covers(unit.jurisdiction_code):
                errors.add(
                    rownum, _col(PEOPLE, "unit_code"), r["unit_code"], "This is outside your jurisdiction."
                )
                continue
            if not r["post"]:
                errors.add(rownum, _col(PEOPLE, "post"), "", "A post is required with a unit.")
                continue
        role = roles.get(r["post_role"] or "member")
        if role is None:
            errors.add(rownum, _col(PEOPLE, "post_role"), r["post_role"], "Unknown post role.")
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
                _col(PEOPLE, "mobile"),
                mobile,
                "The mobile number {mobile} already belongs to someone else.",
                mobile=mobile,
            )
    errors.raise_if_any()

    result = ImportResult()
    for _rownum, mobile, code, r, unit, role in plan:
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


def export_people(session: Session, principal: Principal, within: str | None = None) -> list[dict]:
    require(principal, Perm.EXPORT)
    stmt = select(Person).where(in_scope(Person.jurisdiction_code, principal), Person.active)
    if within:
        stmt = stmt.where(Person.jurisdiction_code.startswith(within))
    rows = []
    for p in session.scalars(stmt.order_by(Person.jurisdiction_code, Person.id)):
        base = {
            "name": p.name,
            "gender": {"M": "男", "F": "女"}.get(p.gender or "", ""),
            "mobile": mask_phone(p.mobile, principal),
            "office_phone": mask_phone(p.office_phone, principal),
            "jurisdiction_code": codes.division_code_12(p.jurisdiction_code),
            "jurisdiction_name": p.jurisdiction.name,
            "title": p.title,
            "note": p.note,
        }
        if not p.positions:
            rows.append(base)
        for pos in p.positions:
            rows.append(base | {"unit_code": pos.unit.code, "post": pos.title, "post_role": pos.role})
    return rows


# -- units ----------------------------------------------------------------------------------
def import_units(session: Session, principal: Principal, data: bytes) -> ImportResult:
    require(principal, Perm.IMPORT)
    rows = read(data, UNITS)
    errors = _Errors()
    kinds = _label_lookup(UNIT_KINDS)
    topic_of = {}  # a code, its label, or one of its words (防汛抗旱 → flood_drought)
    for t in topics.all_topics().values():
        topic_of.update({kw: t.code for kw in t.keywords} | {t.zh: t.code, t.en: t.code, t.code: t.code})
    in_file = {r["code"] for _, r in rows if r["code"]}
    existing = {u.code: u for u in session.scalars(select(Unit).where(Unit.code.in_(in_file)))}
    parents_known = set(existing) | {
        c
        for c in session.scalars(select(Unit.code).where(Unit.code.in_({r["parent_code"] for _, r in rows})))
    }
    seen: dict[str, int] = {}
    plan = []
    for rownum, r in rows:
        if not _required(errors, rownum, UNITS, r):
            continue
        if r["code"] in seen:
            errors.add(
                rownum,
                _col(UNITS, "code"),
                r["code"],
                "The same code is already on row {other}.",
                other=seen[r["code"]],
            )
            continue
        seen[r["code"]] = rownum
        kind = kinds.get(r["kind"])
        if kind is None:
            errors.add(rownum, _col(UNITS, "kind"), r["kind"], "Unknown unit kind.")
            continue
        topic = None
        if r["topic"]:
            topic = topic_of.get(r["topic"])
            if topic is None:
                errors.add(rownum, _col(UNITS, "topic"), r["topic"], "Unknown topic.")
                continue
        if r["parent_code"] and r["parent_code"] not in parents_known | in_file:
            errors.add(rownum, _col(UNITS, "parent_code"), r["parent_code"], "Unknown unit code.")
            continue
        code = _place_code(
            session,
            principal,
            errors,
            rownum,
            _col(UNITS, "jurisdiction_code"),
            r["jurisdiction_code"],
            Perm.ORG_WRITE,
        )
        if code is None:
            continue
        unit = existing.get(r["code"])
        if unit is not None and not principal.covers(unit.jurisdiction_code):
            errors.add(rownum, _col(UNITS, "code"), r["code"], "This is outside your jurisdiction.")
            continue
        plan.append((r, kind, topic, code))
    errors.raise_if_any()

    result = ImportResult()
    by_code = dict(existing)
    for r, kind, topic, code in plan:
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
            changed = {k: v for k, v in values.items() if getattr(unit, k) != v}
            for k, v in changed.items():
                setattr(unit, k, v)
        lines = [x.strip() for x in r["responsibilities"].replace("；", "\n").splitlines() if x.strip()]
        if lines and lines != [x.text for x in unit.responsibilities]:
            _set_responsibilities(session, unit, lines)
            changed = True
        if unit.id in {u.id for u in existing.values()}:
            result.updated += bool(changed)
            result.unchanged += not changed
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


def export_units(session: Session, principal: Principal, within: str | None = None) -> list[dict]:
    require(principal, Perm.EXPORT)
    stmt = select(Unit).where(in_scope(Unit.jurisdiction_code, principal))
    if within:
        stmt = stmt.where(Unit.jurisdiction_code.startswith(within))
    return [
        {
            "code": u.code,
            "name": u.name,
            "kind": u.kind,
            "topic": u.topic,
            "parent_code": u.parent.code if u.parent else None,
            "jurisdiction_code": codes.division_code_12(u.jurisdiction_code),
            "duty_phone": u.duty_phone,
            "address": u.address,
            "responsibilities": [x.text for x in u.responsibilities],
        }
        for u in session.scalars(stmt.order_by(Unit.jurisdiction_code, Unit.sort, Unit.id))
    ]


# -- grid assignments -----------------------------------------------------------------------
def import_grid(session: Session, principal: Principal, data: bytes) -> ImportResult:
    require(principal, Perm.IMPORT)
    rows = read(data, GRID)
    errors = _Errors()
    cells = {
        c.code: c
        for c in session.scalars(select(GridCell).where(GridCell.code.in_({r["grid_code"] for _, r in rows})))
    }
    mobiles = {m for _, r in rows if (m := _mobile_or_none(r["mobile"]))}
    people = {p.mobile: p for p in session.scalars(select(Person).where(Person.mobile.in_(mobiles)))}
    plan, seen = [], {}
    for rownum, r in rows:
        if not _required(errors, rownum, GRID, r):
            continue
        cell = cells.get(r["grid_code"])
        if cell is None or not principal.covers(cell.jurisdiction_code):
            errors.add(rownum, _col(GRID, "grid_code"), r["grid_code"], "Unknown grid cell.")
            continue
        if not principal.can(Perm.GRID_WRITE):
            errors.add(rownum, _col(GRID, "grid_code"), r["grid_code"], "This is outside your jurisdiction.")
            continue
        try:
            person = people.get(check_mobile(r["mobile"]))
        except ValueError:
            errors.add(rownum, _col(GRID, "mobile"), r["mobile"], "Not a mainland mobile number.")
            continue
        if person is None or not principal.covers(person.jurisdiction_code):
            errors.add(rownum, _col(GRID, "mobile"), r["mobile"], "No person with this mobile number.")
            continue
        role = GRID_ROLE_WORDS.get(r["role"])
        if role is None:
            errors.add(rownum, _col(GRID, "role"), r["role"], "Write 网格长 or 网格员.")
            continue
        key = (cell.id, person.id, role)
        if key in seen:
            errors.add(
                rownum,
                _col(GRID, "mobile"),
                r["mobile"],
                "The same assignment is already on row {other}.",
                other=seen[key],
            )
            continue
        seen[key] = rownum
        plan.append((cell, person, role, r["duties"] or None))
    errors.raise_if_any()
    result = ImportResult()
    for cell, person, role, duties in plan:
        current = session.scalar(
            select(GridAssignment).where(
                GridAssignment.grid_cell_id == cell.id,
                GridAssignment.person_id == person.id,
                GridAssignment.role == role,
            )
        )
        if current is None:
            session.add(
                GridAssignment(
                    grid_cell_id=cell.id,
                    person_id=person.id,
                    role=role,
                    duties=duties,
                    jurisdiction_code=cell.jurisdiction_code,
                )
            )
            result.created += 1
        elif current.duties != duties:
            current.duties = duties
            result.updated += 1
        else:
            result.unchanged += 1
    session.flush()
    return result


def export_grid(session: Session, principal: Principal, within: str | None = None) -> list[dict]:
    require(principal, Perm.EXPORT)
    stmt = (
        select(GridAssignment)
        .join(GridCell, GridAssignment.grid_cell_id == GridCell.id)
        .where(in_scope(GridAssignment.jurisdiction_code, principal))
    )
    if within:
        stmt = stmt.where(GridAssignment.jurisdiction_code.startswith(within))
    return [
        {
            "grid_code": a.cell.code,
            "grid_name": a.cell.name,
            "level": a.cell.level,
            "mobile": mask_phone(a.person.mobile, principal),
            "name": a.person.name,
            "role": "网格长" if a.role == "leader" else "网格员",
            "duties": a.duties,
        }
        for a in session.scalars(stmt.order_by(GridCell.code, GridAssignment.role, GridAssignment.id))
    ]


IMPORTERS: dict[str, Callable[[Session, Principal, bytes], ImportResult]] = {
    "people": import_people,
    "units": import_units,
    "grid": import_grid,
}
EXPORTERS = {"people": export_people, "units": export_units, "grid": export_grid}
SHEET_TITLES = {"people": "人员", "units": "单位", "grid": "网格分配"}


def export_workbook(
    session: Session, principal: Principal, kind: str, within: str | None, locale: str
) -> bytes:
    rows = EXPORTERS[kind](session, principal, within)
    return write(SHEET_TITLES[kind], KINDS[kind], rows, locale)

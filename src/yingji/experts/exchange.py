"""Excel import and export of the expert registry (专家库名册). Every row is checked first (place in
the importer's jurisdiction, mobile, availability, disciplines and event categories by their Chinese
names, title grade); one bad row and nothing is imported, the answer lists each row's errors in
Chinese. Experts are keyed by their registry number (编号), else by mobile number within the place,
so importing the same file again changes nothing. The export is the sheet an office files: it
imports back; phone numbers are masked for a role without ``contact.phone``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, mask_phone, require
from yingji.core.deadline import paced
from yingji.core.i18n import N_
from yingji.experts import codes, registry
from yingji.experts.codes import Availability, FieldKind
from yingji.experts.models import Expert
from yingji.files import kinds
from yingji.org import codes as division_codes
from yingji.org.exchange import common
from yingji.org.exchange.common import ImportResult, RowErrors, column
from yingji.org.schemas import OFFICE_PHONE
from yingji.org.sheets import Column, read

COLUMNS = [
    Column("code", "编号", "Number", False, 20),
    Column("name", "姓名", "Name", True, 10),
    Column("gender", "性别", "Gender", False, 6),
    Column("title", "职称", "Title", False, 14),
    Column("title_grade", "职称级别", "Title grade", False, 10),
    Column("position", "职务", "Position", False, 12),
    Column("unit_name", "工作单位", "Work unit", False, 24),
    Column("disciplines", "专业领域", "Disciplines", True, 24),
    Column("categories", "擅长事件类别", "Event categories", False, 24),
    Column("specialty", "专业特长", "Specialty", False, 30),
    Column("jurisdiction_code", "所属区划代码", "Division code", True, 16),
    Column("jurisdiction_name", "所属区划", "Division", False, 14),
    Column("mobile", "手机号码", "Mobile", False, 14),
    Column("office_phone", "办公电话", "Office phone", False, 14),
    Column("email", "电子邮箱", "E-mail", False, 20),
    Column("availability", "可召集状态", "Availability", False, 10),
    Column("note", "备注", "Note", False, 16),
]
SHEET_TITLE = "应急专家库"
SPLIT = re.compile(r"[、,，;；/\s]+")
GENDER_WORDS = {"男": "M", "女": "F", "M": "M", "F": "F"}
MAX_EXPORT = 100_000


def _list(errors, rownum, key: str, value: str, table) -> list[str] | None:
    out: list[str] = []
    for word in (w for w in SPLIT.split(value or "") if w):
        code = codes.by_word(table, word)
        if code is None:
            errors.add(rownum, column(COLUMNS, key), word, "Unknown field: {word}.", word=word)
            return None
        out.append(code)
    return list(dict.fromkeys(out))


def _row(session, principal, errors, rownum, r) -> dict | None:
    """The checked values of one sheet row, or None (its errors added)."""
    col = lambda key: column(COLUMNS, key)  # noqa: E731
    ok = True
    code = common.row_place(session, principal, errors, rownum, COLUMNS, r, Perm.EXPERTS_MANAGE)
    disciplines = _list(errors, rownum, "disciplines", r["disciplines"], codes.disciplines())
    categories = _list(errors, rownum, "categories", r["categories"], codes.categories())
    if disciplines == []:
        errors.add(rownum, col("disciplines"), r["disciplines"], "A value is required.")
        ok = False
    good, mobile = common.mobile_cell(errors, rownum, col("mobile"), r["mobile"])
    ok = ok and good
    office = r["office_phone"] or None
    if office and not OFFICE_PHONE.match(office):
        errors.add(rownum, col("office_phone"), office, "Not a phone number.")
        ok = False
    avail = codes.AVAILABILITY_WORDS.get(r["availability"] or "可召集") or (
        r["availability"] if r["availability"] in set(Availability) else None
    )
    if avail is None:
        errors.add(rownum, col("availability"), r["availability"], "Write 可召集, 暂不便 or 不可召集.")
        ok = False
    gender = GENDER_WORDS.get(r["gender"]) if r["gender"] else None
    if r["gender"] and gender is None:
        errors.add(rownum, col("gender"), r["gender"], "Write 男 or 女.")
        ok = False
    grade = codes.by_word(codes.titles(), r["title_grade"]) if r["title_grade"] else None
    if r["title_grade"] and grade is None:
        errors.add(
            rownum, col("title_grade"), r["title_grade"], "Write 正高级, 副高级, 中级, 初级 or 无职称."
        )
        ok = False
    limits = {"code": 40, "name": 60, "title": 60, "position": 60, "unit_name": 120, "email": 120}
    if common.too_long(errors, rownum, COLUMNS, r, limits):
        ok = False
    if r["code"] and not re.fullmatch(r"[A-Za-z0-9_\-]+", r["code"]):
        errors.add(rownum, col("code"), r["code"], "Letters, digits, - and _ only.")
        ok = False
    if not ok or code is None or disciplines is None or categories is None:
        return None
    return {
        "code": r["code"] or None,
        "name": r["name"],
        "gender": gender,
        "title": r["title"] or None,
        "title_grade": grade,
        "position": r["position"] or None,
        "unit_name": r["unit_name"] or None,
        "specialty": (r["specialty"] or "")[:2000] or None,
        "jurisdiction_code": code,
        "mobile": mobile,
        "office_phone": office,
        "email": r["email"] or None,
        "availability": str(avail),
        "note": (r["note"] or "")[:2000] or None,
        "disciplines": disciplines,
        "categories": categories,
    }


def _existing(session: Session, plan: list[dict]) -> dict[int, Expert]:
    """For each planned row (by index) the expert it updates: same number, else same mobile and place."""
    by_code = {p["code"] for p in plan if p["code"]}
    by_mobile = {p["mobile"] for p in plan if p["mobile"] and not p["code"]}
    found: dict[str, Expert] = {}
    mobiles: dict[tuple[str, str], Expert] = {}
    for chunk in _chunks(sorted(by_code)):
        for e in session.scalars(select(Expert).where(Expert.code.in_(chunk))):
            found[e.code] = e
    for chunk in _chunks(sorted(by_mobile)):
        for e in session.scalars(select(Expert).where(Expert.mobile.in_(chunk))):
            mobiles[(e.mobile, e.jurisdiction_code)] = e
    out = {}
    for i, p in enumerate(plan):
        e = found.get(p["code"]) if p["code"] else mobiles.get((p["mobile"], p["jurisdiction_code"]))
        if e is not None:
            out[i] = e
    return out


def _chunks(items: list, n: int = 500):
    for i in range(0, len(items), n):
        yield items[i : i + n]


def _key(v: dict) -> str:
    """The expert a row names: its number, else its place and mobile (or name)."""
    return v["code"] or f"{v['jurisdiction_code']}:{v['mobile'] or v['name']}"


def import_experts(session: Session, principal: Principal, data: bytes, **params) -> ImportResult:
    """Apply an expert sheet in the caller's transaction (all rows or none)."""
    require(principal, Perm.EXPERTS_MANAGE)
    errors = RowErrors()
    repeats = common.Repeats(errors, COLUMNS, "name", N_("The same expert is already on row {other}."))
    check = partial(_row, session, principal, errors)
    rows = common.planned(read(data, COLUMNS), COLUMNS, check, _key, repeats)
    rownums, plan = [n for n, _ in rows], [v for _, v in rows]
    existing = _existing(session, plan)
    held = ((rownums[i], e.code, e) for i, e in existing.items())
    at, message = column(COLUMNS, "code"), N_("The expert number {code} is already registered.")
    common.refuse_held(errors, principal, at, message, held)
    errors.raise_if_any()
    result = ImportResult()
    for i, values in enumerate(paced(plan)):
        disciplines, categories = values.pop("disciplines"), values.pop("categories")
        expert = existing.get(i)
        if expert is None:
            values["code"] = values["code"] or registry.new_code(values["jurisdiction_code"])
            expert = Expert(**values, active=True, fields=[])
            registry.set_fields(expert, FieldKind.DISCIPLINE, disciplines)
            registry.set_fields(expert, FieldKind.CATEGORY, categories)
            session.add(expert)
            result.created += 1
            continue
        values["code"] = expert.code
        changed = common.update(expert, values | {"active": True})
        fields_changed = sorted(expert.codes_of(FieldKind.DISCIPLINE)) != sorted(disciplines) or sorted(
            expert.codes_of(FieldKind.CATEGORY)
        ) != sorted(categories)
        if fields_changed:
            registry.set_fields(expert, FieldKind.DISCIPLINE, disciplines)
            registry.set_fields(expert, FieldKind.CATEGORY, categories)
        result.tally(changed or fields_changed)
    session.flush()
    return result


def _export_query(principal: Principal, within: str | None):
    require(principal, Perm.EXPORT)
    stmt = common.placed(Expert, within, registry.seen_by(principal), Expert.active)
    return stmt.order_by(Expert.jurisdiction_code, Expert.code).limit(MAX_EXPORT)


def count_rows(session: Session, principal: Principal, within: str | None = None) -> int:
    return common.count_of(session, _export_query(principal, within))


def _names(table, values: list[str]) -> str:
    return "、".join(table[c].zh if c in table else c for c in values)


def expert_rows(session: Session, principal: Principal, within: str | None = None) -> Iterator[dict]:
    """The experts the principal may see as rows of the sheet (it imports back)."""
    stmt = _export_query(principal, within).execution_options(yield_per=1000)
    grades = codes.titles()
    for e, place in session.execute(stmt):
        yield {
            "code": e.code,
            "name": e.name,
            "gender": {"M": "男", "F": "女"}.get(e.gender or ""),
            "title": e.title,
            "title_grade": grades[e.title_grade].zh if e.title_grade in grades else None,
            "position": e.position,
            "unit_name": e.unit_name,
            "disciplines": _names(codes.disciplines(), e.codes_of(FieldKind.DISCIPLINE)),
            "categories": _names(codes.categories(), e.codes_of(FieldKind.CATEGORY)),
            "specialty": e.specialty,
            "jurisdiction_code": division_codes.division_code_12(e.jurisdiction_code),
            "jurisdiction_name": place,
            "mobile": mask_phone(e.mobile, principal),
            "office_phone": mask_phone(e.office_phone, principal),
            "email": e.email if principal.can(Perm.CONTACT_PHONE) else None,
            "availability": codes.EXCEL_AVAILABILITY[Availability(e.availability)],
            "note": e.note,
        }


kinds.register(
    "experts",
    N_("Expert registry"),
    "experts",
    title=SHEET_TITLE,
    columns=COLUMNS,
    rows=expert_rows,
    count=count_rows,
    run=import_experts,
    perms=(Perm.EXPERTS_MANAGE,),
)

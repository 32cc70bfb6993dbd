"""Excel import and export of the shelter registry (应急避难场所名录). Every row is checked first
(place in the importer's jurisdiction, level, class, space type, numbers, facilities by their Chinese
names, the manager's mobile); one bad row and nothing is imported. Shelters are keyed by their number
(编号), else by place and name, so importing the same file again changes nothing. Capacity: the
核定容纳人数 column when filled (the registry's own figure), else computed from the usable area. The
export imports back; phones are masked for a role without ``contact.phone``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, mask_phone, require
from yingji.core.deadline import paced
from yingji.core.i18n import N_
from yingji.files import kinds
from yingji.org import codes as division_codes
from yingji.org.exchange import common
from yingji.org.exchange.common import ImportResult, RowErrors, column
from yingji.org.schemas import check_mobile
from yingji.org.sheets import Column, read
from yingji.shelters import labels, registry
from yingji.shelters.codes import ShelterStatus
from yingji.shelters.models import Shelter, ShelterManager
from yingji.shelters.schemas import ManagerIn

COLUMNS = [
    Column("code", "编号", "Number", False, 20),
    Column("name", "场所名称", "Name", True, 24),
    Column("level", "级别", "Level", True, 10),
    Column("shelter_class", "类别", "Class", True, 18),
    Column("space_type", "空间类型", "Space type", False, 10),
    Column("jurisdiction_code", "所属区划代码", "Division code", True, 16),
    Column("jurisdiction_name", "所属区划", "Division", False, 14),
    Column("address", "地址", "Address", False, 30),
    Column("lon", "经度", "Longitude", False, 12),
    Column("lat", "纬度", "Latitude", False, 12),
    Column("total_area_m2", "总面积(m²)", "Total area (m²)", False, 12),
    Column("usable_area_m2", "有效避难面积(m²)", "Usable area (m²)", False, 14),
    Column("area_per_person_m2", "人均有效面积(m²)", "Area per person (m²)", False, 14),
    Column("capacity", "核定容纳人数", "Stated capacity", False, 12),
    Column("duration_days", "避难时长(天)", "Duration (days)", False, 10),
    Column("facilities", "配套设施", "Facilities", False, 40),
    Column("managing_unit", "管护单位", "Managing unit", False, 20),
    Column("manager", "负责人", "Manager", False, 10),
    Column("manager_mobile", "负责人手机", "Manager's mobile", False, 14),
    Column("status", "启用状态", "Status", False, 10),
    Column("occupancy", "在场人数", "People in", False, 10),
    Column("note", "备注", "Note", False, 20),
]
SHEET_TITLE = "应急避难场所"
SPLIT = re.compile(r"[、,，;；/\s]+")
MAX_EXPORT = 100_000


def _facility_words() -> dict[str, str]:
    from yingji.shelters.standards import table

    return {v: k for k, v in table()["facilities"].items()}


def _number(errors, rownum, key, value, *, low, high, integer=False):
    if not value:
        return None
    try:
        n = float(value)
    except ValueError:
        errors.add(rownum, column(COLUMNS, key), value, "Not a number.")
        return False
    if not low <= n <= high or (integer and not float(n).is_integer()):
        errors.add(rownum, column(COLUMNS, key), value, "Out of range.")
        return False
    return int(n) if integer else n


def _word(errors, rownum, key, value, words: dict, message: str):
    code = words.get(value) or (value if value in words.values() else None)
    if code is None:
        errors.add(rownum, column(COLUMNS, key), value, message)
    return code


def _row(session, principal, errors, rownum, r) -> dict | None:
    bad = []
    code = common.row_place(session, principal, errors, rownum, COLUMNS, r, Perm.SHELTERS_MANAGE)
    level = _word(
        errors, rownum, "level", r["level"], labels.LEVEL_WORDS, "Write 县级, 乡镇级 or 村级 (or 省级, 市级)."
    )
    klass = _word(
        errors,
        rownum,
        "shelter_class",
        r["shelter_class"],
        labels.CLASS_WORDS,
        "Write 紧急避难场所, 固定避难场所(短期), (中期), (长期), 中心避难场所 or 特定避难场所.",
    )
    space = _word(
        errors,
        rownum,
        "space_type",
        r["space_type"] or "室外",
        labels.SPACE_WORDS,
        "Write 室内, 室外 or 室内外结合.",
    )
    nums = {
        "lon": _number(errors, rownum, "lon", r["lon"], low=73, high=136),
        "lat": _number(errors, rownum, "lat", r["lat"], low=3, high=54),
        "total_area_m2": _number(errors, rownum, "total_area_m2", r["total_area_m2"], low=0, high=1e8),
        "usable_area_m2": _number(errors, rownum, "usable_area_m2", r["usable_area_m2"], low=0, high=1e8),
        "area_per_person_m2": _number(
            errors, rownum, "area_per_person_m2", r["area_per_person_m2"], low=0.1, high=100
        ),
        "capacity": _number(errors, rownum, "capacity", r["capacity"], low=0, high=1e7, integer=True),
        "duration_days": _number(
            errors, rownum, "duration_days", r["duration_days"], low=0, high=3650, integer=True
        ),
    }
    bad += [k for k, v in nums.items() if v is False]
    facilities = {}
    words = _facility_words()
    for word in (w for w in SPLIT.split(r["facilities"] or "") if w):
        if word not in words:
            errors.add(rownum, column(COLUMNS, "facilities"), word, "Unknown facility: {word}.", word=word)
            bad.append("facilities")
            break
        facilities[words[word]] = True
    manager = None
    if r["manager"] or r["manager_mobile"]:
        try:
            mobile = check_mobile(r["manager_mobile"] or None)
            manager = ManagerIn(name=r["manager"] or "负责人", mobile=mobile, duty="负责人", primary=True)
        except ValueError:
            errors.add(rownum, column(COLUMNS, "manager_mobile"), r["manager_mobile"], "Not a mobile number.")
            bad.append("manager")
    limits = {"code": 40, "name": 120, "address": 200, "managing_unit": 120, "manager": 60}
    bad += common.too_long(errors, rownum, COLUMNS, r, limits)
    if r["code"] and not re.fullmatch(r"[A-Za-z0-9_\-]+", r["code"]):
        errors.add(rownum, column(COLUMNS, "code"), r["code"], "Letters, digits, - and _ only.")
        bad.append("code")
    if bad or code is None or level is None or klass is None or space is None:
        return None
    return {
        "code": r["code"] or None,
        "name": r["name"],
        "level": level,
        "shelter_class": klass,
        "space_type": space,
        "jurisdiction_code": code,
        "address": r["address"] or None,
        "facilities": facilities,
        "managing_unit": r["managing_unit"] or None,
        "note": (r["note"] or "")[:2000] or None,
        "manager": manager,
        **nums,
    }


def _existing(session: Session, plan: list[dict]) -> dict[int, Shelter]:
    out = {}
    for i, p in enumerate(plan):
        stmt = (
            select(Shelter).where(Shelter.code == p["code"])
            if p["code"]
            else select(Shelter).where(
                Shelter.jurisdiction_code == p["jurisdiction_code"], Shelter.name == p["name"], Shelter.active
            )
        )
        found = session.scalars(stmt.limit(1)).first()
        if found is not None:
            out[i] = found
    return out


def _key(v: dict) -> str:
    """The shelter a row names: its number, else its place and name."""
    return v["code"] or f"{v['jurisdiction_code']}:{v['name']}"


def import_shelters(session: Session, principal: Principal, data: bytes, **params) -> ImportResult:
    """Apply a shelter sheet in the caller's transaction (all rows or none)."""
    require(principal, Perm.SHELTERS_MANAGE)
    errors = RowErrors()
    repeats = common.Repeats(errors, COLUMNS, "name", N_("The same shelter is already on row {other}."))
    check = partial(_row, session, principal, errors)
    rows = common.planned(read(data, COLUMNS), COLUMNS, check, _key, repeats)
    rownums, plan = [n for n, _ in rows], [v for _, v in rows]
    existing = _existing(session, plan)
    for i, s in existing.items():
        if not principal.covers(s.jurisdiction_code):
            errors.add(
                rownums[i],
                column(COLUMNS, "code"),
                s.code,
                "The shelter number {code} is already registered.",
                code=s.code,
            )
        elif values_capacity_too_low(plan[i], s):
            errors.add(
                rownums[i],
                column(COLUMNS, "capacity"),
                str(plan[i]["capacity"]),
                "The capacity cannot be below the people in the shelter now.",
            )
    errors.raise_if_any()
    result = ImportResult()
    for i, values in enumerate(paced(plan)):
        manager = values.pop("manager")
        stated = values.pop("capacity")
        shelter = existing.get(i)
        if shelter is None:
            values["code"] = values["code"] or registry.new_code(values["jurisdiction_code"])
            shelter = Shelter(
                **values,
                occupancy=0,
                households_in=0,
                status=ShelterStatus.CLOSED,
                active=True,
                capacity_stated=False,
            )
            registry.recompute(shelter, stated)
            session.add(shelter)
            shelter.managers = []
            if manager:
                registry.set_managers(session, shelter, [manager])
            result.created += 1
            continue
        values["code"] = shelter.code
        present = {k for k, v in (shelter.facilities or {}).items() if v}
        if present == set(values["facilities"]):
            values.pop("facilities")  # the sheet lists what is there; counts (toilets: 12) stay
        changed = {k: v for k, v in values.items() if getattr(shelter, k) != v}
        if stated is not None and (stated != shelter.capacity or not shelter.capacity_stated):
            changed["capacity"] = stated
        for k, v in changed.items():
            if k != "capacity":
                setattr(shelter, k, v)
        registry.recompute(shelter, stated)
        primary = next((m for m in shelter.managers if m.primary), None)
        if manager and (primary is None or (primary.name, primary.mobile) != (manager.name, manager.mobile)):
            registry.set_managers(session, shelter, [manager])
            changed["managers"] = True
        result.tally(changed)
    session.flush()
    return result


def values_capacity_too_low(values: dict, shelter: Shelter) -> bool:
    return values["capacity"] is not None and values["capacity"] < shelter.occupancy


def _export_query(principal: Principal, within: str | None):
    require(principal, Perm.EXPORT)
    stmt = common.placed(Shelter, within, in_scope(Shelter.jurisdiction_code, principal), Shelter.active)
    return stmt.order_by(Shelter.jurisdiction_code, Shelter.code).limit(MAX_EXPORT)


def count_rows(session: Session, principal: Principal, within: str | None = None) -> int:
    return common.count_of(session, _export_query(principal, within))


def shelter_rows(session: Session, principal: Principal, within: str | None = None) -> Iterator[dict]:
    """The shelters in scope as rows of the sheet (it imports back)."""
    from yingji.shelters.standards import table

    names = table()["facilities"]
    stmt = _export_query(principal, within).execution_options(yield_per=500)
    for s, place in session.execute(stmt):
        primary: ShelterManager | None = (
            next((m for m in s.managers if m.primary), None) or (s.managers or [None])[0]
        )
        yield {
            "code": s.code,
            "name": s.name,
            "level": labels.EXCEL_LEVEL.get(s.level, s.level),
            "shelter_class": labels.EXCEL_CLASS.get(s.shelter_class, s.shelter_class),
            "space_type": labels.EXCEL_SPACE.get(s.space_type, s.space_type),
            "jurisdiction_code": division_codes.division_code_12(s.jurisdiction_code),
            "jurisdiction_name": place,
            "address": s.address,
            "lon": s.lon,
            "lat": s.lat,
            "total_area_m2": s.total_area_m2,
            "usable_area_m2": s.usable_area_m2,
            "area_per_person_m2": s.area_per_person_m2,
            "capacity": s.capacity if s.capacity_stated else None,
            "duration_days": s.duration_days,
            "facilities": "、".join(names[k] for k, v in (s.facilities or {}).items() if v and k in names),
            "managing_unit": s.managing_unit,
            "manager": primary.name if primary else None,
            "manager_mobile": mask_phone(primary.mobile, principal) if primary else None,
            "status": labels.EXCEL_STATUS.get(s.status, s.status),
            "occupancy": s.occupancy,
            "note": s.note,
        }


kinds.register(
    "shelters",
    N_("Shelter registry"),
    "shelters",
    title=SHEET_TITLE,
    columns=COLUMNS,
    rows=shelter_rows,
    count=count_rows,
    run=import_shelters,
    perms=(Perm.SHELTERS_MANAGE,),
)

"""Excel import and export of the enterprise register, keyed by the credit code.

Every row is checked first (check character, industry, scale, place in the importer's scope, grid
cell, phones, coordinates, duplicates in the file); with any error nothing is written and the
answer lists the errors row by row. A clean file is applied in one transaction, each row audited.
Re-importing the same file changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, mask_phone, require
from yingji.core.deadline import paced
from yingji.core.i18n import N_
from yingji.files import kinds
from yingji.org import codes
from yingji.org.exchange import common
from yingji.org.exchange.common import ImportResult, RowErrors, column
from yingji.org.models import GridCell
from yingji.org.sheets import Column, read
from yingji.risk import creditcode, enterprises, tables
from yingji.risk.models import Enterprise, EnterpriseStatus
from yingji.risk.schemas import phone

COLUMNS = [
    Column("name", "单位名称", "Name", True, 30),
    Column("credit_code", "统一社会信用代码", "Credit code", True, 22),
    Column("industry", "行业", "Industry", True, 14),
    Column("scale", "规模", "Scale", True, 8),
    Column("employees", "从业人数", "Employees", False, 9),
    Column("hazardous_chemicals", "涉及危险化学品", "Hazardous chemicals", False, 8),
    Column("chemicals", "危险化学品名称", "Chemicals", False, 20),
    Column("major_hazard", "重大危险源", "Major hazard source", False, 8),
    Column("major_hazard_grade", "重大危险源等级", "Major hazard grade", False, 8),
    Column("jurisdiction_code", "所属区划代码", "Division code", True, 16),
    Column("grid_code", "网格编码", "Grid code", False, 18),
    Column("address", "地址", "Address", False, 24),
    Column("lon", "经度", "Longitude", False, 10),
    Column("lat", "纬度", "Latitude", False, 10),
    Column("principal_name", "主要负责人", "Principal", False, 10),
    Column("principal_phone", "负责人电话", "Principal phone", False, 14),
    Column("safety_manager_name", "安全管理人员", "Safety manager", False, 10),
    Column("safety_manager_phone", "安全管理人员电话", "Safety manager phone", False, 14),
    Column("enforcement_class", "执法分类", "Enforcement class", False, 8),
    Column("note", "备注", "Note", False, 20),
]
YES = {"是": True, "有": True, "Y": True, "YES": True, "TRUE": True, "1": True}
NO = {"否": False, "无": False, "N": False, "NO": False, "FALSE": False, "0": False, "": False}
GRADE_WORDS = {"一级": 1, "二级": 2, "三级": 3, "四级": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def _lookup(rows: list[dict], key: str = "code") -> dict[str, str]:
    out = {}
    for r in rows:
        out.update({str(r[key]): r[key], r["zh"]: r[key], r["en"]: r[key], r["en"].lower(): r[key]})
    return out


def _flag(value: str) -> bool | None:
    return YES.get(value.upper(), NO.get(value.upper()))


def _row(
    session, principal, errors: RowErrors, rownum: int, r: dict, lookups: dict, cells: dict
) -> dict | None:
    c = {col.key: col for col in COLUMNS}
    before = len(errors.items)
    try:
        credit = creditcode.normalise(r["credit_code"])
    except ValueError:
        errors.add(rownum, c["credit_code"], r["credit_code"], "Not a valid unified social credit code.")
        credit = None
    industry = lookups["industry"].get(r["industry"]) or lookups["industry"].get(r["industry"].lower())
    if industry is None:
        errors.add(rownum, c["industry"], r["industry"], "Unknown industry.")
    scale = lookups["scale"].get(r["scale"]) or lookups["scale"].get(r["scale"].lower())
    if scale is None:
        errors.add(rownum, c["scale"], r["scale"], "Unknown scale.")
    flags = {}
    for key in ("hazardous_chemicals", "major_hazard"):
        flags[key] = _flag(r[key])
        if flags[key] is None:
            errors.add(rownum, c[key], r[key], "Write 是 or 否.")
    grade = (
        GRADE_WORDS.get(r["major_hazard_grade"].replace("重大危险源", ""))
        if r["major_hazard_grade"]
        else None
    )
    if r["major_hazard_grade"] and grade is None:
        errors.add(rownum, c["major_hazard_grade"], r["major_hazard_grade"], "Write 一级 to 四级.")
    numbers = {
        "employees": common.number_in(r["employees"], 0, 1_000_000),
        "lon": common.number_in(r["lon"], -180, 180),
        "lat": common.number_in(r["lat"], -90, 90),
    }
    for key, value in numbers.items():
        if value is False:
            errors.add(rownum, c[key], r[key], "Not a number in range.")
    phones = {}
    for key in ("principal_phone", "safety_manager_phone"):
        try:
            phones[key] = phone(r[key])
        except ValueError:
            errors.add(rownum, c[key], r[key], "Not a phone number.")
    if r["enforcement_class"] and r["enforcement_class"].upper()[:1] not in "ABCD":
        errors.add(rownum, c["enforcement_class"], r["enforcement_class"], "Write A, B, C or D.")
    code = common.row_place(session, principal, errors, rownum, COLUMNS, r, Perm.RISK_MANAGE)
    cell_id = None
    if code and r["grid_code"]:
        cell = cells.get(r["grid_code"])
        if cell is None or not (
            cell.jurisdiction_code.startswith(code) or code.startswith(cell.jurisdiction_code)
        ):
            errors.add(rownum, c["grid_code"], r["grid_code"], "Unknown grid cell.")
        else:
            cell_id = cell.id
    if len(r["name"]) > 200:
        errors.add(rownum, c["name"], r["name"][:40], "Too long.")
    if len(errors.items) > before:
        return None
    return {
        "name": r["name"],
        "credit_code": credit,
        "industry": industry,
        "scale": scale,
        "employees": None if numbers["employees"] is None else int(numbers["employees"]),
        "hazardous_chemicals": flags["hazardous_chemicals"],
        "chemicals": r["chemicals"] or None,
        "major_hazard": flags["major_hazard"],
        "major_hazard_grade": grade if flags["major_hazard"] else None,
        "jurisdiction_code": code,
        "grid_cell_id": cell_id,
        "address": r["address"] or None,
        "lon": numbers["lon"],
        "lat": numbers["lat"],
        "principal_name": r["principal_name"] or None,
        "safety_manager_name": r["safety_manager_name"] or None,
        "note": r["note"] or None,
        "_class": r["enforcement_class"].upper()[:1] or None,
    } | phones


def import_enterprises(session: Session, principal: Principal, data: bytes) -> ImportResult:
    """All rows or none; existing enterprises (same credit code, in scope) are updated."""
    require(principal, Perm.IMPORT)
    require(principal, Perm.RISK_MANAGE)
    rows = read(data, COLUMNS)
    errors = RowErrors()
    table = tables.industries_table()
    lookups = {"industry": _lookup(table["industries"]), "scale": _lookup(table["scales"])}
    cells = {
        g.code: g
        for g in session.scalars(select(GridCell).where(GridCell.code.in_({r["grid_code"] for _, r in rows})))
    }
    repeats = common.Repeats(
        errors, COLUMNS, "credit_code", N_("The same credit code is already on row {other}.")
    )
    check = partial(_row, session, principal, errors, lookups=lookups, cells=cells)
    plan = common.planned(rows, COLUMNS, check, lambda v: v["credit_code"], repeats)
    existing = {
        e.credit_code: e
        for e in session.scalars(
            select(Enterprise).where(Enterprise.credit_code.in_([v["credit_code"] for _, v in plan]))
        )
    }
    held = ((rownum, v["credit_code"], existing.get(v["credit_code"])) for rownum, v in plan)
    at, message = column(COLUMNS, "credit_code"), N_("The credit code {code} is already registered.")
    common.refuse_held(errors, principal, at, message, held)
    errors.raise_if_any()
    result = ImportResult()
    for _rownum, values in paced(plan):
        chosen = values.pop("_class")
        enterprise = existing.get(values["credit_code"])
        if enterprise is None:
            enterprise = Enterprise(
                **values, status=EnterpriseStatus.ACTIVE, risk_rank=0, enforcement_class=chosen or "D"
            )
            enterprise.class_fixed = chosen is not None
            enterprises.classify(session, enterprise)
            session.add(enterprise)
            result.created += 1
            continue
        if chosen:
            values |= {"enforcement_class": chosen, "class_fixed": True}
        changed = common.update(enterprise, values)
        if changed:
            enterprises.classify(session, enterprise)
        result.tally(changed)
    session.flush()
    return result


def _export_query(principal: Principal, within: str | None):
    require(principal, Perm.EXPORT)
    stmt = (
        select(*EXPORTED, GridCell.code.label("grid_code"))
        .outerjoin(GridCell, GridCell.id == Enterprise.grid_cell_id)
        .where(in_scope(Enterprise.jurisdiction_code, principal))
    )
    if within:
        stmt = stmt.where(Enterprise.jurisdiction_code.startswith(within))
    return stmt


EXPORTED = [
    getattr(Enterprise, key)
    for key in (
        "name",
        "credit_code",
        "industry",
        "scale",
        "employees",
        "hazardous_chemicals",
        "chemicals",
        "major_hazard",
        "major_hazard_grade",
        "jurisdiction_code",
        "address",
        "lon",
        "lat",
        "principal_name",
        "principal_phone",
        "safety_manager_name",
        "safety_manager_phone",
        "enforcement_class",
        "class_fixed",
        "note",
    )
]


def count_rows(session: Session, principal: Principal, within: str | None = None) -> int:
    """How many enterprises the export would hold."""
    return common.count_of(session, _export_query(principal, within))


def export_rows(session: Session, principal: Principal, within: str | None = None) -> Iterator[dict]:
    """The register in scope as rows of the sheet (numbers masked by role), read in batches from a
    server-side cursor: a whole-city export never holds more than a batch of enterprises."""
    stmt = _export_query(principal, within).order_by(Enterprise.jurisdiction_code, Enterprise.id)
    labels = {"industry": tables.industries(), "scale": tables.scales()}
    return (_row_out(e, labels, principal) for e in session.execute(stmt.execution_options(yield_per=2000)))


def _row_out(e, labels: dict, principal: Principal) -> dict:
    return {
        "name": e.name,
        "credit_code": e.credit_code,
        "industry": labels["industry"].get(e.industry, e.industry),
        "scale": labels["scale"].get(e.scale, e.scale),
        "employees": e.employees,
        "hazardous_chemicals": "是" if e.hazardous_chemicals else "否",
        "chemicals": e.chemicals,
        "major_hazard": "是" if e.major_hazard else "否",
        "major_hazard_grade": f"{'一二三四'[e.major_hazard_grade - 1]}级" if e.major_hazard_grade else None,
        "jurisdiction_code": codes.division_code_12(e.jurisdiction_code),
        "grid_code": e.grid_code,
        "address": e.address,
        "lon": e.lon,
        "lat": e.lat,
        "principal_name": e.principal_name,
        "principal_phone": mask_phone(e.principal_phone, principal),
        "safety_manager_name": e.safety_manager_name,
        "safety_manager_phone": mask_phone(e.safety_manager_phone, principal),
        "enforcement_class": e.enforcement_class if e.class_fixed else None,
        "note": e.note,
    }


kinds.register(
    "risk_enterprises",
    N_("Enterprises"),
    "risk_enterprises",
    title="生产经营单位",
    columns=COLUMNS,
    rows=export_rows,
    count=count_rows,
    run=import_enterprises,
    perms=(Perm.IMPORT, Perm.RISK_MANAGE),
    filename=lambda p: f"enterprises-{p.get('within') or 'all'}.xlsx",
)

"""Excel import and export of the registry (速报员数据库). Every row is checked first (role word,
name, mobile, a town or village in the importer's jurisdiction and fit for the role, point type,
coordinates, dates); one bad row and nothing is imported, the answer lists each row's errors. A
member is keyed by (mobile, role, division): importing the same sheet again changes nothing. The
export is the same sheet (it imports back), phones masked for roles without ``contact.phone``."""

from __future__ import annotations

from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, mask_phone, require
from yingji.core.i18n import N_
from yingji.org import codes as division_codes
from yingji.org.exchange import common
from yingji.org.exchange.common import ImportResult, RowErrors, column
from yingji.org.models import Jurisdiction, Person
from yingji.org.sheets import Column, read, write
from yingji.seismic import registry
from yingji.seismic.codes import (
    POINT_WORDS,
    POINT_ZH,
    ROLE_LEVELS,
    ROLE_WORDS,
    ROLE_ZH,
    PointType,
    SeismicRole,
)
from yingji.seismic.models import SeismicMember

COLUMNS = [
    Column("role", "角色", "Role", True, 14),
    Column("name", "姓名", "Name", True, 10),
    Column("mobile", "手机号码", "Mobile", True, 14),
    Column("jurisdiction_code", "所在区划代码", "Division code", True, 16),
    Column("jurisdiction_name", "所在乡镇/村", "Town or village", False, 16),
    Column("point_type", "观测点类型", "Point type", False, 10),
    Column("point_location", "观测点位置", "Point location", False, 20),
    Column("point_object", "观测对象", "Observed object", False, 20),
    Column("lon", "经度", "Longitude", False, 10),
    Column("lat", "纬度", "Latitude", False, 10),
    Column("active_from", "任职起", "Serving from", True, 12),
    Column("active_to", "任职止", "Serving until", False, 12),
    Column("note", "备注", "Note", False, 20),
]
SHEET_TITLE = "防震减灾助理员与灾情速报员名册"


def _float(text: str, limit: float):
    try:
        value = float(text)
    except ValueError:
        return None
    return value if -limit <= value <= limit else None


def _row(session, principal, errors, rownum, r) -> dict | None:
    col = lambda key: column(COLUMNS, key)  # noqa: E731
    ok = True
    role = ROLE_WORDS.get(r["role"]) or (SeismicRole(r["role"]) if r["role"] in set(SeismicRole) else None)
    if role is None:
        errors.add(rownum, col("role"), r["role"], "Write 助理员, 宏观测报员 or 灾情速报员.")
        ok = False
    code = common.row_place(session, principal, errors, rownum, COLUMNS, r, Perm.TRAINING_MANAGE)
    if code and role:
        level = session.scalar(select(Jurisdiction.level).where(Jurisdiction.code == code))
        if level not in ROLE_LEVELS[role]:
            message = "An earthquake assistant serves a town; observers and reporters a town or village."
            errors.add(rownum, col("jurisdiction_code"), r["jurisdiction_code"], message)
            ok = False
    good, mobile = common.mobile_cell(errors, rownum, col("mobile"), r["mobile"])
    ok = ok and good
    point = None
    if r["point_type"]:
        point = POINT_WORDS.get(r["point_type"]) or (
            PointType(r["point_type"]) if r["point_type"] in set(PointType) else None
        )
        if point is None:
            errors.add(
                rownum,
                col("point_type"),
                r["point_type"],
                "Write 水井, 泉水, 鱼塘, 家禽家畜, 动物, 植物 or 其他.",
            )
            ok = False
    coords = {}
    for key, limit in (("lon", 180), ("lat", 90)):
        coords[key] = _float(r[key], limit) if r[key] else None
        if r[key] and coords[key] is None:
            errors.add(rownum, col(key), r[key], "Not a coordinate.")
            ok = False
    start, end = (
        common.iso_date(r["active_from"]),
        common.iso_date(r["active_to"]) if r["active_to"] else None,
    )
    if start is None:
        errors.add(rownum, col("active_from"), r["active_from"], "Not a date (YYYY-MM-DD).")
        ok = False
    if r["active_to"] and end is None:
        errors.add(rownum, col("active_to"), r["active_to"], "Not a date (YYYY-MM-DD).")
        ok = False
    if start and end and end < start:
        errors.add(rownum, col("active_to"), r["active_to"], "The end is before the start.")
        ok = False
    if len(r["name"] or "") > 60:
        errors.add(rownum, col("name"), r["name"][:40], "Too long.")
        ok = False
    if not ok or code is None or role is None or not mobile:
        return None
    return {
        "role": role.value,
        "name": r["name"],
        "mobile": mobile,
        "jurisdiction_code": code,
        "point_type": point.value if point else None,
        "point_location": (r["point_location"] or "")[:200] or None,
        "point_object": (r["point_object"] or "")[:200] or None,
        "lon": coords["lon"],
        "lat": coords["lat"],
        "active_from": start,
        "active_to": end,
        "note": (r["note"] or "")[:2000] or None,
    }


def _key(v: dict) -> tuple:
    """A member is one role of one person (mobile) in one place."""
    return (v["mobile"], v["role"], v["jurisdiction_code"])


def import_members(session: Session, principal: Principal, data: bytes) -> ImportResult:
    """Apply a registry sheet in the caller's transaction (all rows or none)."""
    require(principal, Perm.TRAINING_MANAGE)
    require(principal, Perm.IMPORT)
    errors = RowErrors()
    repeats = common.Repeats(errors, COLUMNS, "mobile", N_("The same member is already on row {other}."))
    check = partial(_row, session, principal, errors)
    plan = common.planned(read(data, COLUMNS), COLUMNS, check, _key, repeats)
    errors.raise_if_any()
    result = ImportResult()
    fields = (
        "point_type",
        "point_location",
        "point_object",
        "lon",
        "lat",
        "active_from",
        "active_to",
        "note",
    )
    for _, values in plan:
        person = registry.person_for(session, values["name"], values["mobile"], values["jurisdiction_code"])
        member = session.scalar(
            select(SeismicMember).where(
                SeismicMember.person_id == person.id,
                SeismicMember.role == values["role"],
                SeismicMember.jurisdiction_code == values["jurisdiction_code"],
            )
        )
        if member is None:
            session.add(
                SeismicMember(
                    person_id=person.id,
                    role=values["role"],
                    jurisdiction_code=values["jurisdiction_code"],
                    phone=values["mobile"],
                    **{k: values[k] for k in fields},
                )
            )
            result.created += 1
            continue
        result.tally(common.update(member, {k: values[k] for k in fields}))
    session.flush()
    return result


def member_rows(session: Session, principal: Principal):
    require(principal, Perm.EXPORT)
    stmt = (
        select(SeismicMember, Person, Jurisdiction.name)
        .join(Person, Person.id == SeismicMember.person_id)
        .join(Jurisdiction, Jurisdiction.code == SeismicMember.jurisdiction_code)
        .where(in_scope(SeismicMember.jurisdiction_code, principal))
        .order_by(SeismicMember.jurisdiction_code, SeismicMember.role, SeismicMember.id)
        .limit(100_000)
    )
    for m, person, place in session.execute(stmt):
        yield {
            "role": ROLE_ZH[SeismicRole(m.role)],
            "name": person.name,
            "mobile": mask_phone(m.phone or person.mobile, principal),
            "jurisdiction_code": division_codes.division_code_12(m.jurisdiction_code),
            "jurisdiction_name": place,
            "point_type": POINT_ZH.get(m.point_type) if m.point_type else None,
            "point_location": m.point_location,
            "point_object": m.point_object,
            "lon": m.lon,
            "lat": m.lat,
            "active_from": m.active_from.isoformat(),
            "active_to": m.active_to.isoformat() if m.active_to else None,
            "note": m.note,
        }


def export_members(session: Session, principal: Principal, locale: str = "zh_CN") -> bytes:
    return write(SHEET_TITLE, COLUMNS, member_rows(session, principal), locale)
